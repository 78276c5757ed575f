-- Updates set aside, and file updates being read. Neither table holds content: an update is named
-- by its id, where it came from (chat, message, sender) and what went wrong (handler, error type).

-- An update whose handling kept failing (bot/telegram/lanes.py says when), or that could not be
-- parsed at all: skipped so the queue goes on, kept here for the operator (`consult updates failed`).
CREATE TABLE failed_updates (
    id INTEGER PRIMARY KEY,
    update_id INTEGER NOT NULL,
    handler TEXT NOT NULL,          -- which handler raised: 'command /urgent', 'gate', 'parse', ...
    error_type TEXT NOT NULL,       -- the exception's class name, never its message
    attempts INTEGER NOT NULL,
    chat_id INTEGER,
    user_id INTEGER,
    failed_at TEXT NOT NULL
);
CREATE INDEX failed_updates_at ON failed_updates (failed_at);

-- A file update acknowledged to Telegram before its file was read (so newer updates keep coming):
-- the durable claim that makes a redelivery skip it and a crash not lose it. On the next start a
-- row left here is an update whose file was never judged; it is removed from the group (fail
-- closed) and its sender asked to send it again.
CREATE TABLE held_files (
    update_id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    language_code TEXT,
    group_post INTEGER NOT NULL CHECK (group_post IN (0, 1)),
    held_at TEXT NOT NULL
);
