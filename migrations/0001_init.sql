-- rapid-consult initial schema.
-- Anything a user wrote (titles, descriptions, message bodies, outgoing texts) is stored only as
-- AES-256-GCM ciphertext (*_enc columns) under the owning consultation's data key.
-- Times are ISO 8601 UTC strings with microseconds and a trailing Z; they sort as text.

CREATE TABLE agencies (
    key  TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE people (
    key              TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    agency_key       TEXT NOT NULL REFERENCES agencies(key),
    telegram_user_id INTEGER UNIQUE,
    alternate_key    TEXT REFERENCES people(key) DEFERRABLE INITIALLY DEFERRED,
    language         TEXT CHECK (language IN ('vi', 'en')),
    active           INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE person_roles (
    person_key TEXT NOT NULL REFERENCES people(key) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    PRIMARY KEY (person_key, role)
);
CREATE INDEX person_roles_by_role ON person_roles(role);

-- One-time enrollment links: only a hash of the token is kept.
CREATE TABLE enrollments (
    token_hash      TEXT PRIMARY KEY,
    person_key      TEXT NOT NULL REFERENCES people(key),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    used_by_user_id INTEGER
);

-- One data key per consultation (owner = consultation id; 0 = deployment-level texts),
-- wrapped by a master key. Retention shreds by clearing `wrapped`.
CREATE TABLE data_keys (
    owner         INTEGER PRIMARY KEY,
    master_key_id TEXT NOT NULL,
    wrapped       BLOB,
    created_at    TEXT NOT NULL,
    destroyed_at  TEXT
);

CREATE TABLE consultations (
    id                INTEGER PRIMARY KEY,          -- the #N users see
    title_enc         BLOB NOT NULL,
    description_enc   BLOB,
    scopes            TEXT NOT NULL,                -- routing policy keys joined by '+'
    opened_by         TEXT NOT NULL REFERENCES people(key),
    opened_at         TEXT NOT NULL,
    deadline_at       TEXT NOT NULL,
    closed_at         TEXT,
    state             TEXT NOT NULL CHECK (state IN ('open', 'closed', 'cancelled')),
    outcome_enc       BLOB,
    chat_id           INTEGER,
    thread_id         INTEGER,
    status_message_id INTEGER
);
CREATE INDEX consultations_by_state ON consultations(state);

CREATE TABLE participants (
    consultation_id       INTEGER NOT NULL REFERENCES consultations(id),
    person_key            TEXT NOT NULL REFERENCES people(key),
    position              TEXT CHECK (position IN ('agree', 'object', 'more_time')),
    responded_at          TEXT,
    responded_by          TEXT REFERENCES people(key),   -- an alternate may answer for the agency
    late                  INTEGER NOT NULL DEFAULT 0,
    invited_at            TEXT NOT NULL,
    reachable             INTEGER NOT NULL DEFAULT 1,
    invitation_message_id INTEGER,
    PRIMARY KEY (consultation_id, person_key)
);

CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    consultation_id     INTEGER NOT NULL REFERENCES consultations(id),
    person_key          TEXT REFERENCES people(key),
    at                  TEXT NOT NULL,
    kind                TEXT NOT NULL,               -- comment | summary
    source              TEXT NOT NULL,               -- topic | private | system
    body_enc            BLOB,                        -- NULL when the guard blocked it
    guard_action        TEXT NOT NULL CHECK (guard_action IN ('allow', 'redact', 'block')),
    guard_level         TEXT CHECK (guard_level IN ('mat', 'toi_mat', 'tuyet_mat')),
    content_hmac        TEXT,
    telegram_chat_id    INTEGER,
    telegram_message_id INTEGER
);
CREATE INDEX messages_by_consultation ON messages(consultation_id, id);

-- Every message the bot sends goes through here, queued in the transaction that causes it.
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    dedup_key         TEXT NOT NULL UNIQUE,
    key_owner         INTEGER NOT NULL,             -- data key that seals payload_enc
    chat_id           INTEGER NOT NULL,
    method            TEXT NOT NULL,
    payload_enc       BLOB NOT NULL,
    state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    not_before        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    sent_at           TEXT,
    result_message_id INTEGER,
    last_error        TEXT
);
CREATE INDEX outbox_pending ON outbox(state, not_before, id);

-- Append-only, hash-chained (see bot/audit/chain.py). No message content, ever.
CREATE TABLE events (
    seq             INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    consultation_id INTEGER,
    type            TEXT NOT NULL,
    actor           TEXT,
    data            TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    log_prev_hash   TEXT NOT NULL,
    hash            TEXT NOT NULL UNIQUE
);
CREATE INDEX events_by_consultation ON events(consultation_id, seq);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at TEXT NOT NULL
);
