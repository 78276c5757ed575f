-- PostgreSQL's twin of migrations/0016_question_lookup.sql: the follow-up questions are found by
-- (chat, message id) among what was sent, without scanning the outbox.
CREATE INDEX outbox_sent_message ON outbox(chat_id, result_message_id) WHERE result_message_id IS NOT NULL;
