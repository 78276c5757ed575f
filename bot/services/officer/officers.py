"""Who answers for a case, and what they are told of it: the sender's agency officer and every
national officer, privately, with the case's metadata — never its content."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.domain.roster import NATIONAL_SECURITY_OFFICER, SECURITY_OFFICER
from bot.errors import NotOfficerError
from bot.i18n import t
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation.formatting import local_time
from bot.store.db import Tx
from bot.store.repos import people
from bot.store.repos.guard_cases import Case
from bot.store.repos.people import PersonRecord


def is_national(officer: PersonRecord) -> bool:
    return officer.person.has_role(NATIONAL_SECURITY_OFFICER)


def covers(officer: PersonRecord, agency: str | None) -> bool:
    """Whether this officer answers for a case of `agency`: a national officer for every agency, an
    agency officer for their own only (a sender outside the roster has none: national only)."""
    if is_national(officer):
        return True
    return officer.person.has_role(SECURITY_OFFICER) and agency is not None and officer.person.agency == agency


def require_officer(officer: PersonRecord, command: str) -> None:
    if not (is_national(officer) or officer.person.has_role(SECURITY_OFFICER)):
        raise NotOfficerError(f"{officer.key} is no security officer", command=command)


def scope_of(officer: PersonRecord) -> str | None:
    """The agency whose cases this officer sees; None: every agency."""
    return None if is_national(officer) else officer.person.agency


async def officers_for(tx: Tx, agency: str | None) -> list[PersonRecord]:
    return [p for p in await people.list_people(tx) if covers(p, agency) and p.person.telegram_user_id is not None]


async def national_officers(tx: Tx) -> list[PersonRecord]:
    return [p for p in await people.list_people(tx) if is_national(p) and p.person.telegram_user_id is not None]


async def summary(tx: Tx, case: Case, language: str, zone: str) -> str:
    """A case as an officer reads it: metadata only."""
    c = case.case
    sender = await people.person_by_key(tx, c.actor)
    who = f"{sender.person.name} ({sender.agency_name})" if sender is not None else c.actor
    level = t(language, f"level.{c.level}") if c.level else t(language, "officer.no_level")
    lines = [t(language, "officer.case_line", case=case.id, at=local_time(c.at, zone), who=who),
             t(language, "officer.case_rule", rule=c.rule or "—", level=level, source=c.source,
               where=t(language, f"officer.place.{c.place}") + (f" #{c.consultation_id}" if c.consultation_id else ""))]
    if c.detail:
        lines.append(t(language, "officer.case_detail", detail=c.detail))
    if c.ocr_confidence is not None:
        lines.append(t(language, "officer.case_ocr", confidence=f"{c.ocr_confidence:.0f}"))
    if c.file_sha256:
        lines.append(t(language, "officer.case_file", type=c.file_type or "?", size=c.file_size or 0,
                       sha=c.file_sha256[:16]))
    return "\n".join(lines)


async def tell(uow: UnitOfWork, case: Case, tag: str, text: Callable[[str], str], *, summary_too: bool = True,
               national_only: bool = False) -> None:
    """Tell the officers over this case, each in their language, privately."""
    recipients = await (national_officers(uow.tx) if national_only else officers_for(uow.tx, case.case.agency))
    for officer in recipients:
        user_id = officer.person.telegram_user_id
        assert user_id is not None
        language = language_for(officer.person, uow.ctx.language)
        body = text(language)
        if summary_too:
            body += "\n" + await summary(uow.tx, case, language, uow.ctx.zone)
        await uow.send(Outgoing.to(MessageKind.GUARD_DESK, (tag, case.id, officer.key), user_id, "sendMessage",
                                   {"text": body}, person_key=officer.key))
