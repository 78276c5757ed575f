"""The draft report to the Prime Minister: `/report <id>` and `consult report ID --out FILE.docx`.

Decision 47 has the national coordinator report to the Prime Minister on cross-pillar issues on
the basis of the consultations. The report is built from what the store holds and nothing else —
texts as the guard allowed them (or their redaction), blocked messages only as a count — laid out
by `bot.audit.report_docx` as Decree 30/2020/ND-CP wants, then judged by the guard like any file
before it leaves: a file the guard blocks is neither sent nor written. Each report drawn is an
event in the consultation's chain, with a keyed hash of the file and none of its content.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path

from bot.audit.report_docx import render_report_docx, report_file_name
from bot.clock import from_iso
from bot.domain.access import acts_for
from bot.domain.commands import first_word, parse_id
from bot.domain.outbox import MessageKind, Outgoing, Upload
from bot.domain.report import (
    REASON_KIND,
    ConsultationReport,
    ReportComment,
    ReportIssuer,
    ReportParticipant,
    ReportScope,
    trimmed_reason,
)
from bot.errors import NotFoundError, ReportBlockedError
from bot.files import write_owner_only
from bot.i18n import normalise_language, t
from bot.services.dispatch import Asked, Origin, staged
from bot.services.kernel import screening
from bot.services.kernel.access import private_caller
from bot.services.kernel.context import AppContext
from bot.services.kernel.screening import Screened
from bot.services.kernel.seats import Seat, load_in
from bot.services.kernel.uow import UnitOfWork, unit_of_work
from bot.store import events
from bot.store.db import Tx
from bot.store.repos import consultations, people
from bot.store.repos.people import PersonRecord

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COMMENT_KINDS = ("comment", "edit")


@dataclass(frozen=True)
class DrawnReport:
    """A report rendered and judged: its bytes, its file name and the guard's verdict."""

    consultation_id: int
    file_name: str
    content: bytes
    verdict: Screened
    language: str


async def build_report(tx: Tx, ctx: AppContext, consultation_id: int, issuer_agency: str | None = None
                       ) -> ConsultationReport:
    """The report's model, from the store: positions with who answered for whom, comments tied to
    the invitee they speak for, the coordinator's summary, and blocked messages as a count."""
    if not await consultations.exists(tx, consultation_id):
        raise NotFoundError(f"no consultation #{consultation_id}", consultation=consultation_id)
    record, data_key, seats = await load_in(tx, ctx.keys, consultation_id)
    c = record.consultation
    opener = await people.person_by_key(tx, c.opened_by)
    stored = await consultations.messages(tx, data_key, consultation_id)
    authors = {s.record.key: s.record for s in seats} | {s.responder.key: s.responder for s in seats if s.responder}
    comments = []
    reasons: dict[str, ReportComment] = {}  # the latest reason each invitee's objection was given
    for message in stored:
        if message.kind not in (*COMMENT_KINDS, REASON_KIND) or message.text is None \
                or message.guard_action == "block":
            continue
        if c.closed_at is not None and message.at > c.closed_at:
            continue  # stored by an older bot after the topic closed: it never reached the topic
        author = authors.get(message.person_key or "") or (
            await people.person_by_key(tx, message.person_key) if message.person_key else None)
        said = ReportComment(
            author_key=_speaks_for(message.person_key, seats), author=author.person.name if author else "—",
            agency=author.agency_name if author else "—", at=message.at, text=message.text,
            redacted=message.guard_action == "redact")
        if message.kind == REASON_KIND:
            reasons[said.author_key] = replace(said, text=trimmed_reason(said.text))
        else:
            comments.append(said)
    summaries = [m.text for m in stored if m.kind == "summary" and m.text is not None]
    deadlines = [from_iso(str(e.data["deadline_at"])) for e in await events.consultation_events(tx, consultation_id)
                 if e.type in ("opened", "extended") and "deadline_at" in e.data]
    agencies = await people.agencies(tx)
    scopes = tuple(ReportScope(key, ctx.routing.scopes[key].name_vi, ctx.routing.scopes[key].name_en)
                   for key in c.scopes if key in ctx.routing.scopes)
    return ConsultationReport(
        consultation_id=c.id, title=c.title, scopes=scopes, kind=c.kind.value,
        opened_by=opener.person.name if opener else c.opened_by,
        opened_by_agency=opener.agency_name if opener else "—",
        opened_at=c.opened_at, deadline_at=c.deadline_at, closed_at=c.closed_at,
        issuer=_issuer(ctx, issuer_agency or (opener.agency_name if opener else ""), agencies),
        participants=tuple(_participant(seat, reasons.get(seat.record.key)) for seat in seats),
        comments=tuple(comments),
        blocked_count=sum(1 for m in stored if m.guard_action == "block"),
        summary=summaries[-1] if summaries else "",
        zone=ctx.zone,
        earlier_deadlines=tuple(d for d in deadlines[:-1] if d != c.deadline_at),
        agency_order=tuple(name for _, name in agencies),
    )


def _issuer(ctx: AppContext, agency: str, agencies: list[tuple[str, str]]) -> ReportIssuer:
    """The issuing agency, written short in the number as the routing policy declares it."""
    short = ctx.routing.short_names(agencies).get(agency, agency)
    return ReportIssuer(agency=agency, abbreviation=short)


def _participant(seat: Seat, reason: ReportComment | None) -> ReportParticipant:
    p = seat.participant
    return ReportParticipant(seat.record.key, seat.record.person.name, seat.record.agency_name, p.position,
                             p.responded_at, p.late, seat.responder.person.name if seat.responder else None,
                             reason=reason)


def _speaks_for(person_key: str | None, seats: list[Seat]) -> str:
    """The invitee a comment speaks for: its author, or the one its author answered or stands in for."""
    key = person_key or ""
    if any(s.record.key == key for s in seats):
        return key
    for seat in seats:  # the author's own seat first (above), then whom they answered or stand in for
        if (seat.responder is not None and seat.responder.key == key) or acts_for(key, seat.record.person):
            return seat.record.key
    return key


async def draw(ctx: AppContext, report: ConsultationReport, language: str, chat_id: int = 0) -> DrawnReport:
    """Render the DOCX off the event loop and judge it with the guard."""
    language = normalise_language(language)
    content = await asyncio.to_thread(render_report_docx, report, language)
    name = report_file_name(report, language)
    verdict = await screening.judge_outgoing_file(ctx, chat_id, name, content, DOCX_MIME)
    return DrawnReport(report.consultation_id, name, content, verdict, language)


def _reported_data(drawn: DrawnReport, via: str) -> dict[str, object]:
    return {"file_hmac": drawn.verdict.content_hmac, "bytes": len(drawn.content), "language": drawn.language,
            "via": via}


async def _record_block(uow: UnitOfWork, drawn: DrawnReport, actor: str) -> None:
    await uow.event("blocked", consultation_id=drawn.consultation_id, actor=actor, data={
        "where": "/report", "rule": drawn.verdict.rule, "level": drawn.verdict.level,
        "content_hmac": drawn.verdict.content_hmac})


async def report_for_coordinator(ctx: AppContext, origin: Origin, arguments: str) -> None:
    """`/report N`: coordinators only, in their private chat; the DOCX arrives as a document."""

    async def read(tx: Tx) -> tuple[PersonRecord, ConsultationReport]:
        person = await private_caller(tx, origin.user_id, origin.chat_id, "/report", "coordinator")
        cid = parse_id(first_word(arguments), "report")
        return person, await build_report(tx, ctx, cid, person.agency_name)

    async def make(asked: Asked[ConsultationReport]) -> DrawnReport:
        return await draw(ctx, asked.read, asked.language, origin.chat_id)

    async def send(uow: UnitOfWork, asked: Asked[ConsultationReport], drawn: DrawnReport) -> None:
        cid, person, language = asked.read.consultation_id, asked.person, asked.language
        if drawn.verdict.blocked:
            await _record_block(uow, drawn, person.key)
            await uow.reply(origin.chat_id, t(language, "pmreport.refused", consultation=cid), consultation_id=cid)
            return
        await uow.event("reported", consultation_id=cid, actor=person.key, data=_reported_data(drawn, "telegram"))
        await uow.send(Outgoing.file(MessageKind.PM_REPORT, (uow.tag,), origin.chat_id,
                                     Upload(drawn.file_name, drawn.content),
                                     params={"caption": t(language, "pmreport.caption", consultation=cid)},
                                     consultation_id=cid, person_key=person.key))

    await staged(ctx, origin, read, make, send)


async def write_report(ctx: AppContext, consultation_id: int, out: Path, language: str, by: str = "cli") -> DrawnReport:
    """`consult report ID --out FILE.docx`: the same report, written owner-only; refused (and
    nothing written) if the guard blocks it."""
    async with ctx.db.reading() as tx:
        report = await build_report(tx, ctx, consultation_id)
    drawn = await draw(ctx, report, language)
    async with unit_of_work(ctx) as uow:
        if drawn.verdict.blocked:
            await _record_block(uow, drawn, by)
    if drawn.verdict.blocked:
        raise ReportBlockedError(f"the guard blocked the report of #{consultation_id} ({drawn.verdict.rule}); "
                                 "nothing was written", consultation=consultation_id)
    write_owner_only(out, drawn.content)
    async with unit_of_work(ctx) as uow:
        await uow.event("reported", consultation_id=consultation_id, actor=by, data=_reported_data(drawn, "cli"))
    return drawn
