"""The fault suite: a full disk and a damaged database file."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.audit.chain import check_log
from bot.clock import SystemClock
from bot.config import Settings
from bot.context import open_context
from bot.guard.engine import default_guard
from bot.runtime import BotRunner, Endpoint
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.roster import import_roster_file
from bot.store.events import all_events
from tests.integration.conftest import TOKEN
from tests.integration.test_resilience import COORD, invitations, seed, write_roster

pytestmark = [pytest.mark.slow, pytest.mark.fault]


async def test_a_full_disk_is_reported_and_loses_nothing(settings: Settings, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    server = SandboxServer(rate_limits=True)
    await server.start()
    ids = write_roster(tmp_path / "roster.yaml", 60)
    group = seed(server, ids)
    try:
        async with open_context(settings, SystemClock()) as ctx, SandboxClient(server.base_url) as client:
            ctx.group_chat_id, ctx.guard = group, default_guard(settings)
            await import_roster_file(ctx, tmp_path / "roster.yaml")
            runner = BotRunner(ctx, Endpoint.for_api_url(TOKEN, server.api_url))
            await runner.start()
            try:
                await client.send_message(COORD, text="/urgent 1h aec: Trước khi đầy đĩa")
                await eventually(lambda: _at_least(client, 10), within=30, interval=0.02, what="the fan-out")
                async with ctx.db.transaction() as tx:  # the disk is full from here on
                    pages = int(await tx.fetchval("PRAGMA page_count"))
                    await tx.execute(f"PRAGMA max_page_count = {pages}")
                await client.send_message(COORD, text="/urgent 1h aec: Trong khi đầy đĩa")
                with caplog.at_level(logging.ERROR):
                    await eventually(lambda: _true("database is full" in caplog.text), within=30,
                                     what="the bot to report the full database")
                assert len(await invitations(client, 2)) == 0  # nothing of #2 went out unrecorded
                async with ctx.db.transaction() as tx:  # space is freed
                    await tx.execute("PRAGMA max_page_count = 1073741823")
                for number in (1, 2):
                    sent = await eventually(lambda n=number: _all(client, n, 60), within=90,
                                            what=f"every invitation of #{number}")
                    assert all(count == 1 for count in sent.values()), sent
                async with ctx.db.reading() as tx:
                    assert check_log(await all_events(tx)) == []
                    assert await tx.fetchval("SELECT count(*) FROM consultations") == 2
            finally:
                await runner.stop()
    finally:
        await server.stop()


async def _at_least(client: SandboxClient, count: int) -> bool:
    return len(await invitations(client)) >= count


async def _all(client: SandboxClient, number: int, count: int) -> Any:
    sent = await invitations(client, number)
    return sent if len(sent) >= count else None


async def _true(value: bool) -> bool:
    return value


def test_a_damaged_database_is_refused_at_start_with_what_to_do(settings: Settings) -> None:
    import asyncio

    async def make() -> None:
        async with open_context(settings) as ctx, ctx.db.transaction() as tx:
            for index in range(200):
                await tx.execute("INSERT INTO agencies (key, name) VALUES (?, ?)", (f"a{index}", "x" * 500))
    asyncio.run(make())
    data = bytearray(settings.db_path.read_bytes())
    for offset in range(4096 * 3, min(len(data), 4096 * 6), 7):  # scribble over b-tree pages
        data[offset] = 0xA5
    settings.db_path.write_bytes(bytes(data))
    result = subprocess.run([sys.executable, "-m", "bot", "run", "--api-url", "http://127.0.0.1:9/bot"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "is damaged" in result.stderr and "consult db restore" in result.stderr
    assert "Traceback" not in result.stderr
