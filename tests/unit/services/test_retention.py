"""Retention shreds exactly the consultations it should; everything else stays readable and the
chain, and transcripts exported before, still verify."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import rfc8785

from bot.audit.trust import from_deployment
from bot.audit.verify import verify_bundle
from bot.clock import FakeClock
from bot.config import shipped_dir
from bot.domain.chain import check_log
from bot.domain.retention import RetentionPolicy
from bot.policy.files import load_retention_policy
from bot.services import comments, retention
from bot.services.consultations import managing
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.reports.exporting import export_bundle
from bot.store.datakeys import DataKeyShreddedError, load_data_key
from bot.store.events import all_events
from bot.store.repos import consultations
from tests.support import KeywordGuard
from tests.support.flow import COORD, GROUP, MOIT, open_one, person_command, run
from tests.support.postgres import Server, requires_postgres

POLICY = RetentionPolicy(closed_content_days=365)


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def comment_on(ctx: AppContext, consultation: int, text: str, message_id: int) -> None:
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE participants SET invitation_message_id = ? WHERE consultation_id = ?"
                         " AND person_key = 'moit-1'", (1000 + consultation, consultation))
    incoming = Incoming(MOIT, MOIT, message_id, text, reply_to_message_id=1000 + consultation)
    await run(ctx, MOIT, "comment", lambda uow: comments.comment(uow, incoming))


async def readable(ctx: AppContext, consultation: int) -> list[str | None]:
    async with ctx.db.reading() as tx:
        key = await load_data_key(tx, ctx.keys, consultation)
        return [m.text for m in await consultations.messages(tx, key, consultation)]


async def test_shreds_exactly_the_old_ones(ctx: AppContext, tmp_path: Path) -> None:
    clock = ctx.clock
    assert isinstance(clock, FakeClock)
    for number in (1, 2, 3):
        await open_one(ctx, f"2h aec: Tham vấn số {number}")
        await comment_on(ctx, number, f"Ý kiến về số {number}", 10 + number)
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    clock.advance(timedelta(days=200))
    await person_command(managing.cancel, COORD, "2", "/cancel")(ctx)
    exported = tmp_path / "bundle-1"
    await export_bundle(ctx, 1, exported, "auditor-1", pdf=False)
    clock.advance(timedelta(days=200))  # #1 ended 400 days ago, #2 200 days ago, #3 is open

    assert [s.consultation_id for s in await retention.apply(ctx, POLICY, dry_run=True)] == [1]
    assert await readable(ctx, 1) == ["Ý kiến về số 1"]  # a dry run changes nothing
    assert [s.consultation_id for s in await retention.apply(ctx, POLICY)] == [1]
    assert await retention.apply(ctx, POLICY) == []  # idempotent

    with pytest.raises(DataKeyShreddedError):
        await readable(ctx, 1)
    async with ctx.db.reading() as tx:
        with pytest.raises(DataKeyShreddedError):
            await consultations.get(tx, ctx.keys, 1)
        events = await all_events(tx)
    assert await readable(ctx, 2) == ["Ý kiến về số 2"] and await readable(ctx, 3) == ["Ý kiến về số 3"]
    assert check_log(events) == []
    shredded = [e for e in events if e.type == "shredded"]
    assert [(e.consultation_id, e.data["retention_days"]) for e in shredded] == [(1, 365)]
    checks = verify_bundle(exported, from_deployment(ctx.keys))
    assert all(check.ok for check in checks), [str(c) for c in checks]


async def test_null_keeps_forever_and_the_shipped_policy_loads(ctx: AppContext) -> None:
    await open_one(ctx)
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    assert isinstance(ctx.clock, FakeClock)
    ctx.clock.advance(timedelta(days=5000))
    assert await retention.apply(ctx, RetentionPolicy(closed_content_days=None)) == []
    assert load_retention_policy(shipped_dir("policies")).closed_content_days == 365



@pytest.mark.one_engine
@pytest.mark.parametrize("engine", [pytest.param("postgres", marks=requires_postgres)], indirect=True)
async def test_on_postgresql_the_destroyed_key_leaves_its_table_files(ctx: AppContext, engine: str,
                                                                      postgres_server: Server) -> None:
    """PostgreSQL keeps an updated row's old version until VACUUM: the shredding's clean-up
    rewrites the keys' table, so its files no longer hold the key (its write-ahead log does until
    the server recycles it, as backups do: docs/operations.md)."""
    await open_one(ctx)
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    async with ctx.db.reading() as tx:
        wrapped = bytes(await tx.fetchval("SELECT wrapped FROM data_keys WHERE owner = 1"))

    def table_files() -> bytes:
        with psycopg.connect(postgres_server.url(ctx.settings.database_url_text.rsplit("/", 1)[1]),  # type: ignore[union-attr]
                             autocommit=True) as connection:
            connection.execute("CHECKPOINT")
            relation = connection.execute("SELECT pg_relation_filepath('data_keys')").fetchone()[0]  # type: ignore[index]
        base = postgres_server.folder / "data" / relation
        return b"".join(p.read_bytes() for p in base.parent.glob(base.name + "*"))

    assert wrapped in table_files()  # the probe works
    assert isinstance(ctx.clock, FakeClock)
    ctx.clock.advance(timedelta(days=400))
    assert [s.consultation_id for s in await retention.apply(ctx, POLICY)] == [1]
    assert wrapped not in table_files()

@pytest.mark.one_engine
async def test_no_copy_of_the_destroyed_key_stays_in_the_database_or_its_wal(ctx: AppContext) -> None:
    await open_one(ctx)
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    async with ctx.db.reading() as tx:
        wrapped = bytes(await tx.fetchval("SELECT wrapped FROM data_keys WHERE owner = 1"))
    wal = ctx.db.path.with_name(ctx.db.path.name + "-wal")
    assert wrapped in ctx.db.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")  # the probe works

    assert isinstance(ctx.clock, FakeClock)
    ctx.clock.advance(timedelta(days=400))
    assert [s.consultation_id for s in await retention.apply(ctx, POLICY)] == [1]
    on_disk = ctx.db.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert wrapped not in on_disk


async def test_a_shredded_consultation_is_exported_content_free_and_verifies(ctx: AppContext, tmp_path: Path) -> None:
    """Retention destroys the texts, not the record: the bundle keeps events, participants, positions and
    times, carries no text at all, and verifies (it used to refuse to export, leaving the chain unauditable)."""
    await open_one(ctx, "2h aec: Tham vấn sẽ bị hủy nội dung")
    await comment_on(ctx, 1, "Ý kiến sẽ bị hủy", 11)
    await person_command(managing.close, COORD, "1 Kết luận", "/close")(ctx)
    assert isinstance(ctx.clock, FakeClock)
    ctx.clock.advance(timedelta(days=400))
    assert [s.consultation_id for s in await retention.apply(ctx, POLICY)] == [1]

    exported = tmp_path / "shredded"
    await export_bundle(ctx, 1, exported, "auditor-1", pdf=False)
    document = (exported / "transcript.json").read_text(encoding="utf-8")
    assert "Tham vấn sẽ bị hủy" not in document and "Ý kiến sẽ bị hủy" not in document and "Kết luận" not in document
    data = json.loads(document)
    assert data["consultation"]["content"] == "shredded" and data["consultation"]["title"] is None
    assert data["messages"] and all(m["text"] is None for m in data["messages"])
    assert {p["person"] for p in data["participants"]} >= {"moit-1"}
    checks = verify_bundle(exported, from_deployment(ctx.keys))
    assert all(check.ok for check in checks), [str(c) for c in checks]
    assert "content-free" in str(next(c for c in checks if c.name == "consultation"))

    # A bundle that merely claims shredding to withhold texts, with no shredding in its chain, fails.
    forged = json.loads(document)
    assert forged["events"][-1]["type"] == "shredded"  # the last event: dropping it leaves the chain whole
    forged["events"] = forged["events"][:-1]
    copy = tmp_path / "forged"
    shutil.copytree(exported, copy)
    (copy / "transcript.json").write_bytes(rfc8785.dumps(forged))
    rows = next(c for c in verify_bundle(copy, from_deployment(ctx.keys)) if c.name.startswith("messages"))
    assert not rows.ok and "no shredding is in its chain" in rows.detail
