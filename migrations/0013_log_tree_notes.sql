-- One Merkle tree of every event (issue 25): each checkpoint now also signs, as a C2SP signed note,
-- the origin, the tree's size and its root (RFC 9162; leaf i = the chain hash of event seq i + 1).
-- These columns are the tree's state as last signed: never trusted when proving (the tree is
-- recomputed from the events), only compared with the recomputation, so a rewrite shows.
-- `tsa` holds the RFC 3161 time-stamp token over the note when CONSULT_TSA_URL is set.
ALTER TABLE checkpoints ADD COLUMN origin TEXT;
ALTER TABLE checkpoints ADD COLUMN tree_root TEXT;
ALTER TABLE checkpoints ADD COLUMN note TEXT;
ALTER TABLE checkpoints ADD COLUMN tsa BLOB;
