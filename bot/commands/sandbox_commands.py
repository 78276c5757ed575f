"""`consult sandbox`: the Bot API sandbox alone, for a bot in another process."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

import typer

from bot.commands.apps import app, friendly_errors
from bot.config import load_settings
from bot.logs import configure


@app.command("sandbox")
@friendly_errors
def sandbox(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8080, help="Port to listen on"),
    roster: Path = typer.Option(None, "--roster", help="Create the roster's users and the coordination group"),
    state: Path = typer.Option(None, "--state", help="Keep the sandbox's state in this JSON file"),
    no_rate_limits: bool = typer.Option(False, "--no-rate-limits", help="Do not enforce Telegram's flood limits"),
) -> None:
    """Run the Telegram Bot API sandbox with its control API and web chat page."""
    from bot.commands.run_commands import seed_sandbox
    from bot.sandbox.server import SandboxServer

    settings = load_settings()
    configure(settings.log_level, settings.log_format)

    async def main() -> None:
        server = SandboxServer(rate_limits=not no_rate_limits, state_file=state)
        await server.start(host, port)
        if roster is not None:
            group = seed_sandbox(server, settings, roster)
            typer.echo(f"coordination group: {group}")
        typer.echo(f"sandbox web chat: {server.base_url}/")
        typer.echo(f"Bot API: {server.api_url} (any well-formed token); control API: {server.base_url}/sandbox/")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            await server.stop()

    asyncio.run(main())
