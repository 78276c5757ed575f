"""What a coordinator does with an open consultation: status, extend, remind, close, cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.clock import to_iso
from bot.domain.access import may_see
from bot.domain.commands import first_word, parse_close, parse_extend, parse_id
from bot.domain.consultation import State
from bot.domain.deadline import parse_deadline
from bot.domain.language import language_for
from bot.domain.outbox import Dependency, MessageKind, Outgoing, Policy
from bot.errors import InvalidTransitionError, NotParticipantError
from bot.i18n import t
from bot.services.consultations import deadlines, opening, standins
from bot.services.kernel import records, screening
from bot.services.kernel.access import require_role
from bot.services.kernel.seats import Seat, load, refresh_card
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation import texts
from bot.services.presentation.formatting import local_time, time_left
from bot.services.presentation.keyboards import answer_keyboard, answered_keyboard, spent_keyboard
from bot.services.presentation.texts import for_kind
from bot.services.reports.checkpointing import checkpoint_later
from bot.store.repos import consultations, people, prompts
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.people import PersonRecord

PersonCommand = Callable[[UnitOfWork, PersonRecord, str, int], Awaitable[None]]


async def status(uow: UnitOfWork, person: PersonRecord, arguments: str, chat_id: int) -> None:
    language = language_for(person.person, uow.ctx.language)
    if arguments.strip():
        cid = parse_id(first_word(arguments), "status")
        record, seats = await load(uow, cid)
        _require_can_see(person, record, seats)
        await uow.reply(chat_id, texts.status_card(record, seats, uow.now, language, uow.ctx.zone, full=True),
                        consultation_id=cid)
        return
    lines = []
    for cid in await consultations.ids_in_state(uow.tx, State.OPEN):
        record, seats = await load(uow, cid)
        if not _can_see(person, record, seats):
            continue
        answered = sum(1 for s in seats if s.participant.position is not None)
        lines.append(t(language, for_kind(record.consultation, "status.line"), consultation=cid,
                       title=record.consultation.title,
                       deadline=local_time(record.consultation.deadline_at, uow.ctx.zone),
                       answered=answered, total=len(seats)))
    await uow.reply(chat_id, "\n".join(lines) or t(language, "status.none"))


def _can_see(person: PersonRecord, record: ConsultationRecord, seats: list[Seat]) -> bool:
    return may_see(person.person, (s.record.person for s in seats))


def _require_can_see(person: PersonRecord, record: ConsultationRecord, seats: list[Seat]) -> None:
    if not _can_see(person, record, seats):
        raise NotParticipantError("not a participant", consultation=record.consultation.id)


async def extend(uow: UnitOfWork, person: PersonRecord, arguments: str, chat_id: int) -> None:
    require_role(person, "/extend", "coordinator")
    cid, when = parse_extend(arguments)
    record, seats = await load(uow, cid)
    current = record.consultation
    base = max(current.deadline_at, uow.now)
    new_deadline = parse_deadline(when, base, uow.ctx.zone)
    extended = current.extend(new_deadline, uow.now)
    await consultations.save_state(uow.tx, extended)
    await uow.event("extended", consultation_id=cid, actor=person.key,
                    data={"deadline_at": to_iso(new_deadline)})
    for seat in seats:
        user_id = seat.record.person.telegram_user_id
        if user_id is None:
            continue
        language = language_for(seat.record.person, uow.ctx.language)
        await uow.send(Outgoing.to(MessageKind.EXTEND, (cid, seat.record.key, to_iso(new_deadline)), user_id,
                                   "sendMessage", {
            "text": t(language, "extend.notice", consultation=cid, deadline=local_time(new_deadline, uow.ctx.zone)),
        }, consultation_id=cid, person_key=seat.record.key))
    updated = ConsultationRecord(extended, record.description, record.chat_id, record.thread_id,
                                 record.status_message_id, record.outcome)
    await _redraw_invitations(uow, updated, seats)
    await deadlines.plan(uow, updated)
    await refresh_card(uow, updated)
    await uow.reply(chat_id, t(language_for(person.person, uow.ctx.language), "extend.done", consultation=cid,
                               deadline=local_time(new_deadline, uow.ctx.zone)), consultation_id=cid)


async def _redraw_invitations(uow: UnitOfWork, record: ConsultationRecord, seats: list[Seat]) -> None:
    """Each invitation an invitee received shows the deadline in force, not the one it was sent
    with: redrawn with its buttons as they stand (an answer given shows it)."""
    c = record.consultation
    opener = await people.person_by_key(uow.tx, c.opened_by)
    signed = f"{opener.person.name} ({opener.agency_name})" if opener else ""
    for seat in seats:
        user_id, message_id = seat.record.person.telegram_user_id, seat.participant.invitation_message_id
        if user_id is None or message_id is None:
            continue
        language = language_for(seat.record.person, uow.ctx.language)
        position = seat.participant.position
        buttons = answer_keyboard(c.id, language, c.kind) if position is None else answered_keyboard(
            c.id, position, local_time(seat.participant.responded_at or uow.now, uow.ctx.zone).split(" ")[0],
            language, c.kind)
        await uow.send(Outgoing.to(MessageKind.INVITE_EDIT, (c.id, seat.record.key, to_iso(c.deadline_at)), user_id,
                                   "editMessageText", {
            "message_id": message_id,
            "text": texts.invitation(record, signed, uow.ctx.routing, language, uow.ctx.zone),
            "reply_markup": buttons}, consultation_id=c.id, person_key=seat.record.key))


async def remind_pending(uow: UnitOfWork, record: ConsultationRecord, seats: list[Seat], tag: str,
                         tone: str = "gentle") -> int:
    """Remind everyone who has no position yet; `tag` makes each round's messages distinct."""
    nudged, _ = await remind_whom(uow, record, seats, tag, tone)
    return len(nudged)


async def remind_whom(uow: UnitOfWork, record: ConsultationRecord, seats: list[Seat], tag: str,
                      tone: str = "gentle") -> tuple[list[str], list[str]]:
    """Remind everyone who has no position yet: the names of those reminded (an alternate as
    standing in for the invitee) and of those the bot cannot reach (never started it), so that
    the coordinator knows whom to call (issue 26, item 5)."""
    nudged: list[str] = []
    unreachable: list[str] = []
    for seat in seats:
        if seat.participant.position is not None:
            continue
        sent, name = await _remind(uow, record, seat, tag, tone)
        if sent:
            nudged.append(name)
        elif name:
            unreachable.append(name)
    return nudged, unreachable


async def _remind(uow: UnitOfWork, record: ConsultationRecord, seat: Seat, tag: str,
                  tone: str) -> tuple[bool, str]:
    """One reminder: to the invitee, or while they are away to their alternate, with the answer
    buttons; an invitee back from an absence whose invitation went to a stand-in gets their own.
    Whether it went, and the name to tell the coordinator ("" when it was sent before)."""
    c = record.consultation

    def body(language: str) -> str:
        return t(language, for_kind(c, f"remind.{tone}"), consultation=c.id, title=c.title,
                 left=time_left(c.deadline_at - uow.now, language), deadline=local_time(c.deadline_at, uow.ctx.zone))

    invitee = seat.record
    known = {seat.alternate.key: seat.alternate} if seat.alternate is not None else None
    recipient = await standins.recipient(uow, invitee, known)
    if recipient.stand_in is not None:
        sent = await standins.prompt(uow, record, invitee, recipient.stand_in, body, tag)
        return sent, f"{recipient.stand_in.person.name} → {invitee.person.name}" if sent else ""
    user_id = invitee.person.telegram_user_id
    if user_id is None:
        return False, invitee.person.name
    if seat.participant.invited_via is not None and not recipient.receiver.away:
        await opening.invite(uow, record, invitee, None, attempt=tag, to_self=True)
        return True, invitee.person.name
    language = language_for(invitee.person, uow.ctx.language)
    # With the answer buttons (issue 26, item 5): the reminder is where the invitee is now, and
    # scrolling up to the invitation on a phone is how an answer gets put off again.
    sent = await uow.send(Outgoing.to(MessageKind.REMIND, (c.id, invitee.key, tag), user_id, "sendMessage",
                                      {"text": body(language),
                                    "reply_markup": answer_keyboard(c.id, language, c.kind)}, consultation_id=c.id,
                                      person_key=invitee.key), Policy.IF_NEW)
    return sent, invitee.person.name if sent else ""


async def remind(uow: UnitOfWork, person: PersonRecord, arguments: str, chat_id: int) -> None:
    require_role(person, "/remind", "coordinator")
    cid = parse_id(first_word(arguments), "remind")
    record, seats = await load(uow, cid)
    if not record.consultation.accepts_answers():
        raise InvalidTransitionError("not open", consultation=cid, state=record.consultation.state.value)
    event = await uow.event("reminded", consultation_id=cid, actor=person.key, data={"manual": True})
    nudged, unreachable = await remind_whom(uow, record, seats, f"manual{event.seq}")
    language = language_for(person.person, uow.ctx.language)
    lines = [t(language, for_kind(record.consultation, "remind.done"), consultation=cid, count=len(nudged))]
    if nudged:  # whom it nudged, so that the coordinator knows whom not to call as well
        lines.append(t(language, "remind.whom", names=", ".join(nudged)))
    if unreachable:
        lines.append(t(language, "remind.unreachable", names=", ".join(unreachable)))
    await uow.reply(chat_id, "\n".join(lines), consultation_id=cid)


async def close(uow: UnitOfWork, person: PersonRecord, arguments: str, chat_id: int) -> None:
    require_role(person, "/close", "coordinator")
    cid, summary = parse_close(arguments)
    await _end(uow, person, cid, chat_id, summary=summary, cancel=False)


async def cancel(uow: UnitOfWork, person: PersonRecord, arguments: str, chat_id: int) -> None:
    require_role(person, "/cancel", "coordinator")
    cid = parse_id(first_word(arguments), "cancel")
    await _end(uow, person, cid, chat_id, summary=None, cancel=True)


async def close_by_schedule(uow: UnitOfWork, record: ConsultationRecord) -> None:
    """The policy's auto-close: closed as if by the coordinator who opened it, logged as the scheduler."""
    opener = await people.person_by_key(uow.tx, record.consultation.opened_by)
    assert opener is not None and opener.person.telegram_user_id is not None
    await _end(uow, opener, record.consultation.id, opener.person.telegram_user_id, summary=None, cancel=False,
               actor="scheduler")


async def _end(uow: UnitOfWork, person: PersonRecord, cid: int, chat_id: int, summary: str | None,
               cancel: bool, actor: str | None = None) -> None:
    record, seats = await load(uow, cid)
    now = uow.now
    ended = record.consultation.cancel(now) if cancel else record.consultation.close(now)
    await consultations.save_state(uow.tx, ended)
    data_key = await uow.data_key(cid)
    ctx = uow.ctx
    language = language_for(person.person, ctx.language)
    if summary:
        screened = screening.screen_text(uow, summary)
        _, recorded = await records.store_message(uow, data_key, consultation_id=cid, author=person, kind="summary",
                                                  source="command", screened=screened)
        await uow.event("summarised", consultation_id=cid, actor=actor or person.key, data=recorded)
        if screened.blocked:
            await screening.record_block(uow, person, screened, "summary", cid)
        summary = screened.text
    ended_record = ConsultationRecord(ended, record.description, record.chat_id, record.thread_id,
                                      record.status_message_id, record.outcome)
    group = record.chat_id or ctx.group_chat_id
    uow.after_commit.append(lambda: checkpoint_later(ctx))  # every closing and cancelling publishes one
    if cancel:
        await uow.event("cancelled", consultation_id=cid, actor=actor or person.key,
                        data=records.ended_data(ended.closed_at, data_key))
        reply = t(language, "cancel.done", consultation=cid)
    else:
        tally = texts.tally_comments([
            (m, await _author(uow, m.person_key))
            for m in await consultations.messages(uow.tx, data_key, cid) if m.kind == "comment"
        ], lambda text: screening.nothing_left(ctx, text))
        report = texts.outcome_report(ended_record, seats, tally, summary, ctx.language, ctx.zone)
        full = report.text()
        await consultations.save_outcome(uow.tx, data_key, cid, full)
        await uow.event("closed", consultation_id=cid, actor=actor or person.key, data=records.ended_data(
            ended.closed_at, data_key, full,
            answered=sum(1 for s in seats if s.participant.position is not None), invited=len(seats)))
        if group is not None:
            for index, part in enumerate(report.parts(), start=1):
                await uow.send(Outgoing.to(MessageKind.REPORT, (cid,) if index == 1 else (cid, index), group,
                                           "sendMessage", {"text": part}, consultation_id=cid,
                                           depends_on=Dependency.TOPIC))
        # The coordinator was identified by their Telegram id, which is also their private chat.
        private_chat = person.person.telegram_user_id
        assert private_chat is not None
        personal = texts.outcome_report(ended_record, seats, tally, summary, language, ctx.zone)
        for index, part in enumerate(personal.parts(), start=1):
            await uow.send(Outgoing.to(MessageKind.REPORT_COORDINATOR, (cid,) if index == 1 else (cid, index),
                                       private_chat, "sendMessage", {"text": part},
                                       consultation_id=cid, person_key=person.key))
        reply = t(language, "close.done", consultation=cid)
    await _tell_invitees(uow, ended_record, seats, cancel)
    await _spend_buttons(uow, ended_record)
    await deadlines.drop(uow, ended_record)
    await refresh_card(uow, ended_record)
    if group is not None:
        await uow.send(Outgoing.to(MessageKind.TOPIC_CLOSE, (cid,), group, "closeForumTopic", {},
                                   consultation_id=cid, depends_on=Dependency.TOPIC))
    if cancel or chat_id != person.person.telegram_user_id:  # a private /close already got the report
        await uow.reply(chat_id, reply, consultation_id=cid)


async def _tell_invitees(uow: UnitOfWork, record: ConsultationRecord, seats: list[Seat], cancel: bool) -> None:
    """Everyone invited hears privately that it ended, with the answer recorded for them; so does
    an alternate who answered for one of them."""
    c = record.consultation
    told: set[str] = set()
    for seat in seats:
        for who in (seat.record, seat.responder):
            if who is None or who.key in told or who.person.telegram_user_id is None:
                continue
            told.add(who.key)
            language = language_for(who.person, uow.ctx.language)
            if cancel:
                text = t(language, "cancel.notice", consultation=c.id, title=c.title)
            else:
                answer = texts.answer_line(seat, language) if seat.participant.position is not None else \
                    t(language, "close.notice_unanswered")
                text = t(language, "close.notice", consultation=c.id, title=c.title, answer=answer)
            user_id = who.person.telegram_user_id
            notice = MessageKind.CANCEL_NOTICE if cancel else MessageKind.CLOSE_NOTICE
            await uow.send(Outgoing.to(notice, (c.id, who.key), user_id, "sendMessage", {"text": text},
                                       consultation_id=c.id, person_key=who.key))


async def _spend_buttons(uow: UnitOfWork, record: ConsultationRecord) -> None:
    """Every message with answer buttons for this consultation (invitations, escalations,
    stand-ins' prompts) gets its buttons drawn spent, in its reader's language."""
    c = record.consultation
    for chat_id, message_id, person_key in await prompts.of_consultation(uow.tx, c.id):
        reader = await people.person_by_key(uow.tx, person_key)
        language = language_for(reader.person, uow.ctx.language) if reader is not None else uow.ctx.language
        await uow.send(Outgoing.to(MessageKind.SPENT, (c.id, chat_id, message_id), chat_id, "editMessageReplyMarkup",
                                   {"message_id": message_id,
                                 "reply_markup": spent_keyboard(language, c.kind)},
                                   consultation_id=c.id, person_key=person_key))


async def _author(uow: UnitOfWork, person_key: str | None) -> str:
    if person_key is None:
        return "—"
    record = await people.person_by_key(uow.tx, person_key)
    return f"{record.person.name} ({record.agency_name})" if record else person_key
