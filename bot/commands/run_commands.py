"""`consult run`: the bot, against Telegram, any Bot API server, or the embedded sandbox."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.clock import Clock, ScaledClock, SystemClock
from bot.commands.apps import app, friendly_errors
from bot.commands.sandbox_probe import discover_sandbox_group, is_sandbox
from bot.composition import compose, default_guard
from bot.config import Settings, load_settings, shipped_dir
from bot.datafolder import SANDBOX_STATE_FILE, check_deployment_folder, prepare_sandbox_folder, sandbox_folder
from bot.errors import ConfigError, UsageError
from bot.guard.engine import Guard
from bot.guard.ocr import ocr_status
from bot.logs import configure
from bot.runtime import BotRunner
from bot.sandbox.server import SANDBOX_TOKEN
from bot.services.kernel.context import AppContext
from bot.services.people.roster import import_roster_file
from bot.store import backup
from bot.store.keycheck import open_data_keys
from bot.store.keys import KeyStore
from bot.store.repos import updates
from bot.store.runlock import hold_run_lock
from bot.stores import Stores, open_stores
from bot.telegram.endpoint import TELEGRAM, Endpoint, Webhook
from bot.telegram.webhook import parse_listen

if TYPE_CHECKING:
    from bot.sandbox.server import SandboxServer

DEFAULT_ROSTER = shipped_dir("policies") / "roster.example.yaml"




async def _serve_until_signal(runner: BotRunner) -> None:
    """Run until SIGINT or SIGTERM, which are honoured whenever they come, during the start too.

    Not with asyncio's `add_signal_handler`: it learns of a signal through the loop's self-pipe,
    which every thread's `call_soon_threadsafe` (each database operation's completion) also writes
    to; while the start keeps the loop busy (re-arming 2,000 steps, firing the overdue ones) the pipe
    fills and the signal's byte is dropped — a SIGTERM lost, the bot running on. A handler set with
    `signal.signal` runs in the main thread between two bytecodes, whatever the pipe holds."""
    loop = asyncio.get_running_loop()

    def stop(signum: int, frame: object) -> None:
        # Queued even when the self-pipe is full (only the wake-up byte is dropped, and a busy loop
        # needs no waking); never set directly, since a handler may run in the middle of the loop.
        loop.call_soon_threadsafe(runner.stop_event.set)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        await runner.start()
        if not runner.stop_event.is_set():
            await runner.prewarm()
        try:
            await runner.wait()
        finally:
            await runner.stop()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _compose(stores: Stores, group_chat_id: int | None) -> AppContext:
    """The bot's context, with the deployment's guard in it from the start."""
    guard = default_guard(stores.settings)
    typer.echo(images_line(guard))
    return compose(stores, guard=guard, guard_file_limit=guard.policy.max_file_bytes, group_chat_id=group_chat_id)


async def _import_roster(ctx: AppContext, roster: Path | None) -> None:
    if roster is not None:
        summary = await import_roster_file(ctx, roster)
        typer.echo(f"roster: {summary.people} people from {roster}")


def images_line(guard: Guard) -> str:
    """What happens to images, said at start: read by OCR, or all blocked (and why)."""
    if guard.policy.images == "block":
        return "images: blocked (the guard policy says images: block)"
    status = ocr_status()
    if not status.available:
        return f"images: BLOCKED, fail closed: {status.detail}"
    return f"images: read by OCR ({status.detail})"


def clock_for(settings: Settings) -> Clock:
    return SystemClock() if settings.clock_speed == 1 else ScaledClock(settings.clock_speed)


def seed_sandbox(server: SandboxServer, settings: Settings, roster_path: Path) -> int:
    """Give every rostered person with a Telegram id a sandbox account, and create the group."""
    from bot.policy.files import load_roster, load_routing
    from bot.sandbox.server import SeedPerson
    from bot.services.presentation.people_labels import person_labels

    routing = load_routing(settings.policy_dir)
    roster = load_roster(roster_path, routing)
    labels = person_labels(roster, routing)  # the page speaks Vietnamese
    return server.seed_roster([
        SeedPerson(telegram_user_id=p.telegram_user_id, name=p.name, language_code=p.language or "vi",
                   role=labels[p.key].role, agency=labels[p.key].agency)
        for p in roster.people if p.telegram_user_id is not None
    ])


@app.command("run")
@friendly_errors
def run(
    sandbox: bool = typer.Option(False, "--sandbox", help="Run against the embedded sandbox (no token, no network)"),
    host: str = typer.Option("127.0.0.1", help="Sandbox address"),
    port: int = typer.Option(8080, help="Sandbox port"),
    api_url: str = typer.Option(None, "--api-url", help="Bot API base, e.g. http://127.0.0.1:8080/bot"),
    group_chat_id: int = typer.Option(None, "--group-chat-id", help="The coordination supergroup"),
    roster: Path = typer.Option(None, "--roster", help="Import this roster at start"),
    webhook: bool = typer.Option(False, "--webhook", help="Receive updates by webhook instead of long polling"),
    listen: str = typer.Option("127.0.0.1:8443", "--listen", help="Webhook: HOST:PORT to listen on"),
    public_url: str = typer.Option(None, "--public-url", help="Webhook: the HTTPS URL Telegram posts to"),
    data_dir: Path = typer.Option(None, "--data-dir",
                                  help="The data folder (default CONSULT_DATA_DIR; against a sandbox, its "
                                       "sandbox/ subfolder)"),
) -> None:
    """Run the bot (long polling by default; --webhook behind a TLS reverse proxy)."""
    settings = load_settings()
    hook = None
    if webhook:
        if not public_url:
            raise UsageError("--webhook needs --public-url, e.g. https://consult.example.gov.vn/telegram")
        try:
            parse_listen(listen)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        hook = Webhook(listen, public_url)
    configure(settings.log_level, settings.log_format)
    if sandbox:
        settings = _on_sandbox_folder(settings, data_dir)
        with hold_run_lock(settings.data_dir):
            asyncio.run(_run_with_sandbox(settings, host, port, roster or DEFAULT_ROSTER))
        return
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else None
    if api_url and not token:
        token = SANDBOX_TOKEN  # a Bot API stand-in accepts any well-formed token
    if not token:
        raise ConfigError(
            "no bot token: set CONSULT_TELEGRAM_TOKEN (from @BotFather), or try the product with "
            "`consult run --sandbox`, which needs no token and no network"
        )
    endpoint = Endpoint.for_api_url(token, api_url or settings.api_url)
    if endpoint.api_url != TELEGRAM.api_url and asyncio.run(is_sandbox(endpoint)):
        settings = _on_sandbox_folder(settings, data_dir)
        typer.echo(f"{endpoint.root} is a sandbox: data folder {settings.data_dir}")
        if group_chat_id is None:  # against a sandbox the coordination group defaults to its forum
            group_chat_id = asyncio.run(discover_sandbox_group(endpoint))
    else:
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": data_dir})
        check_deployment_folder(settings.data_dir)
        settings.ensure_data_dir()

    async def main() -> None:
        async with open_stores(settings, clock_for(settings)) as stores:
            ctx = _compose(stores, group_chat_id)
            await _import_roster(ctx, roster)
            await _serve_until_signal(BotRunner(ctx, endpoint, webhook=hook))

    with hold_run_lock(settings.data_dir):
        # Before anything is served: a master key that cannot open the data keys would otherwise
        # pass the start and fail at the first /status, for every consultation.
        open_data_keys(settings.db_path, KeyStore(settings.keys_dir))
        for left in backup.remove_stale_leftovers(settings.data_dir):
            typer.echo(f"removed {left.name}: a copy a killed backup or restore left behind", err=True)
        asyncio.run(main())


def _on_sandbox_folder(settings: Settings, chosen: Path | None) -> Settings:
    """The settings with the sandbox's own data folder, marked, with keys of its own."""
    folder = prepare_sandbox_folder(sandbox_folder(settings.data_dir, chosen))
    settings = settings.model_copy(update={"data_dir": folder})
    settings.ensure_data_dir()
    created = KeyStore(settings.keys_dir).init()
    if created:
        typer.echo(f"created keys in {settings.keys_dir}")
    return settings


async def _run_with_sandbox(settings: Settings, host: str, port: int, roster: Path) -> None:
    """The sandbox keeps its world (chats, topics, messages, update numbers) beside the bot's
    database, so a restart goes on where it stopped: the bot's records and the sandbox agree."""
    from bot.sandbox.server import SandboxServer

    server = SandboxServer(state_file=settings.data_dir / SANDBOX_STATE_FILE)
    async with open_stores(settings, clock_for(settings)) as stores:
        async with stores.db.reading() as tx:
            server.continue_after(await updates.latest_claimed(tx))
        await server.start(host, port)
        try:
            ctx = _compose(stores, seed_sandbox(server, settings, roster))
            await _import_roster(ctx, roster)
            typer.echo(f"sandbox web chat: {server.base_url}/")
            typer.echo(f"data directory: {settings.data_dir}; press Ctrl-C to stop")
            await _serve_until_signal(BotRunner(ctx, Endpoint.for_api_url(SANDBOX_TOKEN, server.api_url)))
        finally:
            await server.stop()


@app.command("demo")
@friendly_errors
def demo(speed: float = typer.Option(60.0, help="How many times faster than real time the clock runs")) -> None:
    """A scripted consultation end to end in compressed time against the sandbox, narrated."""
    from bot.demo import run_demo

    configure("WARNING", "text")
    raise typer.Exit(asyncio.run(run_demo(typer.echo, speed)))
