"""Reading a consultation together with its people, and the messages every change queues."""

from __future__ import annotations

from bot.domain.outbox import Dependency, MessageKind, Outgoing, Policy
from bot.services.texts import Seat
from bot.services.uow import UnitOfWork
from bot.store.crypto import DataKey
from bot.store.db import Tx
from bot.store.keys import KeyStore
from bot.store.repos import consultations, people
from bot.store.repos.consultations import ConsultationRecord, Participant
from bot.store.repos.people import PersonRecord


async def load_in(tx: Tx, keys: KeyStore, consultation_id: int) -> tuple[ConsultationRecord, DataKey, list[Seat]]:
    record, data_key = await consultations.get(tx, keys, consultation_id)
    seated = await people.people_in_consultation(tx, consultation_id)
    seats = [Seat(participant, seated[participant.person_key], _responder(participant, seated),
                  seated.get(seated[participant.person_key].person.alternate or ""))
             for participant in await consultations.participants(tx, consultation_id)
             if participant.person_key in seated]
    return record, data_key, seats


def _responder(participant: Participant, seated: dict[str, PersonRecord]) -> PersonRecord | None:
    """Who answered for this seat when it was not its holder (an alternate, after escalation)."""
    by = participant.responded_by
    return seated.get(by) if by is not None and by != participant.person_key else None


async def load(uow: UnitOfWork, consultation_id: int) -> tuple[ConsultationRecord, list[Seat]]:
    record, data_key, seats = await load_in(uow.tx, uow.ctx.keys, consultation_id)
    uow.remember_key(data_key)
    return record, seats


async def refresh_card(uow: UnitOfWork, record: ConsultationRecord) -> None:
    """Queue one edit of the pinned status card, unless one is already waiting.

    The card's text is rendered when the edit is sent, from the database as it is then, so ten
    answers arriving together cost one edit in the group (Telegram allows 20 a minute there).
    """
    consultation_id = record.consultation.id
    group = record.chat_id or uow.ctx.group_chat_id
    if group is None:
        return
    await uow.send(Outgoing(MessageKind.CARD_EDIT, (consultation_id,), group, "editMessageText", {"chat_id": group},
                            consultation_id=consultation_id, depends_on=Dependency.CARD), Policy.COALESCE)
