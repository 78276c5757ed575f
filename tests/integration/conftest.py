"""End-to-end fixtures: the real sandbox over HTTP, the real bot through python-telegram-bot, a real
SQLite file. Only the clock and, where noted, the guard may be stand-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import SystemClock
from bot.composition import default_guard, open_context
from bot.config import Settings
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from bot.services.people.roster import import_roster_file
from bot.telegram.endpoint import Endpoint
from tests.support.e2e import TOKEN, seed
from tests.support.paths import EXAMPLE_ROSTER


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
    async with open_context(settings, SystemClock(), group_chat_id=sandbox.group_chat_id,
                            guard=default_guard(settings)) as ctx:
        await import_roster_file(ctx, EXAMPLE_ROSTER)
        yield ctx


@pytest.fixture
async def bot(app_context: AppContext, sandbox: SandboxServer) -> AsyncIterator[BotRunner]:
    runner = BotRunner(app_context, Endpoint.for_api_url(TOKEN, sandbox.api_url))
    await runner.start()
    yield runner
    await runner.stop()


