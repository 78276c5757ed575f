-- The security officer's desk (issue #29): every block is a case, with what may be kept about it —
-- when, who, where, the rule and level, the source, the file's type, size and SHA-256 or the text's
-- keyed hash, the policy hash. Never the content: nothing here can rebuild what was blocked.
CREATE TABLE guard_cases (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,            -- a person key, or tg:<Telegram user id> for someone not enrolled
    user_id        INTEGER NOT NULL,         -- the sender's Telegram user id (0: a channel or anonymous)
    agency         TEXT,                     -- the sender's agency key; NULL for someone not enrolled
    chat_id        INTEGER NOT NULL,
    thread_id      INTEGER,
    message_id     INTEGER NOT NULL,
    place          TEXT NOT NULL,            -- private | topic | group
    consultation_id INTEGER,
    kind           TEXT NOT NULL,            -- message | edit | command | a service message's part
    rule           TEXT,
    level          TEXT CHECK (level IN ('mat', 'toi_mat', 'tuyet_mat')),
    source         TEXT NOT NULL,            -- text | caption | file | photo | file-name | media:<kind>
    detail         TEXT,                     -- finer where the verdict tells it (PDF page 3, DOCX header)
    ocr_confidence REAL,                     -- Tesseract's confidence (0..100), where there was OCR
    file_type      TEXT,
    file_size      INTEGER,
    file_sha256    TEXT,
    content_hmac   TEXT,                     -- the keyed hash of a text (or of a file's content)
    policy_hash    TEXT,
    -- The sender's report of a false positive and the officer's decision (filled later).
    reported_at    TEXT,
    reason_wanted_until TEXT,                -- until when the sender's next private message is the report's reason
    report_reason_enc BLOB,                  -- the sender's one-line reason, sealed; stored only if the guard allowed it
    decision       TEXT CHECK (decision IN ('upheld', 'released')),
    decided_at     TEXT,
    decided_by     TEXT,
    decision_reason TEXT
);
CREATE INDEX guard_cases_at ON guard_cases (at);
CREATE INDEX guard_cases_agency ON guard_cases (agency, at);

-- A release: exactly one file (by SHA-256) or one text (by its keyed hash) let through once, for one
-- sender, until it expires.
CREATE TABLE guard_releases (
    case_id      INTEGER PRIMARY KEY REFERENCES guard_cases (id),
    user_id      INTEGER NOT NULL,
    file_sha256  TEXT,
    content_hmac TEXT,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);
CREATE INDEX guard_releases_user ON guard_releases (user_id, used_at);

-- The daily digest: the last local day each officer was sent one. The scheduler is re-armed from
-- here at start: a digest due while the bot was down goes at once, and never twice in a day.
CREATE TABLE guard_digests (
    officer_key TEXT PRIMARY KEY,
    last_day    TEXT NOT NULL                -- YYYY-MM-DD, local time
);
