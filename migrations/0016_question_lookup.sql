-- The bot's follow-up questions (issue 26, items 4-5: «how much more time?», «the reason for the
-- objection?») are found by the message Telegram made of them: a press on one, or a reply to one,
-- is looked up by (chat, message id) among what was sent. Without this index each private reply
-- would scan the whole outbox.
CREATE INDEX outbox_sent_message ON outbox(chat_id, result_message_id) WHERE result_message_id IS NOT NULL;
