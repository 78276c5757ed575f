"""`consult db backup|restore` and `consult retention apply` as an operator runs them."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.commands import db_commands, retention_commands  # noqa: F401 - registers the commands
from bot.composition import open_context
from bot.config import Settings
from bot.store.runlock import hold_run_lock, is_running

cli = CliRunner()


def make_database(settings: Settings) -> None:
    async def go() -> None:
        async with open_context(settings) as ctx, ctx.db.transaction() as tx:
            await tx.execute("INSERT INTO agencies (key, name) VALUES ('mofa', 'Bộ Ngoại giao')")
    asyncio.run(go())


def test_backup_then_restore(settings: Settings, tmp_path: Path) -> None:
    make_database(settings)
    target = tmp_path / "backups" / "consult-1.db"
    result = cli.invoke(app, ["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists() and (target.stat().st_mode & 0o077) == 0
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "-c", target.name + ".sha256"], cwd=target.parent, check=True,
                       capture_output=True)
    again = cli.invoke(app, ["db", "backup", str(target)])
    assert again.exit_code == 2 and "never overwrites" in again.output

    with hold_run_lock(settings.data_dir):
        assert is_running(settings.data_dir)
        refused = cli.invoke(app, ["db", "restore", str(target)])
        assert refused.exit_code == 2 and "stop it before restoring" in refused.output
    assert not is_running(settings.data_dir)
    restored = cli.invoke(app, ["db", "restore", str(target)])
    assert restored.exit_code == 0, restored.output
    assert list(settings.data_dir.glob("consult.db.before-restore-*"))
    import sqlite3

    with sqlite3.connect(settings.db_path) as connection:
        assert connection.execute("SELECT name FROM agencies").fetchall() == [("Bộ Ngoại giao",)]


def test_a_second_bot_on_the_same_data_is_refused(settings: Settings) -> None:
    from bot.store.runlock import AlreadyRunningError

    with hold_run_lock(settings.data_dir), pytest.raises(AlreadyRunningError), hold_run_lock(settings.data_dir):
        pass


def test_retention_apply_reports(settings: Settings) -> None:
    make_database(settings)
    result = cli.invoke(app, ["retention", "apply", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "retention (365 days): would shred 0 consultation(s)" in result.output
