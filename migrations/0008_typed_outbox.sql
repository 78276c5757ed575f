-- A typed outbox: what a message is and whom it concerns are columns, no longer a string protocol
-- in its de-duplication key that the sender parsed back (see bot/domain/outbox.py). The key stays
-- the exactly-once key. Rows queued before this migration get their columns from their keys, so a
-- database upgraded with messages still waiting delivers them with the same consequences.
ALTER TABLE outbox ADD COLUMN kind TEXT;             -- bot.domain.outbox.Kind; NULL: none known
ALTER TABLE outbox ADD COLUMN consultation_id INTEGER;  -- what it concerns
ALTER TABLE outbox ADD COLUMN person_key TEXT;       -- whom it is for (an invitee, an alternate...)
ALTER TABLE outbox ADD COLUMN for_person_key TEXT;   -- the invitee an alternate answers for
ALTER TABLE outbox ADD COLUMN attempt INTEGER;       -- which attempt at an invitation (NULL: one named otherwise)
ALTER TABLE outbox ADD COLUMN depends_on TEXT CHECK (depends_on IN ('topic', 'card'));  -- of its consultation

-- Keys look like '<prefix>:<rest>'; the consultation a row concerns is the one whose data key seals it.
UPDATE outbox SET kind = substr(dedup_key, 1, instr(dedup_key, ':') - 1),
                  consultation_id = nullif(key_owner, 0)
WHERE instr(dedup_key, ':') > 0;
-- GLOB, not LIKE: exact case, and no `_` matching any character (person keys hold `_` and `-`).
UPDATE outbox SET kind = 'escalate-notice' WHERE kind = 'escalate' AND dedup_key GLOB 'escalate:*:coordinator:*';
UPDATE outbox SET kind = NULL WHERE kind NOT IN (
    'topic', 'card', 'pin', 'card-edit', 'invite', 'unreachable', 'escalate', 'escalate-notice', 'extend', 'remind',
    'objection', 'report', 'report-coordinator', 'topic-close', 'close', 'cancel', 'member', 'link', 'joinlink',
    'join-decline', 'join-approve', 'delete', 'blocked-notice', 'redacted-tell', 'comment-ack', 'relay', 'reply',
    'cbq', 'cbq-full', 'form', 'form-edit', 'rebound', 'export', 'part', 'stand-in', 'uncovered', 'pmreport',
    'stats-chart', 'away-told');

-- '<kind>:<consultation>:<person>[:...]': invitations (the attempt last, a number or, for one sent
-- again once its invitee is back, a name), mentions, escalations and stand-ins (person = the
-- invitee, then the alternate), notices to invitees, the membership steps.
UPDATE outbox SET person_key = substr(tail, 1, instr(tail || ':', ':') - 1),
                  attempt = CASE WHEN kind = 'invite' AND substr(tail, instr(tail, ':') + 1) NOT GLOB '*[^0-9]*'
                                 THEN CAST(substr(tail, instr(tail, ':') + 1) AS INTEGER) END
FROM (SELECT id AS row_id, substr(rest, instr(rest, ':') + 1) AS tail
      FROM (SELECT id, substr(dedup_key, instr(dedup_key, ':') + 1) AS rest FROM outbox))
WHERE outbox.id = row_id
  AND kind IN ('invite', 'unreachable', 'escalate', 'stand-in', 'uncovered', 'extend', 'remind', 'close', 'cancel',
               'member', 'link', 'joinlink');
-- An escalation, or an invitation or reminder to a stand-in, is for the alternate, who answers for
-- the invitee: '<kind>:<consultation>:<invitee>:<alternate>[:<tag>]'.
UPDATE outbox SET for_person_key = person_key,
                  person_key = substr(rest, 1, instr(rest || ':', ':') - 1)
FROM (SELECT id AS row_id, substr(dedup_key, length(kind || ':' || consultation_id || ':' || person_key || ':') + 1)
      AS rest FROM outbox WHERE kind IN ('escalate', 'stand-in'))
WHERE outbox.id = row_id;
-- Told to someone by their own key: '<kind>:<person>:<tag>'.
UPDATE outbox SET person_key = substr(dedup_key, length(kind) + 2, instr(substr(dedup_key, length(kind) + 2), ':') - 1)
WHERE kind IN ('rebound', 'away-told');

UPDATE outbox SET depends_on = 'topic' WHERE kind IN ('card', 'unreachable', 'report', 'topic-close', 'relay');
UPDATE outbox SET depends_on = 'card' WHERE kind IN ('pin', 'card-edit');
-- 'part:<n>:<key>': a leading part goes where the message it leads goes.
UPDATE outbox SET depends_on = (SELECT whole.depends_on FROM outbox AS whole
                                WHERE whole.dedup_key = substr(outbox.dedup_key,
                                                               6 + instr(substr(outbox.dedup_key, 6), ':')))
WHERE kind = 'part';

-- Counting an invitee's invitations (bot/services/enrollment.py) reads this, not the keys.
CREATE INDEX outbox_invitations ON outbox(consultation_id, person_key, attempt) WHERE kind = 'invite';
