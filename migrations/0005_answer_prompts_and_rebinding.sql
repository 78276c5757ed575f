-- Messages the bot sent that carry answer buttons, and whose answer a press on each records: an
-- invitation counts for its invitee, an escalation for the invitee its alternate stands in for.
-- Callback data is untrusted; a press counts only on a message listed here, in the presser's chat.
CREATE TABLE answer_prompts (
    chat_id         INTEGER NOT NULL,
    message_id      INTEGER NOT NULL,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    person_key      TEXT NOT NULL REFERENCES people(key),   -- who may press it
    for_person_key  TEXT NOT NULL REFERENCES people(key),   -- whose answer it records
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX answer_prompts_by_consultation ON answer_prompts(consultation_id);

-- Invitations already delivered: their message ids were recorded on the participant.
INSERT OR IGNORE INTO answer_prompts (chat_id, message_id, consultation_id, person_key, for_person_key)
SELECT p.telegram_user_id, pa.invitation_message_id, pa.consultation_id, pa.person_key, pa.person_key
FROM participants pa JOIN people p ON p.key = pa.person_key
WHERE pa.invitation_message_id IS NOT NULL AND p.telegram_user_id IS NOT NULL;

-- Escalations already delivered: outbox rows 'escalate:<consultation>:<invitee>:<alternate>'.
INSERT OR IGNORE INTO answer_prompts (chat_id, message_id, consultation_id, person_key, for_person_key)
SELECT chat_id, result_message_id, CAST(cid AS INTEGER), substr(rest, instr(rest, ':') + 1),
       substr(rest, 1, instr(rest, ':') - 1)
FROM (
    SELECT chat_id, result_message_id,
           substr(tail, 1, instr(tail, ':') - 1) AS cid, substr(tail, instr(tail, ':') + 1) AS rest
    FROM (SELECT chat_id, result_message_id, substr(dedup_key, length('escalate:') + 1) AS tail
          FROM outbox WHERE dedup_key LIKE 'escalate:%' AND state = 'sent' AND result_message_id IS NOT NULL)
)
WHERE substr(rest, 1, instr(rest, ':') - 1) IN (SELECT key FROM people)
  AND substr(rest, instr(rest, ':') + 1) IN (SELECT key FROM people)
  AND CAST(cid AS INTEGER) IN (SELECT id FROM consultations);

-- A link made with `consult roster enroll PERSON --rebind` may move an enrolled person to
-- another Telegram account (the old one is told); any other link refuses to.
ALTER TABLE enrollments ADD COLUMN rebind INTEGER NOT NULL DEFAULT 0;
