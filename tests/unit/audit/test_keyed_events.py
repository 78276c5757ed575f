"""Issue 25, gap 1: a database-only insider rewrites the log with every SHA-256 recomputed.

Before keyed events the bot signed a fresh checkpoint over the forged log and verify said OK.
Now every event carries an HMAC under a key in keys/ that the database never holds.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.audit import trust as trusting
from bot.audit.verify import verify_bundle
from bot.cli import app
from bot.clock import FakeClock
from bot.commands.doctor_checks import check_event_log
from bot.composition import open_context
from bot.config import Settings
from bot.domain.chain import LOG_GENESIS, chain_genesis, event_hash, hashed_content
from bot.errors import LogTamperedError, RollbackRefusedError
from bot.services.kernel.context import AppContext
from bot.services.reports.checkpointing import make_checkpoint
from bot.services.reports.exporting import export_bundle
from bot.store import backup, eventmacs
from bot.store.events import all_events, append_event
from tests.support.consultation import run_consultation


async def rewrite_answer_with_hashes_recomputed(ctx: AppContext) -> None:
    """What someone holding consult.db (not keys/) can do: drop the triggers, change an answer,
    recompute every hash after it, and delete the checkpoints that would disagree."""
    async with ctx.db.transaction() as tx:
        for trigger in ("events_append_only_update", "events_append_only_delete",
                        "checkpoints_append_only_delete"):
            await tx.execute(f"DROP TRIGGER {trigger}")
        await tx.execute("DELETE FROM checkpoints")
        events = await all_events(tx)
        log_prev, heads = LOG_GENESIS, {}
        changed = False
        for event in events:
            data = dict(event.data)
            if event.type == "answered" and not changed:
                data["position"] = "agree" if data.get("position") != "agree" else "object"
                await tx.execute("UPDATE participants SET position = ? WHERE person_key = ?",
                                 (data["position"], data["for"]))
                changed = True
            prev = heads.get(event.consultation_id, chain_genesis(event.consultation_id))
            digest = event_hash(hashed_content(event.seq, event.at, event.consultation_id, event.type, event.actor,
                                               data, prev, log_prev))
            await tx.execute("UPDATE events SET data = ?, prev_hash = ?, log_prev_hash = ?, hash = ? WHERE seq = ?",
                             (json.dumps(data, ensure_ascii=False, sort_keys=True), prev, log_prev, digest,
                              event.seq))
            heads[event.consultation_id] = log_prev = digest
        assert changed


async def test_every_event_appended_carries_its_keys_mac(ctx: AppContext, settings: Settings) -> None:
    await run_consultation(ctx)
    async with ctx.db.reading() as tx:
        assert await tx.fetchval("SELECT count(*) FROM events WHERE mac IS NULL") == 0
    line = await check_event_log(settings)
    assert line.ok and "MAC" in line.detail, line


async def test_a_rewrite_with_every_hash_recomputed_is_refused(ctx: AppContext, settings: Settings,
                                                               tmp_path: Path, trusted: trusting.Trust) -> None:
    await run_consultation(ctx)
    await rewrite_answer_with_hashes_recomputed(ctx)
    with pytest.raises(LogTamperedError, match="mac"):
        await make_checkpoint(ctx.db, ctx.keys, ctx.clock)  # no signature over the forged log
    out = tmp_path / "forged"
    await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    assert not all(c.ok for c in verify_bundle(out, trusted))  # was OK, exit 0, before keyed events
    line = await check_event_log(settings)
    assert not line.ok and "mac" in line.detail, line


async def test_an_interior_edit_without_rehashing_fails_checkpoint_and_doctor(
        ctx: AppContext, settings: Settings) -> None:
    await run_consultation(ctx)
    async with ctx.db.transaction() as tx:
        await tx.execute("DROP TRIGGER events_append_only_update")
        await tx.execute("UPDATE events SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2")
    with pytest.raises(LogTamperedError, match="seq 2"):
        await make_checkpoint(ctx.db, ctx.keys, ctx.clock)
    assert not (await check_event_log(settings)).ok


async def test_an_event_appended_without_the_key_is_refused(ctx: AppContext, settings: Settings) -> None:
    await run_consultation(ctx)
    key, ctx.db.event_mac_key = ctx.db.event_mac_key, None  # the insider's own writer: no key
    async with ctx.db.transaction() as tx:
        await tx.execute("INSERT INTO events (seq, at, consultation_id, type, actor, data, prev_hash, log_prev_hash,"
                         " hash) SELECT seq + 1, at, consultation_id, type, actor, data, hash, hash, 'x' || hash"
                         " FROM events ORDER BY seq DESC LIMIT 1")
    ctx.db.event_mac_key = key
    with pytest.raises(LogTamperedError):
        await make_checkpoint(ctx.db, ctx.keys, ctx.clock)
    assert not (await check_event_log(settings)).ok


async def test_the_newest_events_deleted_are_caught(ctx: AppContext, settings: Settings, clock: FakeClock) -> None:
    await run_consultation(ctx)
    async with ctx.db.transaction() as tx:  # MACs cannot show this: the head kept in keys/ does
        await tx.execute("DROP TRIGGER events_append_only_delete")
        await tx.execute("DELETE FROM events WHERE seq > (SELECT max(seq) - 2 FROM events)")
    with pytest.raises(LogTamperedError, match="head"):
        await make_checkpoint(ctx.db, ctx.keys, ctx.clock)
    line = await check_event_log(settings)
    assert not line.ok and "rolled back" in line.detail, line
    with pytest.raises(RollbackRefusedError, match="--accept-rollback"):  # the bot refuses to start on it
        async with open_context(settings, clock):
            pass


async def test_a_restore_behind_the_log_is_refused_unless_accepted_and_then_recorded(
        ctx: AppContext, settings: Settings, clock: FakeClock, tmp_path: Path) -> None:
    await run_consultation(ctx)
    copy = backup.backup(settings.db_path, tmp_path / "last-week.db").path
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    await ctx.db.close()
    cli = CliRunner()
    refused = await asyncio.to_thread(cli.invoke, app, ["db", "restore", str(copy)])
    assert refused.exit_code == 2 and "--accept-rollback" in refused.output, refused.output
    accepted = await asyncio.to_thread(cli.invoke, app, ["db", "restore", str(copy), "--accept-rollback"])
    assert accepted.exit_code == 0 and "rollback recorded" in accepted.output, accepted.output
    async with open_context(settings, clock) as reopened, reopened.db.reading() as tx:
        last = (await all_events(tx))[-1]
    assert last.type == "log_rolled_back" and last.data["lost_events_to_seq"] == last.seq
    assert (await check_event_log(settings)).ok


async def test_a_bundle_of_one_consultation_handed_over_as_another_is_refused(
        bundle: Path, trusted: trusting.Trust) -> None:
    checks = {c.name: c for c in verify_bundle(bundle, trusted, expect_id=2)}
    assert not checks["consultation"].ok and "not #2" in checks["consultation"].detail
    assert all(c.ok for c in verify_bundle(bundle, trusted, expect_id=1))
    cli = await asyncio.to_thread(CliRunner().invoke, app, ["verify", str(bundle), "--expect-id", "2"])
    assert cli.exit_code == 1 and "not #2" in cli.output, cli.output


async def test_an_event_backdated_after_the_closing_is_refused_by_verify(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    """A key holder's bot writing after «closed» (say, a script run with the deployment's keys): the MAC
    and hash hold, so only the meaning of the events can refuse it."""
    await run_consultation(ctx)
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "answered", consultation_id=1, actor="nsv-1",
                           data={"for": "nsv-1", "position": "agree", "late": False})
    out = tmp_path / "after"
    await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    meaning = next(c for c in verify_bundle(out, trusted) if c.name.startswith("events make sense"))
    assert not meaning.ok and "after the consultation was closed" in meaning.detail, meaning.detail


async def test_an_upgraded_log_is_sealed_once_and_never_again(ctx: AppContext, settings: Settings,
                                                              clock: FakeClock) -> None:
    ctx.db.event_mac_key, ctx.db.after_append = None, None  # a bot from before keyed events
    await run_consultation(ctx)
    await ctx.db.close()
    for name in (eventmacs.SEALED_MARKER, eventmacs.HEAD_FILE):
        (settings.keys_dir / name).unlink(missing_ok=True)
    async with open_context(settings, clock) as upgraded, upgraded.db.reading() as tx:  # the first start after
        assert await tx.fetchval("SELECT count(*) FROM events WHERE mac IS NULL") == 0
    assert (await check_event_log(settings)).ok
    async with open_context(settings, clock) as again, again.db.transaction() as tx:  # an insider unseals one
        await tx.execute("DROP TRIGGER events_append_only_update")
        await tx.execute("UPDATE events SET mac = NULL WHERE seq = 3")
    async with open_context(settings, clock) as later, later.db.reading() as tx:
        assert await tx.fetchval("SELECT mac FROM events WHERE seq = 3") is None  # never re-sealed
    line = await check_event_log(settings)
    assert not line.ok and "seq 3" in line.detail, line


async def test_the_periodic_checkpoint_checks_the_macs_since_the_last_one(ctx: AppContext) -> None:
    await run_consultation(ctx)
    assert await make_checkpoint(ctx.db, ctx.keys, ctx.clock) is not None
    key, ctx.db.event_mac_key = ctx.db.event_mac_key, None  # an event forged after the last checkpoint
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "answered", consultation_id=1, actor="nsv-1",
                           data={"for": "nsv-1", "position": "agree", "late": False})
    ctx.db.event_mac_key = key
    with pytest.raises(LogTamperedError, match="mac"):
        await make_checkpoint(ctx.db, ctx.keys, ctx.clock, whole_log=False)


async def test_answers_that_make_no_sense_are_refused_by_verify(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    """A key holder's script records an answer after the deadline as on time, and one for someone
    never invited: hash, MAC and chain hold, so only the meaning of the events can refuse them."""
    from datetime import timedelta

    from bot.clock import to_iso
    from bot.domain.facts import answer_event_data
    from bot.services.consultations import managing, opening
    from tests.support.consultation import command
    from tests.support.e2e import COORD

    assert isinstance(ctx.clock, FakeClock)
    await command(ctx, opening.open_consultation, COORD, "2h aec: Dự thảo")
    ctx.clock.advance(timedelta(hours=3))  # past the deadline, never extended
    at = to_iso(ctx.clock.now())
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "answered", consultation_id=1, actor="nsv-1", data=answer_event_data(
            principal="nsv-1", position="agree", late=False, at=at, by_name="N", by_agency="A"))
        await append_event(tx, ctx.clock, "answered", consultation_id=1, actor="coord-1", data=answer_event_data(
            principal="auditor-1", position="object", late=True, at=at, by_name="K", by_agency="A"))
    await command(ctx, managing.close, COORD, "1")
    out = tmp_path / "nonsense"
    await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    checks = verify_bundle(out, trusted)
    meaning = next((c for c in checks if c.name.startswith("events make sense")), None)
    assert meaning is not None, [str(c) for c in checks]
    assert not meaning.ok
    assert "marked on time, but it came at" in meaning.detail and "after the deadline then in force" in meaning.detail
    assert "for auditor-1, who was never invited" in meaning.detail


async def test_an_answer_by_someone_the_record_never_named_to_stand_in_is_refused_by_verify(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    """The alternate the escalation named may answer for the late invitee (the record says so);
    a key holder's answer «for» an invitee by another person — even an invited one — is refused."""
    from datetime import timedelta

    from bot.clock import to_iso
    from bot.domain.facts import answer_event_data
    from bot.services.consultations import managing, opening
    from tests.support.consultation import command
    from tests.support.e2e import COORD
    from tests.support.flow import escalate_now

    assert isinstance(ctx.clock, FakeClock)
    await command(ctx, opening.open_consultation, COORD, "2h aec: Dự thảo")
    ctx.clock.advance(timedelta(hours=2, minutes=1))
    await escalate_now(ctx)
    at = to_iso(ctx.clock.now())
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "answered", consultation_id=1, actor="moit-2", data=answer_event_data(
            principal="moit-1", position="agree", late=True, at=at, by_name="L", by_agency="A"))
        await append_event(tx, ctx.clock, "answered", consultation_id=1, actor="mof-1", data=answer_event_data(
            principal="nsv-1", position="object", late=True, at=at, by_name="B", by_agency="A"))
    await command(ctx, managing.close, COORD, "1")
    out = tmp_path / "stand-ins"
    await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    meaning = next(c for c in verify_bundle(out, trusted) if c.name.startswith("events make sense"))
    assert not meaning.ok
    assert "by mof-1 for nsv-1, but nothing before it named mof-1 to stand in for nsv-1" in meaning.detail
    assert "by moit-2" not in meaning.detail  # the escalation named moit-2 for moit-1
