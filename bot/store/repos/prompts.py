"""Answer prompts: the messages the bot sent with answer buttons, and whose answer each records.

Callback data is whatever a client sends; what the bot itself sent is the only thing a press can
be checked against. The delivery service records each invitation, escalation and stand-in once
Telegram has answered with its message id.
"""

from __future__ import annotations

from bot.store.db import Tx


async def record(tx: Tx, chat_id: int, message_id: int, consultation_id: int, person_key: str,
                 for_person_key: str) -> None:
    await tx.execute(
        "INSERT OR REPLACE INTO answer_prompts (chat_id, message_id, consultation_id, person_key, for_person_key)"
        " VALUES (?, ?, ?, ?, ?)", (chat_id, message_id, consultation_id, person_key, for_person_key))


async def answered_for(tx: Tx, chat_id: int, message_id: int, consultation_id: int, person_key: str) -> str | None:
    """Whose answer a press by `person_key` on this message records; None if the bot sent them no
    such message for this consultation."""
    value = await tx.fetchval(
        "SELECT for_person_key FROM answer_prompts WHERE chat_id = ? AND message_id = ?"
        " AND consultation_id = ? AND person_key = ?", (chat_id, message_id, consultation_id, person_key))
    return None if value is None else str(value)


async def consultation_of(tx: Tx, chat_id: int, message_id: int, person_key: str) -> int | None:
    """The consultation of a message with answer buttons the bot sent `person_key` (an invitation,
    an escalation, a stand-in's prompt): a reply to it is a comment on that consultation."""
    value = await tx.fetchval(
        "SELECT consultation_id FROM answer_prompts WHERE chat_id = ? AND message_id = ? AND person_key = ?",
        (chat_id, message_id, person_key))
    return None if value is None else int(value)
