"""End-to-end fixtures: the real sandbox over HTTP, the real bot through python-telegram-bot, a real
SQLite file. Only the clock and, where noted, the guard may be stand-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.config import Settings, shipped_dir
from bot.context import AppContext, open_context
from bot.policy.files import load_roster, load_routing
from bot.runtime import BotRunner, Endpoint, default_guard
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer, SeedPerson
from bot.services.roster import import_roster_file
from tests.conftest import EXAMPLE_ROSTER

TOKEN = "5000000001:test-token"


def seed(server: SandboxServer) -> int:
    roster = load_roster(EXAMPLE_ROSTER, load_routing(shipped_dir("policies")))
    return server.seed_roster([SeedPerson(p.telegram_user_id, p.name) for p in roster.people
                               if p.telegram_user_id is not None])


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(rate_limits=False)
    await server.start()
    seed(server)
    yield server
    await server.stop()


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.base_url) as control:
        yield control


@pytest.fixture
async def app_context(settings: Settings, sandbox: SandboxServer) -> AsyncIterator[AppContext]:
    async with open_context(settings, SystemClock()) as ctx:
        ctx.group_chat_id = sandbox.group_chat_id
        ctx.guard = default_guard(settings)
        await import_roster_file(ctx, EXAMPLE_ROSTER)
        yield ctx


@pytest.fixture
async def bot(app_context: AppContext, sandbox: SandboxServer) -> AsyncIterator[BotRunner]:
    runner = BotRunner(app_context, Endpoint.for_api_url(TOKEN, sandbox.api_url))
    await runner.start()
    yield runner
    await runner.stop()


@asynccontextmanager
async def running_bot(settings: Settings, server: SandboxServer, roster: Path,
                      group: int | None = None) -> AsyncIterator[BotRunner]:
    """The real bot in this process against `server`, with `roster` imported; stopped on exit."""
    async with open_context(settings, SystemClock()) as ctx:
        ctx.group_chat_id = group if group is not None else server.group_chat_id
        ctx.guard = default_guard(settings)
        await import_roster_file(ctx, roster)
        runner = BotRunner(ctx, Endpoint.for_api_url(TOKEN, server.api_url))
        await runner.start()
        try:
            yield runner
        finally:
            await runner.stop()
