"""Answer prompts: the messages the bot sent with answer buttons, and whose answer each records.

Callback data is whatever a client sends; what the bot itself sent is the only thing a press can
be checked against. The delivery service records each invitation, escalation and stand-in once
Telegram has answered with its message id.
"""

from __future__ import annotations

from bot.domain.access import Prompt
from bot.store.db import Tx


async def record(tx: Tx, chat_id: int, message_id: int, consultation_id: int, person_key: str,
                 for_person_key: str) -> None:
    await tx.execute(
        "INSERT INTO answer_prompts (chat_id, message_id, consultation_id, person_key, for_person_key)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
        " consultation_id = excluded.consultation_id, person_key = excluded.person_key,"
        " for_person_key = excluded.for_person_key", (chat_id, message_id, consultation_id, person_key, for_person_key))


async def prompt_of(tx: Tx, chat_id: int, message_id: int, consultation_id: int) -> Prompt | None:
    """The prompt the bot sent as this message for this consultation, if it sent one; whose answer
    a press on it records is `bot.domain.access.answers_for`'s to say."""
    row = await tx.fetchone(
        "SELECT person_key, for_person_key FROM answer_prompts WHERE chat_id = ? AND message_id = ?"
        " AND consultation_id = ?", (chat_id, message_id, consultation_id))
    return None if row is None else Prompt(str(row["person_key"]), str(row["for_person_key"]))


async def consultation_of(tx: Tx, chat_id: int, message_id: int, person_key: str) -> int | None:
    """The consultation of a message with answer buttons the bot sent `person_key` (an invitation,
    an escalation, a stand-in's prompt): a reply to it is a comment on that consultation."""
    value = await tx.fetchval(
        "SELECT consultation_id FROM answer_prompts WHERE chat_id = ? AND message_id = ? AND person_key = ?",
        (chat_id, message_id, person_key))
    return None if value is None else int(value)


async def of_consultation(tx: Tx, consultation_id: int) -> list[tuple[int, int, str]]:
    """Every message with answer buttons the bot sent for a consultation: (chat, message, to whom)."""
    rows = await tx.fetchall(
        "SELECT chat_id, message_id, person_key FROM answer_prompts WHERE consultation_id = ? ORDER BY chat_id,"
        " message_id", (consultation_id,))
    return [(int(r["chat_id"]), int(r["message_id"]), str(r["person_key"])) for r in rows]


async def stood_in_for(tx: Tx, consultation_id: int, invitee_key: str) -> list[tuple[int, int, str]]:
    """The messages with answer buttons the bot sent someone else for this invitee (their
    alternate: a stand-in's prompt, an escalation): (chat, message, to whom)."""
    rows = await tx.fetchall(
        "SELECT chat_id, message_id, person_key FROM answer_prompts WHERE consultation_id = ?"
        " AND for_person_key = ? AND person_key <> for_person_key ORDER BY chat_id, message_id",
        (consultation_id, invitee_key))
    return [(int(r["chat_id"]), int(r["message_id"]), str(r["person_key"])) for r in rows]
