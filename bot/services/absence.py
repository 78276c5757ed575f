"""`/away <until> [note]`, `/away off` and `consult roster away PERSON --until DATE|off`.

An absence is stored as the moment it ends (`people.away_until`) and compared with the clock
wherever it matters (who receives an invitation or a reminder, what the card shows): it ends by
itself, with no job to run and nothing to forget after a restart. Setting one takes effect at
once for consultations already open: their pending invitation goes to the alternate now, or the
coordinator hears that nobody stands in. Coming back (`/away off`) brings the person their own
invitation for whatever went to a stand-in meanwhile; an absence that simply ran out does the
same at the next reminder (`managing._remind`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.clock import to_iso
from bot.domain.absence import is_away, parse_away, parse_until
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.domain.roster import BUILTIN_ROLES
from bot.errors import ClassifiedContentError, NotFocalPointError, NotFoundError
from bot.i18n import t
from bot.services.consultations import opening, standins
from bot.services.kernel import screening
from bot.services.kernel.seats import Recipient, load, refresh_card
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation import texts
from bot.services.presentation.formatting import until_text
from bot.store.repos import consultations, people
from bot.store.repos.people import PersonRecord


@dataclass(frozen=True)
class AwayOutcome:
    """What an absence changed: until when (None: back), who stands in, and how many open
    consultations were handed to the stand-in or reported to their coordinator."""

    person: PersonRecord
    until: datetime | None
    alternate: PersonRecord | None = None
    handed_over: int = 0
    previous: datetime | None = None  # the end of the absence before this change
    was_away: bool = False  # whether that absence was still running
    # The roster's alternate when they cannot stand in because they never enrolled: named, not
    # «chưa có người thay» (issue 26, item 6), so the agency knows whom to have enrol.
    unenrolled_alternate: PersonRecord | None = None

    @property
    def covered(self) -> bool:
        return self.alternate is not None


async def command(uow: UnitOfWork, person: PersonRecord, arguments: str, chat_id: int) -> None:
    """`/away …` from a focal point, answered in their language."""
    await _require_focal_point(uow, person)
    request = parse_away(arguments, uow.now, uow.ctx.zone)
    if request.until is None:
        outcome = await come_back(uow, person, by=person.key)
    else:
        outcome = await set_away(uow, person, request.until, request.note, by=person.key)
    await uow.reply(chat_id, outcome_text(uow, outcome, language_for(person.person, uow.ctx.language)))


async def by_administrator(uow: UnitOfWork, person_key: str, until: str, note: str = "") -> AwayOutcome:
    """`consult roster away PERSON --until DATE|off`: the same, recorded as done from the command
    line, and the person told privately when they can be."""
    person = await people.person_by_key(uow.tx, person_key)
    if person is None or not person.active:
        raise NotFoundError(f"no active person {person_key!r} in the roster; see `consult roster list`")
    if until.strip().lower() in ("off", "tắt"):
        outcome = await come_back(uow, person, by="cli")
    else:
        outcome = await set_away(uow, person, parse_until(until, uow.now, uow.ctx.zone), note, by="cli")
    chat = person.person.telegram_user_id
    if chat is not None:
        language = language_for(person.person, uow.ctx.language)
        await uow.send(Outgoing.to(MessageKind.AWAY_TOLD, (person.key, uow.tag), chat, "sendMessage",
                                   {"text": outcome_text(uow, outcome, language)}, person_key=person.key))
    return outcome


async def set_away(uow: UnitOfWork, person: PersonRecord, until: datetime, note: str, by: str) -> AwayOutcome:
    screened = screening.screen_text(uow, note) if note else None
    if screened is not None and screened.blocked:
        raise ClassifiedContentError("classified note", rule=screened.rule, level=screened.level,
                                     content_hmac=screened.content_hmac)
    stored_note = screened.text or "" if screened is not None else ""
    await people.set_away(uow.tx, await uow.data_key(0), person.key, until, stored_note)
    away = replace(person, away_until=until)
    recipient = await standins.recipient(uow, away)
    stand_in = recipient.stand_in
    event = await uow.event("away_set", actor=by, data={
        "person": person.key, "until": to_iso(until), "stand_in": stand_in.key if stand_in else None,
        "note": None if screened is None else {"guard": screened.action, "content_hmac": screened.content_hmac}})
    handed = await _hand_over(uow, away, recipient, f"away{event.seq}")
    unenrolled = await standins.unenrolled_alternate(uow, away) if recipient.stand_in is None else None
    return AwayOutcome(away, until, recipient.stand_in, handed, unenrolled_alternate=unenrolled)


async def come_back(uow: UnitOfWork, person: PersonRecord, by: str) -> AwayOutcome:
    was_away = person.away_until is not None and is_away(person.away_until, uow.now)
    if person.away_until is None:
        return AwayOutcome(person, None)
    await people.clear_away(uow.tx, person.key)
    back = replace(person, away_until=None)
    event = await uow.event("away_ended", actor=by, data={"person": person.key, "early": was_away})
    delivered = 0
    for cid in await consultations.invited_via_others(uow.tx, person.key):
        record, _ = await load(uow, cid)
        await opening.invite(uow, record, back, None, attempt=f"back{event.seq}", to_self=True)
        await refresh_card(uow, record)
        delivered += 1
    for cid in await consultations.open_pending_of(uow.tx, person.key):
        record, _ = await load(uow, cid)
        await refresh_card(uow, record)  # the card no longer says «vắng»
    return AwayOutcome(back, None, handed_over=delivered, previous=person.away_until, was_away=was_away)


async def _hand_over(uow: UnitOfWork, person: PersonRecord, recipient: Recipient, tag: str) -> int:
    """Consultations open now in which the person has not answered: to their stand-in at once, or
    reported to the coordinator when nobody stands in. Their cards show the absence."""
    count = 0
    for cid in await consultations.open_pending_of(uow.tx, person.key):
        record, _ = await load(uow, cid)
        coordinator = await people.person_by_key(uow.tx, record.consultation.opened_by)
        if recipient.stand_in is not None:
            body = _invitation_body(uow, record, coordinator)
            if await standins.prompt(uow, record, person, recipient.stand_in, body, tag):
                await uow.event("handed_over", consultation_id=cid, actor=person.key,
                                data=standins.stand_in_data(recipient))
                count += 1
        elif recipient.uncovered:
            await standins.tell_uncovered(uow, record, person, coordinator)
            count += 1
        await refresh_card(uow, record)
    return count


def _invitation_body(uow: UnitOfWork, record: consultations.ConsultationRecord,
                     coordinator: PersonRecord | None) -> standins.Body:
    signed = f"{coordinator.person.name} ({coordinator.agency_name})" if coordinator else ""
    return lambda language: texts.invitation(record, signed, uow.ctx.routing, language, uow.ctx.zone)


def outcome_text(uow: UnitOfWork, outcome: AwayOutcome, language: str) -> str:
    if outcome.until is None:
        if outcome.previous is None:
            return t(language, "away.not_away")
        return t(language, "away.off" if outcome.was_away else "away.ended")
    until = until_text(outcome.until, uow.ctx.zone, language)
    if outcome.alternate is not None:
        return t(language, "away.set", until=until, alternate=f"{outcome.alternate.person.name} "
                                                             f"({outcome.alternate.agency_name})")
    if outcome.unenrolled_alternate is not None:
        alternate = outcome.unenrolled_alternate
        return t(language, "away.set_alternate_not_enrolled", until=until,
                 alternate=f"{alternate.person.name} ({alternate.agency_name})")
    return t(language, "away.set_uncovered", until=until)


async def _require_focal_point(uow: UnitOfWork, person: PersonRecord) -> None:
    if any(role not in BUILTIN_ROLES for role in person.person.roles):
        return
    if await people.is_alternate(uow.tx, person.key):
        return
    raise NotFocalPointError(f"{person.key} is neither a focal point nor an alternate", command="/away",
                             person=person.key)
