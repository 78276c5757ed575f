"""The one question that follows a press (issue 26, item 5 and item 4).

«⏳ Cần thêm thời gian» alone tells the coordinator nothing he can act on: the invitee is asked how
much (30 minutes, an hour, two, a day) and the coordinator hears the amount with a button that
grants exactly it. «Phản đối» alone gives the report nothing to quote: the objector is asked for a
reason, optional, in one reply to that question, and that reply is what the report prints.

Both questions are checked against what the bot sent: a press counts only on the bot's own
question to that person, a reply only as a reply to it (the outbox keeps the message id Telegram
gave it). A reason is text the guard has already judged (the same gate as every comment); a
blocked one never reaches here and is never stored.
"""

from __future__ import annotations

from bot.domain.callbacks import AMOUNTS, action_data, amount_code, more_time_data, parse_more_time
from bot.domain.consultation import Position
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.domain.report import REASON_KIND
from bot.errors import NotFoundError, NotParticipantError, StaleButtonError
from bot.i18n import t
from bot.services.kernel import records, screening
from bot.services.kernel.access import identify
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation.errors_render import ended_error
from bot.services.presentation.formatting import local_time
from bot.store.repos import consultations, outbox, people
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.people import PersonRecord


def amount_label(language: str, minutes: int) -> str:
    return t(language, f"more_time.amount.{amount_code(minutes)}")


async def ask_how_much(uow: UnitOfWork, consultation_id: int, person: PersonRecord, principal: str,
                       chat: int) -> None:
    """After «⏳ Cần thêm thời gian»: the amounts, as buttons, to the presser (in `chat`, theirs)."""
    language = language_for(person.person, uow.ctx.language)
    await uow.send(Outgoing.to(MessageKind.MORE_TIME_ASK, (consultation_id, person.key, uow.tag), chat, "sendMessage", {
        "text": t(language, "more_time.ask", consultation=consultation_id),
        "reply_markup": amounts_keyboard(consultation_id, language)},
        consultation_id=consultation_id, person_key=person.key, for_person_key=principal))


def amounts_keyboard(consultation_id: int, language: str, chosen: int | None = None) -> dict[str, object]:
    """The offered amounts, two to a row; the one chosen, if any, marked «✓»."""
    buttons = [{"text": ("✓ " if minutes == chosen else "") + amount_label(language, minutes),
                "callback_data": more_time_data(consultation_id, minutes)} for minutes in AMOUNTS.values()]
    return {"inline_keyboard": [buttons[:2], buttons[2:]]}


async def how_much(uow: UnitOfWork, callback_id: str, user_id: int, data: str | None, chat_id: int | None,
                   message_id: int | None) -> None:
    """An amount chosen: recorded as an event, the coordinator told with a one-tap «Gia hạn …»."""
    parsed = parse_more_time(data)
    if parsed is None:
        raise StaleButtonError("malformed callback data")
    cid = parsed.consultation_id
    person = await identify(uow.tx, user_id)
    if chat_id != user_id or message_id is None:  # only on the question, in the presser's own chat
        raise NotParticipantError("not a question the bot asked this person", consultation=cid)
    asked = await outbox.sent_as(uow.tx, MessageKind.MORE_TIME_ASK.value, user_id, message_id)
    if asked is None or asked[0] != cid or asked[1] != person.key:
        raise NotParticipantError("not a question the bot asked this person", consultation=cid)
    principal = asked[2] or person.key
    record = await _record(uow, cid)
    if not record.consultation.accepts_answers():
        raise ended_error(record.consultation, uow.ctx.zone)
    seat = await consultations.participant(uow.tx, cid, principal)
    if seat is None or seat.position is not Position.MORE_TIME:  # answered otherwise since
        raise StaleButtonError("more time is no longer asked", consultation=cid)
    await uow.event("more_time_amount", consultation_id=cid, actor=person.key,
                    data={"principal": principal, "minutes": parsed.minutes})
    language = language_for(person.person, uow.ctx.language)
    said = t(language, "more_time.chosen", consultation=cid, amount=amount_label(language, parsed.minutes))
    await uow.answer_press(callback_id, user_id, said)
    await uow.reply(user_id, said, consultation_id=cid)
    # The question shows what was chosen (the others stay live: a change of mind is told too).
    await uow.send(Outgoing.to(MessageKind.SPENT, (cid, user_id, message_id, "amount", uow.tag), user_id,
                               "editMessageReplyMarkup", {"message_id": message_id,
                                                       "reply_markup": amounts_keyboard(cid, language, parsed.minutes)},
                               consultation_id=cid))
    await tell_coordinator_of_more_time(uow, record, [principal], person, parsed.minutes)


async def tell_coordinator_of_more_time(uow: UnitOfWork, record: ConsultationRecord, principals: list[str],
                                        by: PersonRecord, minutes: int | None = None) -> None:
    """«Cần thêm thời gian» is a request to the coordinator, not an answer to file: he hears at the
    press that the amount is being asked, then the amount with the button that grants it."""
    c = record.consultation
    coordinator = await people.person_by_key(uow.tx, c.opened_by)
    if coordinator is None or coordinator.person.telegram_user_id is None or coordinator.key == by.key:
        return
    language = language_for(coordinator.person, uow.ctx.language)
    stood_in_for = [found for key in principals if key != by.key
                    and (found := await people.person_by_key(uow.tx, key)) is not None]
    who = f"{by.person.name} ({by.agency_name})"
    if stood_in_for:  # an alternate asks for the agency of the invitee they stand in for
        who = t(language, "more_time.for", who=who, names=", ".join(p.person.name for p in stood_in_for))
    deadline = local_time(c.deadline_at, uow.ctx.zone)
    chat = coordinator.person.telegram_user_id
    if minutes is None:
        await uow.reply(chat, t(language, "more_time.coordinator", consultation=c.id, who=who, deadline=deadline),
                        consultation_id=c.id)
        return
    amount = amount_label(language, minutes)
    extend = {"text": t(language, "action.extend_by", amount=amount),
              "callback_data": action_data(c.id, "extend", minutes)}
    await uow.reply(chat, t(language, "more_time.coordinator_amount", consultation=c.id, who=who, amount=amount,
                            deadline=deadline),
                    consultation_id=c.id, reply_markup={"inline_keyboard": [[extend]]})


async def ask_reason(uow: UnitOfWork, consultation_id: int, person: PersonRecord, chat: int) -> None:
    """After «Phản đối»: one question whose reply is the reason (force_reply opens the reply)."""
    language = language_for(person.person, uow.ctx.language)
    await uow.send(Outgoing.to(MessageKind.REASON_ASK, (consultation_id, person.key, uow.tag), chat, "sendMessage", {
        "text": t(language, "objection.ask_reason", consultation=consultation_id),
        "reply_markup": {"force_reply": True,
                         "input_field_placeholder": t(language, "objection.reason_placeholder")}},
        consultation_id=consultation_id, person_key=person.key))


async def take_reason(uow: UnitOfWork, message: Incoming, person: PersonRecord,
                      screened: screening.Screened) -> bool:
    """A private reply to the bot's «Lý do phản đối» question is the reason, stored (as the guard
    allowed it, sealed like every message) for the report; False for any other message."""
    if message.chat_id != message.user_id or message.reply_to_message_id is None or screened.blocked:
        return False
    asked = await outbox.sent_as(uow.tx, MessageKind.REASON_ASK.value, message.chat_id, message.reply_to_message_id)
    if asked is None or asked[1] != person.key or screened.text is None or message.attachment is not None:
        return False  # a file is no one-line reason: it goes the way of any reply
    cid = asked[0]
    record = await _record(uow, cid)
    language = language_for(person.person, uow.ctx.language)
    if not record.consultation.accepts_answers():
        await uow.reply(message.chat_id, t(language, "objection.reason_after_close", consultation=cid))
        return True
    _, recorded = await records.store_message(
        uow, await uow.data_key(cid), consultation_id=cid, author=person, kind=REASON_KIND, source="private",
        screened=screened, telegram_chat_id=message.chat_id, telegram_message_id=message.message_id)
    await uow.event("objection_reason", consultation_id=cid, actor=person.key, data=recorded)
    await uow.reply(message.chat_id, t(language, "objection.reason_taken", consultation=cid))
    return True


async def _record(uow: UnitOfWork, cid: int) -> ConsultationRecord:
    try:
        record, data_key = await consultations.get(uow.tx, uow.ctx.keys, cid)
    except NotFoundError:
        raise StaleButtonError("an unknown consultation", consultation=cid) from None
    uow.remember_key(data_key)
    return record
