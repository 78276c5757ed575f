-- PostgreSQL's twin of migrations/0013_log_tree_notes.sql: the checkpoints also keep, as a C2SP
-- signed note, the origin, the Merkle tree's size and root (never trusted when proving), and the
-- RFC 3161 time-stamp token over the note when CONSULT_TSA_URL is set.
ALTER TABLE checkpoints ADD COLUMN origin TEXT;
ALTER TABLE checkpoints ADD COLUMN tree_root TEXT;
ALTER TABLE checkpoints ADD COLUMN note TEXT;
ALTER TABLE checkpoints ADD COLUMN tsa BYTEA;
