"""Issue 25 item 2: with CONSULT_TSA_URL set, each checkpoint gets an RFC 3161 time-stamp over its
note from that authority (a local one here, pyHanko's test stamper over HTTP), stored with the
checkpoint, carried by the bundle and checked by verify."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.audit import trust as trusting
from bot.audit.timestamps import check_token
from bot.audit.verify import verify_bundle
from bot.services.kernel.context import AppContext
from bot.services.reports.checkpointing import Publishing, make_checkpoint, settled
from bot.services.reports.exporting import export_bundle
from bot.store.events import append_event
from tests.support.consultation import run_consultation
from tests.support.tsa import local_tsa, tsa_certificate


def with_tsa(ctx: AppContext, url: str) -> AppContext:
    return replace(ctx, settings=ctx.settings.model_copy(update={"tsa_url": url}))


async def test_each_checkpoint_is_time_stamped_and_verify_checks_it(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    with local_tsa() as tsa:
        ctx = with_tsa(ctx, tsa.url)
        await run_consultation(ctx)
        await settled()
        out = tmp_path / "bundle"
        await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    assert tsa.requests >= 1
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT note, tsa FROM checkpoints WHERE note IS NOT NULL")
    assert rows and all(r["tsa"] is not None for r in rows)
    note_text, token = str(rows[-1]["note"]), bytes(rows[-1]["tsa"])
    assert check_token(token, note_text.encode(), [tsa.certificate]).ok
    forged = check_token(token, note_text.replace("\n", "\n\n", 1).encode(), [tsa.certificate])
    assert not forged.ok and "imprint" in forged.detail
    other_ca, _ = tsa_certificate("Another TSA")
    assert not check_token(token, note_text.encode(), [other_ca]).ok

    checks = {c.name.split(" (")[0]: c for c in verify_bundle(out, trusted, tsa_certs=[tsa.certificate])}
    stamped = checks["time-stamp of checkpoint"]
    assert stamped.ok and "time-stamped" in stamped.detail and "Test TSA" in stamped.detail, stamped
    unpinned = {c.name.split(" (")[0]: c for c in verify_bundle(out, trusted)}["time-stamp of checkpoint"]
    assert unpinned.ok and "--tsa-cert" in unpinned.detail
    wrong = {c.name.split(" (")[0]: c for c in verify_bundle(out, trusted, tsa_certs=[other_ca])}
    assert not wrong["time-stamp of checkpoint"].ok


async def test_an_unreachable_authority_delays_no_checkpoint(
        ctx: AppContext, caplog: pytest.LogCaptureFixture) -> None:
    with local_tsa() as tsa:
        url = tsa.url  # closed once the block ends: nothing listens there any more
    ctx = with_tsa(ctx, url)
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    with caplog.at_level(logging.ERROR):
        made = await make_checkpoint(ctx.db, ctx.keys, ctx.clock, publishing=Publishing.for_context(ctx))
    assert made is not None and made.note is not None and made.tsa is None
    assert any("no time-stamp" in r.getMessage() for r in caplog.records)


async def test_published_checkpoints_carry_their_time_stamp_and_verify_checks_each_witnessed_one(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    """The notes that leave the server (the file beside the database, the auditors' chat) carry
    their token as one more signature line, so the witness file an auditor keeps holds each
    checkpoint's time; verify --witness checks every one, and a token moved to another note fails
    naming its line."""
    from bot.domain import note
    from bot.store import published

    with local_tsa() as tsa:
        ctx = with_tsa(ctx, tsa.url)
        await run_consultation(ctx)
        await settled()
        async with ctx.db.transaction() as tx:
            await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
        await make_checkpoint(ctx.db, ctx.keys, ctx.clock, publishing=Publishing.for_context(ctx))
        out = tmp_path / "bundle"
        await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    kept = published.path_beside(ctx.settings.db_path)
    notes = note.parse_many(kept.read_text(encoding="utf-8"))
    assert notes and all(note.timestamp_of(found) is not None for _, found in notes)
    checks = {c.name.split(" (")[0]: c for c in verify_bundle(out, trusted, witness=kept, tsa_certs=[tsa.certificate])}
    witnessed = checks["witnessed checkpoints"]
    assert witnessed.ok and f"{len(notes)} of them time-stamped" in witnessed.detail, witnessed
    assert len(notes) >= 2 and witnessed.detail.count("Test TSA") == len(notes)
    first, second = notes[0][1], notes[1][1]  # the first note's token pasted under the second
    token = note.timestamp_of(first)
    assert token is not None
    swapped = tmp_path / "swapped.txt"
    swapped.write_text(first.text() + "\n" + note.with_timestamp(second, token).text(), encoding="utf-8")
    bad = {c.name.split(" (")[0]: c for c in verify_bundle(out, trusted, witness=swapped, tsa_certs=[tsa.certificate])}
    said = bad["witnessed checkpoints"]
    assert not said.ok and "imprint" in said.detail and "line " in said.detail, said
