"""Reading a consultation together with its people — each seat, who answered for it, and who
receives for it now — and the messages every change queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.absence import Receiver, receiver_for
from bot.domain.outbox import Dependency, MessageKind, Outgoing, Policy
from bot.i18n import t
from bot.services.kernel.uow import UnitOfWork
from bot.store.crypto import DataKey
from bot.store.db import Tx
from bot.store.keys import KeyStore
from bot.store.repos import consultations, people
from bot.store.repos.consultations import ConsultationRecord, Participant
from bot.store.repos.people import PersonRecord


@dataclass(frozen=True)
class Recipient:
    """An invitee, who receives for them now, and their alternate if that alternate can receive."""

    invitee: PersonRecord
    receiver: Receiver
    alternate: PersonRecord | None

    @property
    def stand_in(self) -> PersonRecord | None:
        """The alternate who receives instead of the invitee now, if any."""
        return self.alternate if self.receiver.stand_in else None

    @property
    def uncovered(self) -> bool:
        return self.receiver.uncovered


def recipient_of(invitee: PersonRecord, alternate: PersonRecord | None, now: datetime) -> Recipient:
    """Who receives for `invitee` at `now`, given their alternate as the roster has them (None:
    none). An alternate who is inactive or not enrolled cannot receive anything."""
    able = alternate if alternate is not None and alternate.can_receive else None
    receiver = receiver_for(invitee.key, able.key if able else None, invitee.away_until, now,
                            able.away_until if able else None)
    return Recipient(invitee, receiver, able)


@dataclass(frozen=True)
class Seat:
    """A participant with the person behind it, as the texts need them; `responder` is who
    answered for them when it was someone else (their alternate)."""

    participant: Participant
    record: PersonRecord
    responder: PersonRecord | None = None
    # The invitee's alternate as the roster has them now: who stands in while the invitee is away.
    alternate: PersonRecord | None = None

    @property
    def label(self) -> str:
        return f"{self.record.person.name} ({self.record.agency_name})"

    def away_mark(self, now: datetime, language: str) -> str:
        """« — vắng — thay: <alternate>» while the invitee is away; empty otherwise."""
        recipient = recipient_of(self.record, self.alternate, now)
        if not recipient.receiver.away:
            return ""
        if recipient.stand_in is not None:
            return " — " + t(language, "away.card", alternate=recipient.stand_in.person.name)
        if self.alternate is not None and self.alternate.active and self.alternate.person.telegram_user_id is None:
            return " — " + t(language, "away.card_alternate_not_enrolled", alternate=self.alternate.person.name)
        return " — " + t(language, "away.card_uncovered")

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
    await uow.send(Outgoing.to(MessageKind.CARD_EDIT, (consultation_id,), group, "editMessageText", {},
                               consultation_id=consultation_id, depends_on=Dependency.CARD), Policy.COALESCE)
