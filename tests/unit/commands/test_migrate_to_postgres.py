"""`consult db migrate-to-postgres URL`: a deployment's SQLite store moved into an empty PostgreSQL
database, whole, checked on arrival; the bot goes on there where it stopped, and a transcript
exported on PostgreSQL verifies against the same keys."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.audit.trust import from_deployment
from bot.audit.verify import verify_bundle
from bot.cli import app
from bot.clock import FakeClock
from bot.commands import db_commands  # noqa: F401 - registers the commands
from bot.composition import open_context
from bot.config import Settings, load_settings
from bot.services.consultations import managing
from bot.services.kernel.context import AppContext
from bot.services.reports.exporting import export_bundle
from tests.support import KeywordGuard
from tests.support.flow import COORD, GROUP, open_one, person_command
from tests.support.postgres import Server, requires_postgres

cli = CliRunner()
pytestmark = requires_postgres
COUNTED = ("people", "consultations", "participants", "messages", "outbox", "events", "deadline_steps", "data_keys")


async def counts(settings: Settings) -> dict[str, int]:
    async with open_context(settings, FakeClock()) as ctx, ctx.db.reading() as tx:
        return {table: int(await tx.fetchval(f"SELECT count(*) FROM {table}")) for table in COUNTED}


async def test_a_deployment_moves_whole_and_goes_on_where_it_stopped(
        rostered: AppContext, settings: Settings, postgres_server: Server, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    ctx = replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())
    for number in (1, 2):
        await open_one(ctx, f"2h aec: Tham vấn số {number}")
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    before = await counts(settings)
    assert before["consultations"] == 2 and before["events"] > 5

    url = postgres_server.new_database()
    result = await asyncio.to_thread(cli.invoke, app, ["db", "migrate-to-postgres", url])
    assert result.exit_code == 0, result.output
    assert "event log checked on arrival" in result.output

    monkeypatch.setenv("CONSULT_DATABASE_URL", url)
    on_postgres = load_settings()
    assert await counts(on_postgres) == before
    async with open_context(on_postgres, FakeClock()) as moved:
        ctx = replace(moved, group_chat_id=GROUP, guard=KeywordGuard())
        await open_one(ctx, "2h aec: Tham vấn số 3")  # ids, chains and the outbox go on from the moved rows
        exported = tmp_path / "bundle-1"
        await export_bundle(ctx, 1, exported, "auditor-1", pdf=False)
        checks = verify_bundle(exported, from_deployment(ctx.keys))
        assert all(check.ok for check in checks), [str(c) for c in checks]
        async with ctx.db.reading() as tx:
            assert await tx.fetchval("SELECT max(id) FROM consultations") == 3

    # Refused twice over: the store is already on PostgreSQL, and that database is not empty.
    again = await asyncio.to_thread(cli.invoke, app, ["db", "migrate-to-postgres", url])
    assert again.exit_code != 0 and "already set" in again.output
    monkeypatch.delenv("CONSULT_DATABASE_URL")
    into_full = await asyncio.to_thread(cli.invoke, app, ["db", "migrate-to-postgres", url])
    assert into_full.exit_code != 0 and "not empty" in into_full.output, into_full.output
