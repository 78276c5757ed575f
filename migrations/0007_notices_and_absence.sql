-- Issue 19: the coordinator's work beyond one consultation.
--
-- A consultation has a kind: an urgent consultation (positions: agree, object, more time) or a
-- notice disseminating a leaders' decision (one answer: acknowledged). Both share the numbering
-- (#N), the topic, the card, the reminders and the escalation.
ALTER TABLE consultations ADD COLUMN kind TEXT NOT NULL DEFAULT 'consultation'
    CHECK (kind IN ('consultation', 'notice'));

-- Absence (`/away`): stored as the moment it ends, never as a flag, so it ends by itself. The note
-- is what its author wrote (as the guard allowed it), sealed under the deployment's data key.
ALTER TABLE people ADD COLUMN away_until TEXT;
ALTER TABLE people ADD COLUMN away_note_enc BLOB;

-- The acknowledgement of a notice is an answer like a position: participants.position takes it.
-- SQLite cannot change a CHECK constraint in place; the table is rebuilt (nothing refers to it).
-- `invited_via`: the alternate who received the invitation because the invitee was away (NULL when
-- the invitee received it): once back, the invitee gets their own.
CREATE TABLE participants_v7 (
    consultation_id       INTEGER NOT NULL REFERENCES consultations(id),
    person_key            TEXT NOT NULL REFERENCES people(key),
    position              TEXT CHECK (position IN ('agree', 'object', 'more_time', 'acknowledged')),
    responded_at          TEXT,
    responded_by          TEXT REFERENCES people(key),
    late                  INTEGER NOT NULL DEFAULT 0,
    invited_at            TEXT NOT NULL,
    reachable             INTEGER NOT NULL DEFAULT 1,
    invitation_message_id INTEGER,
    invited_via           TEXT REFERENCES people(key),
    PRIMARY KEY (consultation_id, person_key)
);
INSERT INTO participants_v7 (consultation_id, person_key, position, responded_at, responded_by, late, invited_at,
                             reachable, invitation_message_id)
SELECT consultation_id, person_key, position, responded_at, responded_by, late, invited_at, reachable,
       invitation_message_id
FROM participants;
DROP TABLE participants;
ALTER TABLE participants_v7 RENAME TO participants;
-- /stats reads invitations by when they were made.
CREATE INDEX participants_by_invited_at ON participants(invited_at);
