"""`consult doctor`: is this deployment healthy? One line per check; exit 0 only if all hold."""

from __future__ import annotations

import asyncio

import typer

from bot.commands.apps import app
from bot.config import load_settings
from bot.errors import ConfigError
from bot.sandbox.server import SANDBOX_TOKEN


@app.command("doctor")
def doctor(
    api_url: str = typer.Option(None, "--api-url", help="Bot API base to check instead of the configured one"),
    group_chat_id: int = typer.Option(None, "--group-chat-id", help="The coordination supergroup to check"),
) -> None:
    """Check settings, key files, database integrity and migrations, the Bot API and the bot's rights."""
    from bot.commands.doctor_checks import run_checks

    try:
        settings = load_settings()
    except ConfigError as exc:
        typer.secho(f"FAIL settings: {exc} -> fix the named setting (environment or .env)", fg=typer.colors.RED)
        raise typer.Exit(1) from None
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else None
    if api_url and not token:
        token = SANDBOX_TOKEN  # a Bot API stand-in (the sandbox) accepts any well-formed token
    lines = asyncio.run(run_checks(settings, token, api_url or settings.api_url,
                                   group_chat_id if group_chat_id is not None else settings.group_chat_id))
    for line in lines:
        typer.secho(str(line), fg=None if line.ok else typer.colors.RED)
    failed = sum(not line.ok for line in lines)
    typer.echo(f"{len(lines) - failed}/{len(lines)} checks hold" + ("" if not failed else f"; {failed} to fix"))
    raise typer.Exit(1 if failed else 0)
