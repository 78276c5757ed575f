"""Storing what an auditor will read together with the event that vouches for it.

Each function writes a row and returns the event data (`bot.domain.facts`, version 2) that says
the same: who, when, with what text (as a commitment), so a row edited later no longer matches the
hash chain. Callers append the event in the same unit of work.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_iso
from bot.domain import facts
from bot.services.kernel.screening import Screened
from bot.services.kernel.uow import UnitOfWork
from bot.store.crypto import DataKey, commitment_key
from bot.store.repos import consultations
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.people import PersonRecord


def person_facts(record: PersonRecord) -> dict[str, object]:
    return facts.person_facts(record.person.name, record.agency_name)


async def store_message(
    uow: UnitOfWork, data_key: DataKey, *, consultation_id: int, author: PersonRecord, kind: str, source: str,
    screened: Screened, telegram_chat_id: int | None = None, telegram_message_id: int | None = None,
) -> tuple[int, dict[str, object]]:
    """Store a message as the guard allowed it; (its id, the data of its event)."""
    at = uow.now
    message_id = await consultations.add_message(
        uow.tx, data_key, consultation_id=consultation_id, person_key=author.key, at=at, kind=kind, source=source,
        text=screened.text, guard_action=screened.action, guard_level=screened.level,
        content_hmac=screened.content_hmac, telegram_chat_id=telegram_chat_id,
        telegram_message_id=telegram_message_id,
    )
    text_hmac = None if screened.text is None else facts.commit(
        commitment_key(data_key), facts.message_label(message_id), screened.text)
    return message_id, facts.message_event_data(
        message_id=message_id, author=author.key, author_name=author.person.name, author_agency=author.agency_name,
        at=to_iso(at), kind=kind, source=source, guard=screened.action, level=screened.level,
        content_hmac=screened.content_hmac, text_hmac=text_hmac,
    )


def opened_data(record: ConsultationRecord, data_key: DataKey, opener: PersonRecord,
                invitees: list[PersonRecord]) -> dict[str, object]:
    c = record.consultation
    return facts.opened_event_data(
        scopes=c.scopes, deadline_at=to_iso(c.deadline_at), opened_at=to_iso(c.opened_at),
        invitees=[p.key for p in invitees], title_hmac=facts.commit(commitment_key(data_key), "title", c.title),
        opener=person_facts(opener),
        people={p.key: {**person_facts(p), "roles": sorted(p.person.roles)} for p in invitees},
        kind=c.kind.value,
    )


def answer_data(principal: str, position: str, late: bool, at: datetime, by: PersonRecord) -> dict[str, object]:
    return facts.answer_event_data(principal=principal, position=position, late=late, at=to_iso(at),
                                   by_name=by.person.name, by_agency=by.agency_name)


def ended_data(closed_at: datetime | None, data_key: DataKey, outcome: str | None = None,
               **extra: object) -> dict[str, object]:
    """A closing or cancelling event's data: when it ended and the outcome report's commitment."""
    if closed_at is None:
        raise ValueError("an ended consultation has a closing time")
    outcome_hmac = None if outcome is None else facts.commit(commitment_key(data_key), "outcome", outcome)
    return facts.ended_event_data(at=to_iso(closed_at), outcome_hmac=outcome_hmac, **extra)
