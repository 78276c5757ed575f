-- Chain v2: rows written from now on seal their text with associated data that binds the row's
-- author and time (aad_version 2); rows written before keep version 1 and open as they always did.
-- Their events say which version recorded them (`"v": 2` in the event's data), so `consult verify`
-- reports older rows as "written before v2" rather than as altered.
ALTER TABLE messages ADD COLUMN aad_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE consultations ADD COLUMN aad_version INTEGER NOT NULL DEFAULT 1;

-- Signed checkpoints of the event log (a signed tree head; see bot/domain/checkpoint.py). `body`
-- is the canonical JSON that `signature` (SSHSIG, namespace rapid-consult-checkpoint) signs.
CREATE TABLE checkpoints (
    number     INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    log_size   INTEGER NOT NULL,
    log_head   TEXT NOT NULL,
    heads_root TEXT NOT NULL,
    body       TEXT NOT NULL,
    signature  TEXT NOT NULL
);
CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
