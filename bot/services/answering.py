"""Focal points answer: a position by button (comments: bot/services/comments.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from bot.domain.access import answers_for
from bot.domain.callbacks import parse_answer
from bot.domain.consultation import Position
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing, Policy
from bot.errors import ConsultError, NotFoundError, NotParticipantError, StaleButtonError
from bot.i18n import t
from bot.services import answering_away, followups
from bot.services.kernel import records
from bot.services.kernel.access import identify
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.seats import refresh_card
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation.errors_render import ended_error
from bot.services.presentation.formatting import local_time
from bot.services.presentation.keyboards import answered_keyboard, coordinator_keyboard
from bot.services.presentation.texts import for_kind
from bot.store.repos import consultations, people, prompts
from bot.store.repos.consultations import ConsultationRecord, Participant
from bot.store.repos.people import PersonRecord


@dataclass(frozen=True)
class Press:
    callback_id: str
    user_id: int
    data: str | None
    # The message the pressed button is on (Telegram's callback_query.message), if any.
    chat_id: int | None = None
    message_id: int | None = None


async def answer(uow: UnitOfWork, press: Press, *, confirmed: bool = False) -> None:
    """Record a button press after checking it against who pressed, which consultation, its state.
    `confirmed`: the invitee confirmed replacing his alternate's answer (bot.services.answering_away)."""
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
        raise ended_error(record.consultation, uow.ctx.zone)
    if not record.consultation.takes(parsed.position):  # a consultation's answer on a notice, or back
        raise StaleButtonError("an answer this consultation does not ask for", consultation=cid)
    principals = await _principals(uow, cid, person, press)
    if not principals:
        raise NotParticipantError("not a button the bot sent this person", consultation=cid)
    # Read before the answer is recorded over the last one: the answer already given, pressed again
    # (a double tap, a second device), is no news: nobody is told or asked again.
    seats = await _seats(uow, cid, principals)
    own = await answering_away.check(uow, record, person, principals, seats[0], parsed.position, press,
                                     confirmed=confirmed)
    if own.held:
        return
    now = uow.now
    late = record.consultation.is_late(now)
    changed = [p for p, seat in zip(principals, seats, strict=True)
               if seat is None or seat.position is not parsed.position]
    for principal in principals:
        await consultations.record_answer(uow.tx, cid, principal, parsed.position, now, late, person.key)
        await uow.event("answered", consultation_id=cid, actor=person.key,
                        data=records.answer_data(principal, parsed.position.value, late, now, person))
    language = language_for(person.person, uow.ctx.language)
    ack = t(language, for_kind(record.consultation, "answer.ack_late" if late else "answer.ack"), consultation=cid,
            position=t(language, f"position.{parsed.position.value}"))
    await uow.answer_press(press.callback_id, press.user_id, ack)
    await uow.reply(press.user_id, ack, consultation_id=cid)
    if changed:
        await _show_answer(uow, record, press, parsed.position, language)
        invitation = seats[0].invitation_message_id if seats[0] is not None else None
        if confirmed and invitation is not None and invitation != press.message_id:
            # Confirmed on the question: the invitation he first pressed shows the answer too.
            await _show_answer(uow, record, replace(press, chat_id=press.user_id, message_id=invitation),
                               parsed.position, language)
    await answering_away.tell(uow, record, person, own, parsed.position)
    if changed and parsed.position is Position.OBJECT:
        coordinator = await _coordinator_to_tell(uow, record, person)
        if coordinator is not None:
            await tell_coordinator_of_objections(uow, cid, coordinator)
        await followups.ask_reason(uow, cid, person, press.user_id)  # the report quotes what is given here
    elif changed and parsed.position is Position.MORE_TIME:
        await followups.tell_coordinator_of_more_time(uow, record, principals, person)
        await followups.ask_how_much(uow, cid, person, principals[0], press.user_id)
    await refresh_card(uow, record)


def confirmed(press: Press) -> answering_away.AnswerWith:
    """This press, answering with other data: the invitee's confirmed answer over his alternate's."""
    return lambda uow, data: answer(uow, replace(press, data=data), confirmed=True)


async def _show_answer(uow: UnitOfWork, record: ConsultationRecord, press: Press, position: Position,
                       language: str) -> None:
    """The pressed invitation (or reminder) shows the answer given, on a disabled button, with the
    other answers live below it: the buttons no longer look as if nothing had been answered. Each
    answer queues its own edit (the outbox sends a chat's calls in order), so the latest shows."""
    if press.chat_id is None or press.message_id is None or press.chat_id != press.user_id:
        return
    c = record.consultation
    at = local_time(uow.now, uow.ctx.zone).split(" ")[0]
    await uow.send(Outgoing.to(MessageKind.SPENT, (c.id, press.chat_id, press.message_id, "answered", uow.tag),
                               press.chat_id,
                               "editMessageReplyMarkup", {
                                "message_id": press.message_id,
                                "reply_markup": answered_keyboard(c.id, position, at, language, c.kind)},
                               consultation_id=c.id))


async def _seats(uow: UnitOfWork, consultation_id: int, principals: list[str]) -> list[Participant | None]:
    """Each principal's seat before this press, asked together: one wait."""
    found = await asyncio.gather(*(consultations.participant(uow.tx, consultation_id, p) for p in principals))
    return list(found)


async def _coordinator_to_tell(uow: UnitOfWork, record: ConsultationRecord,
                               by: PersonRecord) -> PersonRecord | None:
    """The coordinator to tell of an objection: None when there is none to tell, or he pressed himself."""
    coordinator = await people.person_by_key(uow.tx, record.consultation.opened_by)
    if coordinator is None or coordinator.person.telegram_user_id is None or coordinator.key == by.key:
        return None
    return coordinator


async def tell_coordinator_of_objections(uow: UnitOfWork, consultation_id: int, coordinator: PersonRecord) -> None:
    """An objection changes what the coordinator takes to the Prime Minister: he hears at once, not
    at the deadline. One notice waits at a time and is written when it leaves, naming everyone who
    objects by then: a burst of objections is one message, not a backlog at one a second."""
    chat = coordinator.person.telegram_user_id
    assert chat is not None
    language = language_for(coordinator.person, uow.ctx.language)
    await uow.send(Outgoing.to(MessageKind.OBJECTION, (consultation_id,), chat, "sendMessage",
                               {"reply_markup": coordinator_keyboard(consultation_id, language)},
                               render={"language": language}, consultation_id=consultation_id,
                               person_key=coordinator.key), Policy.COALESCE)


async def _principals(uow: UnitOfWork, consultation_id: int, person: PersonRecord, press: Press) -> list[str]:
    """Whom this press answers for: the person the pressed message was sent for — the presser, on
    their own invitation, or after escalation the invitee they stand in for (an alternate answers
    for that agency). Data the bot never sent this person, on any other message, counts for no one."""
    private = press.chat_id == press.user_id
    prompt = None
    if private and press.message_id is not None and press.chat_id is not None:
        prompt = await prompts.prompt_of(uow.tx, press.chat_id, press.message_id, consultation_id)
    principal = answers_for(person.key, prompt, in_private_chat=private)
    return [] if principal is None else [principal]


async def refuse_press(uow: UnitOfWork, press: Press, error: ConsultError, language: str) -> None:
    """A refused press still gets its callback answered, or the user's spinner never stops."""
    from bot.services.presentation.errors_render import render_error

    await uow.answer_press(press.callback_id, press.user_id, render_error(error, language), show_alert=True)


async def person_for_key(uow: UnitOfWork, key: str) -> PersonRecord | None:
    return await people.person_by_key(uow.tx, key)


__all__ = ["Incoming", "Position", "Press", "answer", "refuse_press"]
