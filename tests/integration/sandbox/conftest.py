"""A sandbox with two users, a forum group, and python-telegram-bot's own Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer, SeedPerson
from tests.support.sandbox import ALICE, BOB, TOKEN


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    sandbox = SandboxServer(rate_limits=False)
    await sandbox.start()
    sandbox.seed_roster([SeedPerson(ALICE, "Alice"), SeedPerson(BOB, "Bob")])
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def control(server: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.base_url) as client:
        yield client


@pytest.fixture
async def ptb(server: SandboxServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.api_url, base_file_url=server.file_url) as bot:
        yield bot


@pytest.fixture
def group(server: SandboxServer) -> int:
    assert server.group_chat_id is not None
    return server.group_chat_id
