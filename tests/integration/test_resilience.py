"""Faults survived: Telegram's 429s, 500s and dropped connections during a fan-out, and the bot
killed with SIGKILL in the middle of one and before a reminder, then restarted."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.crowd import COORD, FIRST, BotProcess, invitations, running, seed, write_roster
from tests.support.e2e import running_bot
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow


@pytest.fixture
async def limited_sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(rate_limits=True)
    await server.start()
    yield server
    await server.stop()


async def test_fan_out_of_fifty_through_429_500_and_drops(settings: Settings, tmp_path: Path,
                                                          limited_sandbox: SandboxServer) -> None:
    ids = write_roster(tmp_path / "roster.yaml", 50)
    group = seed(limited_sandbox, ids)
    async with (running_bot(settings, limited_sandbox, tmp_path / "roster.yaml", group),
            SandboxClient(limited_sandbox.base_url) as client):
        await client.inject_fault(429, 6, method="sendMessage", retry_after=1)
        await client.inject_fault(500, 6, method="sendMessage")
        await client.inject_fault("drop", 4, method="sendMessage")
        await client.send_message(COORD, text="/urgent 1h aec: Phân bổ ngân sách hợp tác")

        async def all_invited() -> Any:
            sent = await invitations(client)
            return sent if set(ids) <= set(sent) else None
        sent = await eventually(all_invited, within=60, what="all 50 invitations")
        assert all(sent[i] == 1 for i in ids), {i: n for i, n in sent.items() if n != 1}
        errors = Counter(c["error"]["error_code"] for c in await client.log() if c["error"])
        assert errors[429] >= 6 and errors[500] == 6 and errors[0] == 4, errors  # all faults were met
        for user in ids[:5]:  # and each person sees it once
            assert sum("#1" in (m.get("text") or "") for m in await client.bot_messages(user)) == 1
        assert_calls_valid(await client.log())


@pytest.fixture
def bot_process(settings: Settings, tmp_path: Path, limited_sandbox: SandboxServer) -> Iterator[BotProcess]:
    ids = write_roster(tmp_path / "roster.yaml", 50)
    process = BotProcess(limited_sandbox, tmp_path / "roster.yaml", seed(limited_sandbox, ids), tmp_path,
                         settings.data_dir)
    yield process
    process.stop()


async def test_sigkill_during_fan_out_loses_nothing_and_repeats_at_most_one(
        bot_process: BotProcess, limited_sandbox: SandboxServer) -> None:
    async with SandboxClient(limited_sandbox.base_url) as client:
        bot_process.start()
        await eventually(lambda: running(client, 1), within=30, what="the bot to start")
        await client.send_message(COORD, text="/urgent 1h aec: Phân bổ ngân sách hợp tác")

        async def some_sent() -> bool:
            return 5 <= sum((await invitations(client)).values()) < 50
        await eventually(some_sent, within=30, interval=0.01, what="the fan-out to be under way")
        bot_process.kill()
        killed_at = sum((await invitations(client)).values())
        assert killed_at < 50, "the fan-out finished before the kill; the test proves nothing"

        bot_process.start()
        ids = range(FIRST, FIRST + 50)

        async def all_invited() -> Any:
            sent = await invitations(client)
            return sent if set(ids) <= set(sent) else None
        sent = await eventually(all_invited, within=60, what="every invitation after the restart")
        # Only what was in flight at the instant of the kill may be repeated, once: at most
        # CONSULT_SEND_CONCURRENCY messages (default 4), and nobody gets a third copy.
        repeats = sum(n - 1 for n in sent.values())
        assert repeats <= Settings().send_concurrency, f"{repeats} invitations were sent twice"
        assert max(sent.values()) <= 2
        opened = [c for c in await client.log() if c["method"] == "sendMessage" and c["error"] is None
                  and "Đã mở #" in c["params"].get("text", "")]
        assert len(opened) == 1 and "#2" not in str(await client.bot_messages(COORD))


async def test_sigkill_before_a_reminder_then_restart_after_it_was_due(
        bot_process: BotProcess, limited_sandbox: SandboxServer) -> None:
    async with SandboxClient(limited_sandbox.base_url) as client:
        bot_process.start()
        await eventually(lambda: running(client, 1), within=30, what="the bot to start")
        await client.send_message(COORD, text="/urgent 30s aec: Ý kiến nhanh")
        await eventually(lambda: _invited_count(client, 50), within=30, what="the fan-out")
        await asyncio.sleep(max(0.0, 12 - (await _since_open(client))))
        bot_process.kill()  # the 50% reminder is due at 15 s
        await asyncio.sleep(max(0.0, 17.5 - (await _since_open(client))))
        bot_process.start()

        async def reminded() -> Any:
            found = await _reminders(client)
            return found if len(found) >= 50 else None
        await eventually(reminded, within=30, what="the overdue reminder after the restart")
        restarted_at = await _since_open(client)
        assert restarted_at < 24, "the restart came after the second reminder too; the test proves less"
        per_person = Counter(c["params"]["chat_id"] for c in await _reminders(client))
        assert set(per_person.values()) == {1}, per_person  # the overdue one arrived, once each

        async def firm() -> Any:
            found = await _reminders(client, "⏰ Đề nghị trả lời")
            return found if len(found) >= 50 else None
        await eventually(firm, within=20, what="the 80% reminder, on schedule after the restart")
        await asyncio.sleep(1.5)
        assert set(Counter(c["params"]["chat_id"] for c in await _reminders(client)).values()) == {1}
        assert set(Counter(c["params"]["chat_id"] for c in await _reminders(client, "⏰ Đề nghị")).values()) == {1}


async def _invited_count(client: SandboxClient, count: int) -> bool:
    return sum((await invitations(client)).values()) >= count


async def _since_open(client: SandboxClient) -> float:
    log = await client.log()
    opened = next(c["time"] for c in log if c["method"] == "createForumTopic" and c["error"] is None)
    return time.time() - float(opened)


async def _reminders(client: SandboxClient, opening: str = "⏰ Nhắc") -> list[dict[str, Any]]:
    return [c for c in await client.log() if c["method"] == "sendMessage" and c["error"] is None
            and c["params"].get("text", "").startswith(opening)]
