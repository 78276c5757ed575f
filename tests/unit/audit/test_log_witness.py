"""Issue 25 items 2-4: one Merkle tree of every event, checkpoints published as signed notes, and
bundles held against the checkpoints auditors kept (witnesses).

Each attack here passed before: a key holder rewrote the log with every hash and MAC recomputed and
the checkpoints deleted, erased a later consultation, or rolled the database back to a backup, and
`consult verify --allowed-signers` said OK, because nothing the operator could not rewrite held the
log's earlier state.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
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
from bot.domain import note
from bot.domain.chain import LOG_GENESIS, chain_genesis, event_hash, event_mac, hashed_content
from bot.domain.note import Checkpoint
from bot.errors import RollbackRefusedError
from bot.runtime import BotRunner
from bot.services.kernel.context import AppContext
from bot.services.reports.checkpointing import Publishing, check_published, make_checkpoint, settled
from bot.services.reports.exporting import export_bundle
from bot.store import backup, eventmacs, published
from bot.store.events import all_events, append_event
from bot.telegram.endpoint import Endpoint
from tests.support.consultation import run_consultation


def witness_file(settings: Settings) -> Path:
    return published.path_beside(settings.db_path)


async def checkpoint(ctx: AppContext) -> None:
    await make_checkpoint(ctx.db, ctx.keys, ctx.clock, publishing=Publishing.of(ctx.settings))


async def export(ctx: AppContext, out: Path) -> Path:
    await settled()
    await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    return out


def failing(checks: list) -> list[str]:  # type: ignore[type-arg]
    return [str(c) for c in checks if not c.ok]


async def test_every_checkpoint_is_a_signed_note_published_beside_the_database_and_in_the_journal(
        ctx: AppContext, caplog: pytest.LogCaptureFixture) -> None:
    await run_consultation(ctx)
    with caplog.at_level(logging.INFO, logger="bot.checkpoints"):
        await settled()  # the closing published one
        async with ctx.db.transaction() as tx:
            await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
        await checkpoint(ctx)
    notes = note.parse_many(witness_file(ctx.settings).read_text())
    assert len(notes) == 2
    key = ctx.keys.signing_key().public_key()
    origin = note.default_origin(key)
    for _, signed in notes:
        assert signed.checkpoint.origin == origin and signed.signed_by(origin, key)
    async with ctx.db.reading() as tx:
        size = await tx.fetchval("SELECT max(seq) FROM events")
    assert notes[-1][1].checkpoint.size == size
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.checkpoints"]
    assert len(lines) == 2 and all("\n" not in line for line in lines)
    assert json.loads(lines[-1].split(": ", 1)[1]) == notes[-1][1].text()


async def test_a_genuine_bundle_matches_every_witnessed_checkpoint(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    await run_consultation(ctx)
    await settled()
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    await checkpoint(ctx)
    bundle = await export(ctx, tmp_path / "bundle")
    checks = verify_bundle(bundle, trusted, witness=witness_file(ctx.settings))
    assert not failing(checks), failing(checks)
    said = str(checks[-1])
    assert "consistent" in said and "the bundle's own tree" in said, said


async def rewrite_as_key_holder(ctx: AppContext) -> None:
    """Someone with consult.db AND keys/: change an answer, recompute every hash and MAC, delete the
    checkpoints, the head in keys/ and the file of published checkpoints."""
    key = ctx.db.event_mac_key
    assert key is not None
    async with ctx.db.transaction() as tx:
        for trigger in ("events_append_only_update", "events_append_only_delete", "checkpoints_append_only_delete"):
            await tx.execute(f"DROP TRIGGER {trigger}")
        await tx.execute("DELETE FROM checkpoints")
        log_prev, heads, changed = LOG_GENESIS, {}, False
        for event in await all_events(tx):
            data = dict(event.data)
            if event.type == "answered" and not changed:
                data["position"] = "agree" if data.get("position") != "agree" else "object"
                await tx.execute("UPDATE participants SET position = ? WHERE person_key = ?",
                                 (data["position"], data["for"]))
                changed = True
            prev = heads.get(event.consultation_id, chain_genesis(event.consultation_id))
            digest = event_hash(hashed_content(event.seq, event.at, event.consultation_id, event.type, event.actor,
                                               data, prev, log_prev))
            await tx.execute("UPDATE events SET data = ?, prev_hash = ?, log_prev_hash = ?, hash = ?, mac = ?"
                             " WHERE seq = ?", (json.dumps(data, ensure_ascii=False, sort_keys=True), prev, log_prev,
                                                digest, event_mac(key, event.seq, digest), event.seq))
            heads[event.consultation_id] = log_prev = digest
        assert changed
    (ctx.settings.keys_dir / eventmacs.HEAD_FILE).unlink()
    witness_file(ctx.settings).unlink()


async def test_a_rewrite_by_a_key_holder_is_caught_by_the_witness(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    await run_consultation(ctx)
    await settled()
    kept = tmp_path / "kept-by-the-auditors.txt"  # what the auditors' chat received
    shutil.copy(witness_file(ctx.settings), kept)
    await rewrite_as_key_holder(ctx)
    bundle = await export(ctx, tmp_path / "forged")
    alone = verify_bundle(bundle, trusted)
    assert not failing(alone), failing(alone)  # the forgery holds together on its own...
    witnessed = verify_bundle(bundle, trusted, witness=kept)
    said = failing(witnessed)  # ...but not against a checkpoint published before it
    assert len(said) == 1 and "same size" in said[0] and "line 1" in said[0], said


async def test_an_erased_later_consultation_is_caught_by_the_witness(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    await run_consultation(ctx)
    await settled()
    async with ctx.db.reading() as tx:
        end_of_first = int(await tx.fetchval("SELECT max(seq) FROM events"))
    async with ctx.db.transaction() as tx:  # a later consultation's events (stand-ins for its opening and answers)
        for _ in range(5):
            await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    await checkpoint(ctx)
    kept = tmp_path / "kept.txt"
    shutil.copy(witness_file(ctx.settings), kept)
    async with ctx.db.transaction() as tx:  # erased, with the checkpoints and the head that would show it
        for trigger in ("events_append_only_delete", "checkpoints_append_only_delete"):
            await tx.execute(f"DROP TRIGGER {trigger}")
        await tx.execute("DELETE FROM events WHERE seq > ?", (end_of_first,))
        await tx.execute("DELETE FROM checkpoints")
        tx.forget("events.tail")  # the insider's own process knows nothing of the bot's memo
    (ctx.settings.keys_dir / eventmacs.HEAD_FILE).unlink()
    witness_file(ctx.settings).unlink()
    bundle = await export(ctx, tmp_path / "after")
    assert not failing(verify_bundle(bundle, trusted))
    said = failing(verify_bundle(bundle, trusted, witness=kept))
    assert len(said) == 1 and "out of date: export again" in said[0], said
    async with ctx.db.transaction() as tx:  # the log grows past the old size again: a fork, not a prefix
        for _ in range(8):
            await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    bundle = await export(ctx, tmp_path / "later")
    said = failing(verify_bundle(bundle, trusted, witness=kept))
    assert len(said) == 1 and "line 7" in said[0] and ("rewritten" in said[0] or "no longer" in said[0]), said


async def test_the_bot_refuses_a_database_behind_its_published_checkpoints(
        ctx: AppContext, settings: Settings, clock: FakeClock, tmp_path: Path) -> None:
    await run_consultation(ctx)
    await settled()
    copy = backup.backup(settings.db_path, tmp_path / "last-week.db").path
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    await checkpoint(ctx)
    await ctx.db.close()
    shutil.copy(copy, settings.db_path)  # rolled back by hand, the head in keys/ too
    (settings.keys_dir / eventmacs.HEAD_FILE).unlink()
    async with open_context(settings, clock) as rolled:
        with pytest.raises(RollbackRefusedError, match="--accept-rollback"):
            await check_published(rolled.db, witness_file(settings))
        runner = BotRunner(rolled, Endpoint.for_api_url("1:unused", "http://127.0.0.1:9/bot"))
        with pytest.raises(RollbackRefusedError, match="consult db restore FILE --accept-rollback"):
            await runner.start()  # refused before it reaches Telegram or appends anything
    line = await check_event_log(settings)
    assert not line.ok and "published a checkpoint of" in line.detail, line


async def test_an_accepted_rollback_is_recorded_and_published_as_such(
        ctx: AppContext, settings: Settings, clock: FakeClock, tmp_path: Path, trusted: trusting.Trust) -> None:
    await run_consultation(ctx)
    await settled()
    copy = backup.backup(settings.db_path, tmp_path / "last-week.db").path
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    await checkpoint(ctx)
    await ctx.db.close()
    (settings.keys_dir / eventmacs.HEAD_FILE).unlink()  # only the published checkpoint still knows
    cli = CliRunner()
    refused = await asyncio.to_thread(cli.invoke, app, ["db", "restore", str(copy)])
    assert refused.exit_code == 2 and "--accept-rollback" in refused.output, refused.output
    accepted = await asyncio.to_thread(cli.invoke, app, ["db", "restore", str(copy), "--accept-rollback"])
    assert accepted.exit_code == 0 and "published" in accepted.output, accepted.output
    last = note.parse_many(witness_file(settings).read_text())[-1][1].checkpoint
    assert last.rollback() is not None
    async with open_context(settings, clock) as reopened:
        await check_published(reopened.db, witness_file(settings))  # the bot starts again
        async with reopened.db.reading() as tx:
            assert (await all_events(tx))[-1].type == "log_rolled_back"
        out = tmp_path / "after-rollback"
        await export_bundle(reopened, 1, out, "auditor-1", pdf=False)
    checks = verify_bundle(out, trusted, witness=witness_file(settings))
    assert not failing(checks), failing(checks)
    assert "abandoned by the rollback" in str(checks[-1]), str(checks[-1])


@pytest.mark.parametrize(("forge", "said"), [
    ("another key", "not signed by the trusted key"),
    ("another origin", "origin «rapid-consult/elsewhere»"),
    ("a bad line", "line 8: the tree size 'twelve'"),
])
async def test_a_witness_from_another_key_or_origin_or_with_a_bad_line_is_named(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust, forge: str, said: str) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    await run_consultation(ctx)
    bundle = await export(ctx, tmp_path / "bundle")
    genuine = note.parse_many(witness_file(ctx.settings).read_text())[-1][1]
    point = genuine.checkpoint
    if forge == "another key":
        extra = note.sign(point, Ed25519PrivateKey.generate()).text()
    elif forge == "another origin":
        extra = note.sign(Checkpoint("rapid-consult/elsewhere", point.size, point.root), ctx.keys.signing_key()).text()
    else:
        extra = genuine.text().replace(f"\n{point.size}\n", "\ntwelve\n")
    witness = tmp_path / "witness.txt"
    witness.write_text(f"{genuine.text()}\n{extra}")
    problems = failing(verify_bundle(bundle, trusted, witness=witness))
    assert len(problems) == 1 and said in problems[0] and "witness.txt" in problems[0], problems
    cli = await asyncio.to_thread(CliRunner().invoke, app, [
        "verify", str(bundle), "--allowed-signers", str(tmp_path / "published_signers"), "--witness", str(witness),
        "--no-ssh-keygen"])
    assert cli.exit_code == 1 and said in cli.output, cli.output


async def test_every_checkpoint_is_posted_once_to_the_auditors_chat_through_the_outbox(ctx: AppContext) -> None:
    from dataclasses import replace

    from bot.store.repos import outbox
    from bot.telegram.sender import OutboxSender

    auditors = -100777
    ctx = replace(ctx, settings=ctx.settings.model_copy(update={"auditors_chat_id": auditors}))
    await run_consultation(ctx)
    await settled()
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    made = await make_checkpoint(ctx.db, ctx.keys, ctx.clock, publishing=Publishing.for_context(ctx))
    assert made is not None and made.note is not None
    await make_checkpoint(ctx.db, ctx.keys, ctx.clock, publishing=Publishing.for_context(ctx))  # nothing new
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT dedup_key, chat_id FROM outbox WHERE kind = 'checkpoint' ORDER BY id")
    assert [(r["dedup_key"], r["chat_id"]) for r in rows] == [("checkpoint:1", auditors), ("checkpoint:2", auditors)]

    class Bot:
        def __init__(self) -> None:
            self.calls: list[dict[str, object]] = []

        async def do_api_request(self, method: str, api_kwargs: dict[str, object]) -> dict[str, object]:
            self.calls.append(dict(api_kwargs))
            return {"message_id": 100 + len(self.calls), "message_thread_id": 7}

    bot = Bot()
    sender = OutboxSender(ctx, bot)  # type: ignore[arg-type]
    for _ in range(20):
        await sender.tick()
        await asyncio.gather(*sender._tasks)
        async with ctx.db.reading() as tx:
            if not await outbox.pending_count(tx):
                break
    posted = [call["text"] for call in bot.calls if call.get("chat_id") == auditors]
    assert posted[-1] == made.note and note.parse(str(posted[-1])).checkpoint.size == made.body.log_size


async def test_consult_checkpoint_prints_the_note_alone(ctx: AppContext, settings: Settings) -> None:
    await run_consultation(ctx)
    await settled()
    async with ctx.db.transaction() as tx:
        await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
    await ctx.db.close()
    result = await asyncio.to_thread(CliRunner().invoke, app, ["checkpoint"])
    assert result.exit_code == 0, result.output
    signed = note.parse(result.stdout)
    assert signed.checkpoint.size == note.parse_many(witness_file(settings).read_text())[-1][1].checkpoint.size


async def test_after_many_checkpoints_the_bundle_carries_the_tree_not_a_proof_per_checkpoint(
        ctx: AppContext, tmp_path: Path, trusted: trusting.Trust) -> None:
    """A consistency proof per published checkpoint grows without end (one every
    CONSULT_CHECKPOINT_MINUTES for years); once they would hold more hashes than the tree has leaves,
    the bundle carries the leaves instead, and every witnessed checkpoint is still checked."""
    await run_consultation(ctx)
    await settled()
    for _ in range(30):  # thirty checkpoints of two events each: proofs would outgrow the tree
        async with ctx.db.transaction() as tx:
            for _ in range(2):
                await append_event(tx, ctx.clock, "noted", consultation_id=None, actor="coord-1")
        await checkpoint(ctx)
    kept = tmp_path / "kept.txt"
    shutil.copy(witness_file(ctx.settings), kept)
    bundle = await export(ctx, tmp_path / "bundle")
    log = json.loads((bundle / "transcript.json").read_text(encoding="utf-8"))["log"]
    size = note.parse(log["note"]).checkpoint.size
    assert log["consistency"] == [] and len(log["leaves"]) <= 4 * (32 * size + 2) // 3 + 4  # 32 bytes an event
    checks = verify_bundle(bundle, trusted, witness=kept)
    assert not failing(checks), failing(checks)
    assert str(checks[-1]).count("recomputed from the tree's leaves") >= 30, str(checks[-1])
    await rewrite_as_key_holder(ctx)  # the operator rewrites the log: the kept notes still catch it
    forged = await export(ctx, tmp_path / "forged")
    said = failing(verify_bundle(forged, trusted, witness=kept))
    assert len(said) == 1 and any(why in said[0] for why in ("not a prefix", "same size", "no longer has it")), said
