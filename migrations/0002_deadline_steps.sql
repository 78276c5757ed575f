-- Planned deadline steps: the database is the truth; the in-memory scheduler is rebuilt from it.
-- Steps belong to a consultation, not to a person: at fire time a reminder goes only to those who
-- have not answered, so answering needs no change here.
CREATE TABLE deadline_steps (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    kind            TEXT NOT NULL CHECK (kind IN ('reminder', 'escalation', 'auto_close')),
    tone            TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dropped')),
    done_at         TEXT,
    generation      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX deadline_steps_pending ON deadline_steps(state, due_at);
CREATE INDEX deadline_steps_by_consultation ON deadline_steps(consultation_id, state);
