-- Block notices, coalesced: one per place and sender a minute, saying how many posts were blocked.
-- A burst of stamped posts (a document pasted in parts) must not queue a notice each behind
-- Telegram's 20 messages a minute per group. Counts and levels only: nothing of any content.
CREATE TABLE block_notices (
    chat_id      INTEGER NOT NULL,          -- where the notice goes: the group, or the sender's private chat
    thread_id    INTEGER NOT NULL,          -- the topic it goes to; 0 for none (General, private)
    subject      TEXT NOT NULL,             -- whose posts: a person key, or tg:<Telegram user id>
    blocked      INTEGER NOT NULL DEFAULT 0,  -- posts blocked so far
    announced    INTEGER NOT NULL DEFAULT 0,  -- of which the notices sent have told
    level        TEXT CHECK (level IN ('mat', 'toi_mat', 'tuyet_mat')),  -- highest marking not yet told
    last_sent_at TEXT,                      -- when the last notice went
    PRIMARY KEY (chat_id, thread_id, subject)
) WITHOUT ROWID;
