"""Two bots on one PostgreSQL: one leads, one stands by; the leader killed with SIGKILL in the
middle of a fan-out, the standby takes over, and every invitation is delivered, none more than once
beyond what was in flight at the kill."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.crowd import COORD, FIRST, BotProcess, invitations, running, seed, write_roster
from tests.support.postgres import Server, requires_postgres

pytestmark = [pytest.mark.slow, requires_postgres]
PEOPLE = 50


@pytest.fixture
async def limited_sandbox() -> Any:
    server = SandboxServer(rate_limits=True)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def pair(settings: Settings, tmp_path: Path, limited_sandbox: SandboxServer, postgres_server: Server,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[BotProcess, BotProcess]]:
    """Two instances on two data folders holding the same keys, sharing one database."""
    monkeypatch.setenv("CONSULT_DATABASE_URL", postgres_server.new_database())
    ids = write_roster(tmp_path / "roster.yaml", PEOPLE)
    group = seed(limited_sandbox, ids)
    other = tmp_path / "second"
    other.mkdir(mode=0o700)
    shutil.copytree(settings.keys_dir, other / "keys")
    first = BotProcess(limited_sandbox, tmp_path / "roster.yaml", group, tmp_path / "a", settings.data_dir)
    second = BotProcess(limited_sandbox, tmp_path / "roster.yaml", group, tmp_path / "b", other)
    for process in (first, second):
        process.tmp.mkdir()
    yield first, second
    for process in (first, second):
        process.stop()


async def test_the_standby_takes_over_a_killed_leader_and_the_fan_out_completes(
        pair: tuple[BotProcess, BotProcess], limited_sandbox: SandboxServer) -> None:
    leader, standby = pair
    async with SandboxClient(limited_sandbox.base_url) as client:
        leader.start()
        await eventually(lambda: running(client, 1), within=30, what="the leader to start")
        standby.start()
        async def standing_by() -> bool:
            return _says(standby, "standby: another instance holds the leader lease")
        await eventually(standing_by, within=30, what="the second instance to stand by")
        assert not await running(client, 2)  # a standby neither polls nor publishes anything

        await client.send_message(COORD, text="/urgent 1h aec: Phân bổ ngân sách hợp tác")

        async def some_sent() -> bool:
            return 5 <= sum((await invitations(client)).values()) < PEOPLE
        await eventually(some_sent, within=30, interval=0.01, what="the fan-out to be under way")
        leader.kill()
        killed = time.monotonic()
        assert sum((await invitations(client)).values()) < PEOPLE, "the fan-out ended before the kill"

        await eventually(lambda: running(client, 2), within=30, interval=0.05, what="the standby to take over")
        takeover = time.monotonic() - killed
        assert takeover < 10, f"took {takeover:.1f} s to take over"

        ids = range(FIRST, FIRST + PEOPLE)

        async def all_invited() -> Any:
            sent = await invitations(client)
            return sent if set(ids) <= set(sent) else None
        sent = await eventually(all_invited, within=60, what="every invitation after the takeover")
        repeats = sum(n - 1 for n in sent.values())
        assert repeats <= Settings().send_concurrency, f"{repeats} invitations were sent twice"
        assert max(sent.values()) <= 2
        conflicts = [c for c in await client.log() if c["method"] == "getUpdates" and c["error"]
                     and c["error"]["error_code"] == 409]
        assert not conflicts, "two instances polled at once"
        assert _says(standby, "leader lease taken")


def _says(process: BotProcess, words: str) -> bool:
    return any(words in log.read_text(errors="replace") for log in process.tmp.glob("bot-*.log"))
