"""`consult db ...`"""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bot.clock import SystemClock
from bot.commands.apps import db_app, friendly_errors
from bot.config import load_settings, shipped_dir
from bot.store import backup, migrations, runlock
from bot.store.db import Database


@db_app.command("upgrade")
@friendly_errors
def upgrade() -> None:
    """Apply pending migrations, each once, in order."""
    settings = load_settings()
    settings.ensure_data_dir()

    async def run() -> list[migrations.Migration]:
        db = await Database.open(settings.db_path)
        try:
            return await migrations.upgrade(db, shipped_dir("migrations"), SystemClock())
        finally:
            await db.close()

    applied = asyncio.run(run())
    if not applied:
        typer.echo(f"{settings.db_path}: up to date")
    for migration in applied:
        typer.echo(f"applied {migration.version:04d}_{migration.name}")


@db_app.command("backup")
@friendly_errors
def backup_command(target: Path = typer.Argument(..., help="Where to write the copy (never overwritten)")) -> None:
    """An online, consistent copy of the database (safe while the bot runs), with a .sha256 file."""
    settings = load_settings()
    result = backup.backup(settings.db_path, target)
    typer.echo(f"backup: {result.path} ({result.size:,} bytes), sha256 {result.sha256}")
    typer.echo(f"checksum: {result.checksum_path} (check with: sha256sum -c {result.checksum_path.name})")
    typer.echo(f"the copy is ciphertext: keep a copy of {settings.keys_dir} too, stored apart from it")


@db_app.command("restore")
@friendly_errors
def restore_command(source: Path = typer.Argument(..., help="A file written by `consult db backup`")) -> None:
    """Replace the database with a verified backup (the bot must be stopped; the old file is kept)."""
    settings = load_settings()
    settings.ensure_data_dir()
    if runlock.is_running(settings.data_dir):
        raise runlock.AlreadyRunningError(f"the bot is running on {settings.data_dir}; stop it before restoring")
    kept = backup.restore(source, settings.db_path)
    typer.echo(f"restored {source} -> {settings.db_path} (checksum and integrity verified)")
    if kept is not None:
        typer.echo(f"the database it replaced is kept as {kept}")
    typer.echo("next: `consult doctor`, then start the bot")
