"""Opening an urgent consultation (or a notice): who is invited, the topic, the card, the invitations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.domain.commands import parse_urgent
from bot.domain.consultation import Kind
from bot.domain.deadline import is_tomorrow, parse_deadline
from bot.domain.deeplinks import consultation_payload
from bot.domain.language import language_for
from bot.domain.outbox import Dependency, MessageKind, Outgoing, Policy
from bot.domain.routing import resolve_invitees
from bot.domain.textparts import TOPIC_NAME_LIMIT, shorten
from bot.errors import ConfigError, NoInviteesError
from bot.i18n import t
from bot.services.consultations import deadlines, standins
from bot.services.kernel import records, screening
from bot.services.kernel.access import require_role
from bot.services.kernel.uow import UnitOfWork
from bot.services.people import membership
from bot.services.people.roster import deep_link
from bot.services.presentation import texts
from bot.services.presentation.formatting import local_time, time_left
from bot.services.presentation.keyboards import answer_keyboard
from bot.store.repos import consultations, people
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.people import PersonRecord


async def open_consultation(uow: UnitOfWork, opener: PersonRecord, arguments: str, reply_chat: int) -> int:
    require_role(opener, "/urgent", "coordinator")
    request = parse_urgent(arguments)
    deadline_at = parse_deadline(request.when, uow.now, uow.ctx.zone)
    scopes = uow.ctx.routing.parse_scopes(request.scopes)
    return await open_with(uow, opener, request.title, scopes, deadline_at, reply_chat)


async def invitees_for(uow: UnitOfWork, scopes: tuple[str, ...], opener: PersonRecord,
                       roster: Mapping[str, PersonRecord] | None = None) -> list[PersonRecord]:
    """Everyone the scopes call in, but not the coordinator who opens it: he consults, he is not
    consulted, even when he also holds an invited role (the national coordinator in `cross`)."""
    everyone = roster if roster is not None else {r.key: r for r in await people.list_people(uow.tx)}
    records = {key: r for key, r in everyone.items() if key != opener.key}
    invitees = resolve_invitees(uow.ctx.routing, scopes, [r.person for r in records.values()])
    if not invitees:
        raise NoInviteesError("no invitees", scopes="+".join(scopes))
    return [records[p.key] for p in invitees]


async def open_with(uow: UnitOfWork, opener: PersonRecord, title_text: str, scopes: tuple[str, ...],
                    deadline_at: datetime, reply_chat: int, kind: Kind = Kind.CONSULTATION) -> int:
    """Open a consultation from parts already read, by the one-line command or the guided form;
    or a notice (`/notify`), whose text has been judged by the guard already."""
    ctx = uow.ctx
    command = "/notify" if kind is Kind.NOTICE else "/urgent"
    require_role(opener, command, "coordinator")
    if ctx.group_chat_id is None:
        raise ConfigError("no coordination group configured")
    title = await screening.require_clean_title(uow, opener, title_text)
    roster = {r.key: r for r in await people.list_people(uow.tx)}
    invitees = await invitees_for(uow, scopes, opener, roster)
    record, data_key = await consultations.create(
        uow.tx, ctx.keys, ctx.clock, title=title, scopes=scopes, opened_by=opener.key,
        deadline_at=deadline_at, invitees=[p.key for p in invitees], kind=kind,
    )
    uow.remember_key(data_key)
    cid = record.consultation.id
    await uow.event("opened", consultation_id=cid, actor=opener.key,
                    data=records.opened_data(record, data_key, opener, invitees))
    await deadlines.plan(uow, record)
    async with uow.fresh_consultation():
        await _open_topic(uow, record)
    # The coordinator's confirmation is queued before the invitations so that it is not stuck
    # behind a fan-out of hundreds paced at Telegram's rate.
    opened = "notify.opened" if kind is Kind.NOTICE else "urgent.opened"
    language = language_for(opener.person, ctx.language)
    # A time of day already passed today (`17h` typed at 18:00) is tomorrow's: the reply says so.
    shown = local_time(deadline_at, ctx.zone) + (t(language, "deadline.tomorrow")
                                                 if is_tomorrow(deadline_at, uow.now, ctx.zone) else "")
    # Whom it went to, and how long they have: the coordinator checks the routing at a glance.
    names = ", ".join(f"{p.person.name} ({p.agency_name})" for p in invitees)
    await uow.reply(reply_chat, t(language, opened, consultation=cid, title=title, count=len(invitees),
                                  deadline=shown, invitees=names, left=time_left(deadline_at - uow.now, language)),
                    consultation_id=cid, topic_link=True)  # and a button to the topic
    async with uow.fresh_consultation():
        for invitee in invitees:
            await invite(uow, record, invitee, opener, attempt=1, roster=roster)
    return cid


async def _open_topic(uow: UnitOfWork, record: ConsultationRecord) -> None:
    ctx = uow.ctx
    cid = record.consultation.id
    group = ctx.group_chat_id
    assert group is not None
    # A topic's name holds 128 units: a long title is shortened there, visibly ("…"); the pinned
    # card below it and every message carry the title whole.
    name = shorten(t(ctx.language, texts.for_kind(record.consultation, "topic.name"), consultation=cid,
                     title=record.consultation.title), TOPIC_NAME_LIMIT)
    await uow.send(Outgoing.to(MessageKind.TOPIC, (cid,), group, "createForumTopic", {"name": name},
                               consultation_id=cid))
    # The card is rendered when it leaves (bot/services/sending/delivery.py), in the topic once it exists.
    await uow.send(Outgoing.to(MessageKind.CARD, (cid,), group, "sendMessage", {}, consultation_id=cid,
                               depends_on=Dependency.TOPIC))
    await uow.send(Outgoing.to(MessageKind.PIN, (cid,), group, "pinChatMessage",
                               {"disable_notification": True}, consultation_id=cid,
                               depends_on=Dependency.CARD))


async def invite(
    uow: UnitOfWork, record: ConsultationRecord, invitee: PersonRecord, opener: PersonRecord | None,
    attempt: int | str, *, roster: Mapping[str, PersonRecord] | None = None, to_self: bool = False,
) -> None:
    """Queue the private invitation, or say in the topic why it cannot be delivered. While the
    invitee is away it goes to their alternate, or the coordinator hears at once that nobody
    stands in (`standins`). `attempt` names this delivery (1 at opening); `to_self` delivers to
    the invitee whatever their absence (they said they are back)."""
    ctx = uow.ctx
    cid = record.consultation.id
    coordinator = opener or await people.person_by_key(uow.tx, record.consultation.opened_by)
    signed = f"{coordinator.person.name} ({coordinator.agency_name})" if coordinator else ""

    def body(language: str) -> str:
        return texts.invitation(record, signed, ctx.routing, language, ctx.zone)

    recipient = await standins.recipient(uow, invitee, roster)
    stand_in = None if to_self else recipient.stand_in
    if stand_in is not None:
        if await standins.prompt(uow, record, invitee, stand_in, body, f"invite{attempt}"):
            await consultations.set_invited_via(uow.tx, cid, invitee.key, stand_in.key)
            await uow.event("invited", consultation_id=cid, actor=invitee.key,
                            data={"attempt": attempt, **standins.stand_in_data(recipient)})
        return
    user_id = invitee.person.telegram_user_id
    unenrolled = None
    if recipient.uncovered and not to_self:
        unenrolled = await standins.tell_uncovered(uow, record, invitee, opener)
    if user_id is None:
        await consultations.set_reachable(uow.tx, cid, invitee.key, False)
        await mention_unreachable(uow, record, invitee, enrolled=False)
        await uow.event("unreachable", consultation_id=cid, actor=invitee.key, data={"reason": "not_enrolled"})
        return
    language = language_for(invitee.person, ctx.language)
    queued = await uow.send(Outgoing.to(
        MessageKind.INVITE, (cid, invitee.key, attempt), user_id, "sendMessage",
        {"text": body(language),
         "reply_markup": answer_keyboard(cid, language, record.consultation.kind)}, consultation_id=cid,
        person_key=invitee.key, attempt=attempt if isinstance(attempt, int) else None), Policy.IF_NEW)
    if queued:
        if to_self:
            await consultations.set_invited_via(uow.tx, cid, invitee.key, None)
        await uow.event("invited", consultation_id=cid, actor=invitee.key,
                        data={"attempt": attempt,
                              **({} if to_self else standins.stand_in_data(recipient, unenrolled))})
    group = record.chat_id or ctx.group_chat_id
    if queued and attempt == 1 and group is not None:
        await membership.check_member(uow, cid, invitee.key, user_id, group)


async def mention_unreachable(
    uow: UnitOfWork, record: ConsultationRecord, invitee: PersonRecord, enrolled: bool
) -> None:
    ctx = uow.ctx
    cid = record.consultation.id
    group = record.chat_id or ctx.group_chat_id
    if group is None:
        return
    if enrolled:
        text = t(ctx.language, "topic.unreachable", name=invitee.person.name, agency=invitee.agency_name,
                 link=deep_link(ctx.bot_username, consultation_payload(cid)))
    else:
        text = t(ctx.language, "topic.not_enrolled", name=invitee.person.name, agency=invitee.agency_name)
    await uow.send(Outgoing.to(MessageKind.UNREACHABLE, (cid, invitee.key), group, "sendMessage",
                               {"text": text}, consultation_id=cid, person_key=invitee.key,
                               depends_on=Dependency.TOPIC))
