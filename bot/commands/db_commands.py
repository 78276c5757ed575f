"""`consult db ...`"""

from __future__ import annotations

import asyncio

import typer

from bot.cli import db_app, friendly_errors
from bot.clock import SystemClock
from bot.config import load_settings, shipped_dir
from bot.store import migrations
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
