"""Exporting a transcript: a fresh checkpoint of the log, the bundle, and the export recorded as an
event (who, what, when)."""

from __future__ import annotations

from pathlib import Path

from bot.audit.transcript import ExportOptions, ExportSummary, write_bundle, zip_bundle
from bot.domain.commands import first_word, parse_id
from bot.domain.outbox import MessageKind, Outgoing, Upload
from bot.errors import NotFoundError
from bot.services.dispatch import Asked, Origin, staged
from bot.services.kernel.access import private_caller
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork, unit_of_work
from bot.services.reports.checkpointing import Publishing, checkpoint_quietly
from bot.store.db import Tx
from bot.store.repos import consultations
from bot.store.repos.people import PersonRecord


def options_for(ctx: AppContext, language: str | None = None, *, pdf: bool = True,
                file_mode: int | None = None) -> ExportOptions:
    defaults = ExportOptions()
    language = language or ctx.language
    return ExportOptions(language=language, zone=ctx.zone, pdf=pdf,
                         file_mode=defaults.file_mode if file_mode is None else file_mode,
                         tsa_url=ctx.settings.tsa_url, scope_names={
                             key: rule.name_vi if language == "vi" else rule.name_en
                             for key, rule in ctx.routing.scopes.items()})


async def export_bundle(ctx: AppContext, consultation_id: int, out_dir: Path, exported_by: str,
                        *, pdf: bool = True, language: str | None = None,
                        file_mode: int | None = None) -> ExportSummary:
    """The bundle of a consultation, carrying a checkpoint signed just before (unless the log no
    longer matches the last one: then that one, and `consult verify` says what differs)."""
    await checkpoint_quietly(ctx.db, ctx.keys, ctx.clock, Publishing.for_context(ctx))
    summary = await write_bundle(ctx.db, ctx.keys, ctx.clock, consultation_id, out_dir, exported_by,
                                 options_for(ctx, language, pdf=pdf, file_mode=file_mode))
    async with unit_of_work(ctx) as uow:
        await uow.event("exported", consultation_id=consultation_id, actor=exported_by, data={
            "transcript_sha256": summary.transcript_sha256, "messages": summary.messages,
            "events": summary.events,
        })
    return summary


async def export_for_auditor(ctx: AppContext, origin: Origin, arguments: str, work_dir: Path) -> None:
    """`/export N`: auditors only, in their private chat; the bundle arrives as a zip document."""

    async def read(tx: Tx) -> tuple[PersonRecord, int]:
        person = await private_caller(tx, origin.user_id, origin.chat_id, "/export", "auditor")
        cid = parse_id(first_word(arguments), "export")
        if not await consultations.exists(tx, cid):
            raise NotFoundError("no such consultation", consultation=cid)
        return person, cid

    async def make(asked: Asked[int]) -> tuple[ExportSummary, bytes]:
        cid = asked.read
        bundle_dir = work_dir / f"transcript-{cid}-{origin.update_id}"
        await checkpoint_quietly(ctx.db, ctx.keys, ctx.clock, Publishing.for_context(ctx))
        summary = await write_bundle(ctx.db, ctx.keys, ctx.clock, cid, bundle_dir, asked.person.key,
                                     options_for(ctx, asked.language))
        return summary, zip_bundle(summary.files)

    async def send(uow: UnitOfWork, asked: Asked[int], made: tuple[ExportSummary, bytes]) -> None:
        (summary, archive), cid = made, asked.read
        await uow.event("exported", consultation_id=cid, actor=asked.person.key, data={
            "transcript_sha256": summary.transcript_sha256, "messages": summary.messages,
            "events": summary.events, "via": "telegram"})
        await uow.send(Outgoing.file(MessageKind.EXPORT, (uow.tag,), origin.chat_id,
                                     Upload(f"transcript-{cid}.zip", archive),
                                     params={"caption": f"#{cid} · sha256 {summary.transcript_sha256[:16]}…"},
                                     consultation_id=cid, person_key=asked.person.key))

    await staged(ctx, origin, read, make, send)
