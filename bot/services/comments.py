"""Comments: what someone writes about a consultation, by reply in private or in its topic.

Every text a person writes enters here. In private it may first be something else, taken by the use
case it belongs to: the reason of a report of a false positive (the officer's desk), the title a
waiting /urgent form asked for, or the reason for an objection (bot/services/followups.py). What
is left is a comment: stored as the guard allows it, relayed into the topic, refused honestly
once the consultation has ended."""

from __future__ import annotations

from bot.domain.language import language_for
from bot.domain.relay import Route, route
from bot.i18n import t
from bot.services import followups
from bot.services.consultations import urgent_form
from bot.services.guarding import blocking
from bot.services.kernel import records, screening
from bot.services.kernel.access import identify
from bot.services.kernel.incoming import Incoming, consultation_of
from bot.services.kernel.seats import load
from bot.services.kernel.uow import UnitOfWork
from bot.services.officer import reports
from bot.services.presentation.formatting import local_time
from bot.store.repos import people
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.people import PersonRecord


async def text(uow: UnitOfWork, message: Incoming, screened: screening.Screened | None = None) -> None:
    """A text someone wrote. `screened`: the gate's verdict on the message, when it reached one."""
    if screened is not None and await reports.take_reason(uow, message, screened):
        return  # the reason of a report of a false positive (#29), told to the officers
    if await urgent_form.take_typed(uow, message):
        return
    await comment(uow, message, screened)


async def comment(uow: UnitOfWork, message: Incoming, screened: screening.Screened | None = None) -> None:
    """Store a comment (as the guard allows it) and, from private chat, post it into the topic.

    `screened` is the verdict the gate reached before routing; without it (no bot running) the
    message is judged here, and a blocked one goes the way the gate sends it."""
    if screened is None:
        screened = screening.screen_message(uow, message)
    if screened.blocked:  # Route.BLOCK, decided before the sender is looked up (they may not be enrolled)
        await blocking.record(uow, message, screened)
        return
    person = await identify(uow.tx, message.user_id)
    if await followups.take_reason(uow, message, person, screened):
        return  # the reply to «Lý do phản đối»: the objection's reason, not a comment for the topic
    cid = await consultation_of(uow, message, person)
    private = message.chat_id == message.user_id
    where = route(screened.action, private=private, in_consultation=cid is not None)
    if where is Route.NO_CONSULTATION:
        language = language_for(person.person, uow.ctx.language)
        await uow.reply(message.chat_id, t(language, "comment.no_consultation"))
    elif where is Route.REMOVE_REDACTED:
        await blocking.redacted_outside_consultation(uow, message, person)
    if where is not Route.COMMENT or cid is None:
        return
    record, _ = await load(uow, cid)
    if not record.consultation.accepts_answers():
        await _refuse_late_comment(uow, message, person, record)
        return
    data_key = await uow.data_key(cid)
    source = "private" if private else "topic"
    _, recorded = await records.store_message(
        uow, data_key, consultation_id=cid, author=person, kind="edit" if message.edited else "comment",
        source=source, screened=screened, telegram_chat_id=message.chat_id, telegram_message_id=message.message_id)
    await uow.event("commented", consultation_id=cid, actor=person.key, data=recorded)
    await screening.relay(uow, record, person, message, screened)


async def _refuse_late_comment(uow: UnitOfWork, message: Incoming, person: PersonRecord,
                               record: ConsultationRecord) -> None:
    """A comment on a consultation that has ended reaches no topic (Telegram refuses posts in a
    closed topic) and so is neither stored nor reported: its sender is told so, when it ended, and
    whom to reach instead, rather than thanked for a delivery that never happened."""
    consultation = record.consultation
    language = language_for(person.person, uow.ctx.language)
    coordinator = await people.person_by_key(uow.tx, consultation.opened_by)
    ended = local_time(consultation.closed_at, uow.ctx.zone) if consultation.closed_at else "?"
    await uow.event("comment_refused", consultation_id=consultation.id, actor=person.key,
                    data={"reason": "closed"})
    await uow.reply(message.chat_id, t(language, "comment.after_close", consultation=consultation.id,
                                       ended=ended, coordinator=coordinator.person.name if coordinator else "?"))
