-- The guided /urgent form: one open form per coordinator, filled in step by step in private chat.
-- A new form gets a new id (AUTOINCREMENT never reuses one), so the buttons of an older form are
-- recognisably stale. The title is user content: stored only as ciphertext under the deployment key.
CREATE TABLE urgent_forms (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_key  TEXT NOT NULL UNIQUE REFERENCES people(key),
    chat_id     INTEGER NOT NULL,
    step        TEXT NOT NULL CHECK (step IN ('title', 'scopes', 'deadline', 'confirm')),
    title_enc   BLOB,
    scopes      TEXT NOT NULL DEFAULT '',
    deadline    TEXT,
    updated_at  TEXT NOT NULL
);
