"""Focal points answer: a position by button, comments by reply or in the topic."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.domain.consultation import Position
from bot.errors import ConsultError, NotAuthorisedError, NotFoundError
from bot.i18n import t
from bot.services import screening
from bot.services.access import identify
from bot.services.seats import load, refresh_card
from bot.services.uow import UnitOfWork
from bot.store.repos import consultations, people
from bot.store.repos.people import PersonRecord
from bot.telegram.keyboards import parse_answer


class StaleButtonError(ConsultError):
    message_key = "error.stale_button"


class NotParticipantError(NotAuthorisedError):
    message_key = "error.not_participant"


class ConsultationClosedError(ConsultError):
    message_key = "error.closed"


@dataclass(frozen=True)
class Press:
    callback_id: str
    user_id: int
    data: str | None


async def answer(uow: UnitOfWork, press: Press) -> None:
    """Record a button press after checking it against who pressed, which consultation, its state."""
    parsed = parse_answer(press.data)
    if parsed is None:
        raise StaleButtonError("malformed callback data")
    cid = parsed.consultation_id
    # Who pressed and in which consultation are asked together: two statements, one wait.
    who, found = await asyncio.gather(identify(uow.tx, press.user_id), consultations.get(uow.tx, uow.ctx.keys, cid),
                                      return_exceptions=True)
    if isinstance(who, BaseException):
        raise who
    if isinstance(found, NotFoundError):
        raise StaleButtonError("callback for an unknown consultation", consultation=cid) from None
    if isinstance(found, BaseException):
        raise found
    person, (record, data_key) = who, found
    uow.remember_key(data_key)
    if not record.consultation.accepts_answers():
        raise ConsultationClosedError("closed", consultation=cid)
    principals = await _principals(uow, cid, person)
    if not principals:
        raise NotParticipantError("not invited", consultation=cid)
    late = record.consultation.is_late(uow.now)
    for principal in principals:
        await consultations.record_answer(uow.tx, cid, principal, parsed.position, uow.now, late, person.key)
        await uow.event("answered", consultation_id=cid, actor=person.key, data={
            "for": principal, "position": parsed.position.value, "late": late,
        })
    language = person.person.language or uow.ctx.language
    ack = t(language, "answer.ack_late" if late else "answer.ack", consultation=cid,
            position=t(language, f"position.{parsed.position.value}"))
    await uow.answer_press(press.callback_id, press.user_id, ack)
    await uow.reply(press.user_id, ack, consultation_id=cid)
    await refresh_card(uow, record)


async def _principals(uow: UnitOfWork, consultation_id: int, person: PersonRecord) -> list[str]:
    """Whom this person answers for: themselves if invited, else those they are the alternate of
    (an alternate answers for the agency of the person they stand in for)."""
    if await consultations.participant(uow.tx, consultation_id, person.key) is not None:
        return [person.key]
    rows = await uow.tx.fetchall(
        "SELECT s.person_key FROM participants s JOIN people p ON p.key = s.person_key"
        " WHERE s.consultation_id = ? AND p.alternate_key = ? ORDER BY s.rowid", (consultation_id, person.key))
    return [str(r["person_key"]) for r in rows]


async def refuse_press(uow: UnitOfWork, press: Press, error: ConsultError, language: str) -> None:
    """A refused press still gets its callback answered, or the user's spinner never stops."""
    from bot.services.errors_render import render_error

    await uow.answer_press(press.callback_id, press.user_id, render_error(error, language)[:200], show_alert=True)


@dataclass(frozen=True)
class Attachment:
    file_name: str
    content: bytes
    mime_type: str | None
    file_id: str
    photo: bool = False  # a Telegram photo (relayed with sendPhoto), not a document
    verdict: Any = None  # the guard's verdict, when it was reached before the unit of work (off the loop)


@dataclass(frozen=True)
class Incoming:
    """A message from a person (text, caption, document; new, edited or forwarded), in their private
    chat or in a topic of the group."""

    user_id: int
    chat_id: int
    message_id: int
    text: str
    thread_id: int | None = None
    reply_to_message_id: int | None = None
    attachment: Attachment | None = None
    edited: bool = False


async def consultation_of(uow: UnitOfWork, message: Incoming, person: PersonRecord) -> int | None:
    if message.chat_id == message.user_id:
        if message.reply_to_message_id is None:
            return None
        value = await uow.tx.fetchval(
            "SELECT consultation_id FROM participants WHERE invitation_message_id = ? AND"
            " (person_key = ? OR person_key IN (SELECT key FROM people WHERE alternate_key = ?))",
            (message.reply_to_message_id, person.key, person.key),
        )
        return None if value is None else int(value)
    if message.thread_id is None:
        return None
    return await consultations.by_thread(uow.tx, message.chat_id, message.thread_id)


async def comment(uow: UnitOfWork, message: Incoming) -> None:
    """Store a comment (as the guard allows it) and, from private chat, post it into the topic."""
    person = await identify(uow.tx, message.user_id)
    cid = await consultation_of(uow, message, person)
    private = message.chat_id == message.user_id
    if cid is None:
        if private:
            await uow.reply(message.chat_id, t(person.person.language or uow.ctx.language, "comment.no_consultation"))
        return
    record, _ = await load(uow, cid)
    data_key = await uow.data_key(cid)
    screened = screening.screen_message(uow, message)
    source = "private" if private else "topic"
    message_id = await consultations.add_message(
        uow.tx, data_key, consultation_id=cid, person_key=person.key, at=uow.now,
        kind="edit" if message.edited else "comment", source=source,
        text=screened.text, guard_action=screened.action, guard_level=screened.level,
        content_hmac=screened.content_hmac, telegram_chat_id=message.chat_id,
        telegram_message_id=message.message_id,
    )
    await uow.event("commented", consultation_id=cid, actor=person.key, data={
        "message_id": message_id, "source": source, "guard": screened.action, "level": screened.level,
        "content_hmac": screened.content_hmac,
    })
    if screened.blocked:
        await screening.record_block(uow, person, screened, source, cid)
    await screening.relay(uow, record, person, message, screened)


async def person_for_key(uow: UnitOfWork, key: str) -> PersonRecord | None:
    return await people.person_by_key(uow.tx, key)


__all__ = ["Incoming", "Position", "Press", "answer", "comment", "refuse_press"]
