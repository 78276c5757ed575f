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
from bot.services.checkpointing import Publishing, make_checkpoint, settled
from bot.services.context import AppContext
from bot.services.exporting import export_bundle
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
