"""The command line on a PostgreSQL store: `consult db upgrade` builds its schema, `consult doctor`
checks the engine, and the SQLite file's own tools refuse with what to use instead."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.commands import db_commands, doctor_checks  # noqa: F401 - registers the commands
from bot.config import Settings
from tests.support.postgres import Server, requires_postgres

cli = CliRunner()
pytestmark = requires_postgres


@pytest.fixture
def on_postgres(settings: Settings, postgres_server: Server, monkeypatch: pytest.MonkeyPatch) -> str:
    url = postgres_server.new_database()
    monkeypatch.setenv("CONSULT_DATABASE_URL", url)
    return url


def test_upgrade_builds_the_schema_then_says_it_is_up_to_date(on_postgres: str) -> None:
    first = cli.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "applied 0011_baseline" in first.output
    again = cli.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and "up to date" in again.output
    assert on_postgres.rsplit("/", 1)[1] in again.output  # names the database, never a password


def test_doctor_checks_the_server_its_schema_and_the_event_log(on_postgres: str) -> None:
    from bot.config import load_settings

    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    settings = load_settings()
    lines = asyncio.run(doctor_checks.check_database(settings))
    assert [(line.ok, line.name) for line in lines] == [(True, "database"), (True, "migrations"),
                                                        (True, "leader lease"), (True, "replication"),
                                                        (True, "failed updates")]
    assert "no instance has led yet" in lines[2].detail
    assert "PostgreSQL 1" in lines[0].detail
    event_log = asyncio.run(doctor_checks.check_event_log(settings))
    assert event_log.ok, event_log


def test_backup_and_restore_point_to_the_servers_tools(on_postgres: str, tmp_path: object) -> None:
    for arguments in (["db", "backup", "copy.db"], ["db", "restore", "copy.db"]):
        result = cli.invoke(app, arguments)
        assert result.exit_code != 0
        assert "pg_dump" in result.output, result.output


def test_a_url_that_is_not_postgresql_is_refused_by_name(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_DATABASE_URL", "mysql://somewhere/db")
    result = cli.invoke(app, ["db", "upgrade"])
    assert result.exit_code != 0
    assert "CONSULT_DATABASE_URL" in result.output and "postgresql://" in result.output


async def test_doctor_names_the_leader_while_it_leads(on_postgres: str) -> None:
    from bot.config import load_settings
    from bot.store.engine import open_database
    from bot.store.postgres import LeaderLease, PgDatabase

    assert (await asyncio.to_thread(cli.invoke, app, ["db", "upgrade"])).exit_code == 0
    settings = load_settings()
    db = await open_database(on_postgres, settings.db_path)
    assert isinstance(db, PgDatabase)
    lease = LeaderLease(db, "node-a:123")
    try:
        assert await lease.try_lead() == 1
        second = LeaderLease(db, "node-b:456")
        assert await second.try_lead() is None  # one leader at a time
        await second.close()
        lines = {line.name: line for line in await doctor_checks.check_database(settings)}
        assert "held by node-a:123 (generation 1" in lines["leader lease"].detail
        await lease.close()
        lines = {line.name: line for line in await doctor_checks.check_database(settings)}
        assert "free: the last leader was node-a:123" in lines["leader lease"].detail
        assert await second.try_lead() == 2  # the lead passes on, counted
        await second.close()
    finally:
        await lease.close()
        await db.close()
