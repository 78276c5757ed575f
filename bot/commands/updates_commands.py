"""`consult updates failed`: the updates the bot set aside, for the operator to look at."""

from __future__ import annotations

import asyncio

import typer

from bot.commands.apps import friendly_errors, updates_app
from bot.composition import open_context
from bot.config import load_settings
from bot.services.kernel import setaside
from bot.store.repos.failed_updates import FailedUpdate


@updates_app.command("failed")
@friendly_errors
def failed(
    limit: int = typer.Option(100, "--limit", min=1, help="How many, the newest first"),
    forget: bool = typer.Option(False, "--forget", help="After listing them, forget them all (reviewed)"),
) -> None:
    """List updates set aside: a handler kept failing on them, or they could not be parsed. No content
    is kept: the update id, where it came from, which handler and which error type, and when."""
    settings = load_settings()

    async def run() -> tuple[list[FailedUpdate], int]:
        async with open_context(settings) as ctx:
            rows = await setaside.failed(ctx, limit)
            return rows, (await setaside.forget(ctx) if forget else 0)

    rows, forgotten = asyncio.run(run())
    if not rows:
        typer.echo("no updates set aside")
    for row in rows:
        typer.echo(f"{row.failed_at}  update {row.update_id}  {row.handler}: {row.error_type} after {row.attempts} "
                   f"tries  chat {row.chat_id if row.chat_id is not None else '-'}  "
                   f"user {row.user_id if row.user_id is not None else '-'}")
    if forget:
        typer.echo(f"forgot {forgotten} set-aside update(s)")
