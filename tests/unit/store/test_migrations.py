from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import shipped_dir
from bot.errors import MigrationError
from bot.store import migrations
from bot.store.db import Database


@pytest.fixture
def migration_dir(tmp_path: Path) -> Path:
    target = tmp_path / "migrations"
    shutil.copytree(shipped_dir("migrations"), target)
    return target


async def test_applies_once_in_order(tmp_path: Path, migration_dir: Path) -> None:
    shipped = [m.version for m in migrations.discover(migration_dir)]
    (migration_dir / "9000_extra.sql").write_text("CREATE TABLE extra (id INTEGER PRIMARY KEY);\n")
    db = await Database.open(tmp_path / "c.db")
    try:
        applied = await migrations.upgrade(db, migration_dir, FakeClock())
        assert [m.version for m in applied] == [*shipped, 9000]
        assert shipped == sorted(shipped) and shipped[0] == 1
        assert await migrations.upgrade(db, migration_dir, FakeClock()) == []
    finally:
        await db.close()


async def test_edited_migration_is_refused(tmp_path: Path, migration_dir: Path) -> None:
    db = await Database.open(tmp_path / "c.db")
    try:
        await migrations.upgrade(db, migration_dir, FakeClock())
        path = migration_dir / "0001_init.sql"
        path.write_text(path.read_text() + "\n-- a harmless looking edit\n")
        with pytest.raises(MigrationError, match="0001_init.sql was changed after it was applied"):
            await migrations.upgrade(db, migration_dir, FakeClock())
    finally:
        await db.close()


async def test_failed_migration_rolls_back_whole(tmp_path: Path, migration_dir: Path) -> None:
    (migration_dir / "9001_bad.sql").write_text("CREATE TABLE half (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n")
    db = await Database.open(tmp_path / "c.db")
    try:
        with pytest.raises(MigrationError, match="9001_bad.sql failed and was rolled back"):
            await migrations.upgrade(db, migration_dir, FakeClock())
        async with db.reading() as tx:
            assert await tx.fetchval("SELECT count(*) FROM sqlite_master WHERE name = 'half'") == 0
            assert await tx.fetchval("SELECT max(version) FROM schema_migrations") < 9000
    finally:
        await db.close()


async def test_connection_policy_and_append_only_events(tmp_path: Path, migration_dir: Path) -> None:
    db = await Database.open(tmp_path / "c.db")
    try:
        await migrations.upgrade(db, migration_dir, FakeClock())
        async with db.reading() as tx:
            assert await tx.fetchval("PRAGMA journal_mode") == "wal"
            assert await tx.fetchval("PRAGMA foreign_keys") == 1
            assert await tx.fetchval("PRAGMA busy_timeout") == 5000
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO people (key, name, agency_key) VALUES ('x', 'X', 'no-such-agency')")
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO events (seq, at, type, data, prev_hash, log_prev_hash, hash)"
                " VALUES (1, 'now', 't', '{}', 'a', 'b', 'c')"
            )
        for statement in ("UPDATE events SET type = 'x'", "DELETE FROM events"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                async with db.transaction() as tx:
                    await tx.execute(statement)
    finally:
        await db.close()


def test_misnamed_file_is_refused(migration_dir: Path) -> None:
    (migration_dir / "2_bad.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_name.sql"):
        migrations.discover(migration_dir)


def test_split_keeps_triggers_whole() -> None:
    sql = "CREATE TABLE a (x);\nCREATE TRIGGER t BEFORE DELETE ON a\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n-- end\n"
    assert len(migrations.split_statements(sql)) == 2


def test_every_migration_after_the_postgresql_baseline_has_its_twin() -> None:
    """A schema change made for one engine only would leave the other behind: each SQLite migration
    after the baseline has a PostgreSQL file of the same number and name, and no file stands alone."""
    shipped = shipped_dir("migrations")
    sqlite = {(m.version, m.name) for m in migrations.discover(shipped)}
    postgres = migrations.discover(shipped / migrations.POSTGRES_FOLDER)
    baseline = postgres[0]
    assert baseline.name == "baseline" and (baseline.version, "chat_titles") in sqlite
    assert {(m.version, m.name) for m in postgres[1:]} == {(v, n) for v, n in sqlite if v > baseline.version}
