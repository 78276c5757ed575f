-- The last title of each group that passed the guard. A member who renames the group to a marking
-- («TỐI MẬT …») sees it put back: the bot restores this title with setChatTitle. Only titles the
-- guard allowed are kept here; a marked one is never stored.
CREATE TABLE chat_titles (
    chat_id  INTEGER PRIMARY KEY,
    title    TEXT NOT NULL,
    noted_at TEXT NOT NULL
);
