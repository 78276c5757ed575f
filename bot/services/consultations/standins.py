"""Who receives what is meant for an invitee now: the invitee, or while they are away their alternate.

Decision 47's mechanism only works if someone always answers for each agency. While an invitee is
away (`/away`), their invitation and reminders go straight to their alternate, as messages that
carry the answer buttons and are recorded as answer prompts for the invitee (issue 17: a press
counts only on a message the bot sent that person), so the alternate answers for the agency at
once instead of after the deadline's escalation. With no alternate who can receive (none, not
enrolled, or away too), the coordinator is told at once and the invitee still gets the message,
so nothing is lost when they are back. The rule itself is `bot.domain.absence.receiver_for`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing, Policy
from bot.i18n import t
from bot.services.kernel.seats import Recipient, recipient_of
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation.formatting import until_text
from bot.services.presentation.keyboards import answer_keyboard
from bot.store.repos import people
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.people import PersonRecord

Body = Callable[[str], str]  # language -> the text meant for the invitee


async def recipient(uow: UnitOfWork, invitee: PersonRecord,
                    known: Mapping[str, PersonRecord] | None = None) -> Recipient:
    """Who receives for `invitee` at this moment. `known` saves a read when the caller holds the
    roster already."""
    key = invitee.person.alternate
    found = None
    if key is not None and invitee.away_until is not None:  # an alternate matters only to someone away
        found = known.get(key) if known is not None and key in known else await people.person_by_key(uow.tx, key)
    return recipient_of(invitee, found, uow.now)


async def prompt(uow: UnitOfWork, record: ConsultationRecord, invitee: PersonRecord, alternate: PersonRecord,
                 body: Body, tag: str) -> bool:
    """Send the alternate, for the away invitee, a message with the answer buttons: its header says
    whom they stand in for and until when. False if the same (by `tag`) was sent before."""
    c = record.consultation
    chat = alternate.person.telegram_user_id
    assert chat is not None and invitee.away_until is not None
    language = language_for(alternate.person, uow.ctx.language)
    note = await people.away_note(uow.tx, await uow.data_key(0), invitee.key)
    header = t(language, "standin.header", name=invitee.person.name, agency=invitee.agency_name,
               until=until_text(invitee.away_until, uow.ctx.zone, language),
               note=t(language, "standin.note", note=note) if note else "")
    return await uow.send(Outgoing.to(
        MessageKind.STAND_IN, (c.id, invitee.key, alternate.key, tag), chat, "sendMessage",
        {"text": f"{header}\n\n{body(language)}",
         "reply_markup": answer_keyboard(c.id, language, c.kind)}, consultation_id=c.id,
        person_key=alternate.key, for_person_key=invitee.key), Policy.IF_NEW)


async def tell_uncovered(uow: UnitOfWork, record: ConsultationRecord, invitee: PersonRecord,
                         coordinator: PersonRecord | None = None) -> PersonRecord | None:
    """The coordinator hears at once that nobody stands in for an away invitee. Returns the
    roster's alternate when it is one who never enrolled (for the event to name)."""
    c = record.consultation
    unenrolled = await unenrolled_alternate(uow, invitee)
    coordinator = coordinator or await people.person_by_key(uow.tx, c.opened_by)
    if coordinator is None or coordinator.person.telegram_user_id is None or invitee.away_until is None:
        return unenrolled
    chat = coordinator.person.telegram_user_id
    language = language_for(coordinator.person, uow.ctx.language)
    note = await people.away_note(uow.tx, await uow.data_key(0), invitee.key)
    # An alternate on the roster who never enrolled is named: «không có người thay» was untrue, and
    # the coordinator needs to know whom the agency should have enrol (issue 26, item 6).
    key = "away.coordinator_alternate_not_enrolled" if unenrolled is not None else "away.coordinator_uncovered"
    text = t(language, key, consultation=c.id, name=invitee.person.name,
             agency=invitee.agency_name, until=until_text(invitee.away_until, uow.ctx.zone, language),
             note=t(language, "standin.note", note=note) if note else "",
             alternate=unenrolled.person.name if unenrolled is not None else "")
    ident = (c.id, invitee.key, f"{invitee.away_until.timestamp():.0f}")
    await uow.send(Outgoing.text(MessageKind.UNCOVERED, ident, chat, text, consultation_id=c.id,
                                 person_key=invitee.key))
    return unenrolled


async def unenrolled_alternate(uow: UnitOfWork, invitee: PersonRecord) -> PersonRecord | None:
    """The invitee's alternate on the roster when they exist, are active, and never enrolled."""
    if invitee.person.alternate is None:
        return None
    rostered = await people.person_by_key(uow.tx, invitee.person.alternate)
    if rostered is None or not rostered.active or rostered.person.telegram_user_id is not None:
        return None
    return rostered


def stand_in_data(recipient: Recipient, unenrolled: PersonRecord | None = None) -> dict[str, object]:
    """What an event says of where a message for an away invitee went (names, never content);
    `unenrolled`: the roster's alternate who could not receive because they never enrolled."""
    if recipient.stand_in is not None:
        return {"stand_in": recipient.stand_in.key, "stand_in_name": recipient.stand_in.person.name}
    if recipient.uncovered and unenrolled is not None:
        return {"away": True, "uncovered": True, "alternate_not_enrolled": unenrolled.key,
                "alternate_name": unenrolled.person.name}
    if recipient.uncovered:
        return {"away": True, "uncovered": True}
    return {}
