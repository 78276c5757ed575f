"""Takeover time: two bots on one PostgreSQL, the leader killed with SIGKILL again and again (each
time the killed one restarted as the standby); from the kill to the new leader serving (its
setMyCommands in the sandbox's call log)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.bench import record
from tests.support.crowd import BotProcess, running, seed, write_roster
from tests.support.postgres import Server, requires_postgres

pytestmark = [pytest.mark.bench, requires_postgres]
KILLS = 8


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def test_takeover_after_sigkill(settings: Settings, tmp_path: Path, postgres_server: Server,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_DATABASE_URL", postgres_server.new_database())
    sandbox = SandboxServer()
    await sandbox.start()
    ids = write_roster(tmp_path / "roster.yaml", 10)
    group = seed(sandbox, ids)
    other = tmp_path / "second"
    other.mkdir(mode=0o700)
    shutil.copytree(settings.keys_dir, other / "keys")
    bots = [BotProcess(sandbox, tmp_path / "roster.yaml", group, tmp_path / name, folder)
            for name, folder in (("a", settings.data_dir), ("b", other))]
    for bot in bots:
        bot.tmp.mkdir()
    takeovers: list[float] = []
    try:
        async with SandboxClient(sandbox.base_url) as client:
            bots[0].start()
            await eventually(lambda: running(client, 1), within=30, what="the first leader")
            bots[1].start()
            leader = 0
            for kill in range(1, KILLS + 1):
                await _standing_by(bots[1 - leader])
                bots[leader].kill()
                killed = time.monotonic()
                await eventually(lambda k=kill: running(client, k + 1), within=30, interval=0.02,  # type: ignore[misc]
                                 what="the standby to take over")
                takeovers.append(time.monotonic() - killed)
                bots[leader].start()  # back as the standby
                leader = 1 - leader
    finally:
        for bot in bots:
            bot.stop()
        await sandbox.stop()
    record("failover", {
        "kills": KILLS,
        "takeover after SIGKILL p50 s": round(percentile(takeovers, 0.5), 2),
        "takeover after SIGKILL p99 s": round(percentile(takeovers, 0.99), 2),
        "takeover after SIGKILL max s": round(max(takeovers), 2),
    })


async def _standing_by(bot: BotProcess) -> None:
    async def says() -> bool:
        return any("standby: another instance holds the leader lease" in log.read_text(errors="replace")
                   for log in bot.tmp.glob(f"bot-{bot.starts}.log"))
    await eventually(says, within=30, what="a standby")
