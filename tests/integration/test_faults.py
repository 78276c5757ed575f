"""The fault suite: a full disk and a damaged database file."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.clock import SystemClock
from bot.composition import open_context
from bot.config import Settings
from bot.domain.chain import check_log
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.store.events import all_events
from tests.support.crowd import COORD, invitations, seed, write_roster
from tests.support.e2e import running_bot

pytestmark = [pytest.mark.slow, pytest.mark.fault]


async def test_a_full_disk_is_reported_and_loses_nothing(settings: Settings, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    server = SandboxServer(rate_limits=True)
    await server.start()
    ids = write_roster(tmp_path / "roster.yaml", 60)
    group = seed(server, ids)
    try:
        async with (running_bot(settings, server, tmp_path / "roster.yaml", group) as runner,
                SandboxClient(server.base_url) as client):
            ctx = runner.ctx
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


async def test_random_faults_in_a_tenth_of_calls_across_a_whole_consultation(
        settings: Settings, tmp_path: Path) -> None:
    """429, 500 and dropped connections at random in 10% of every kind of call, through opening,
    100 invitations, answers and closing: every answer recorded once, everyone invited once."""
    server = SandboxServer(rate_limits=True)
    await server.start()
    ids = write_roster(tmp_path / "roster.yaml", 100)
    group = seed(server, ids)
    try:
        async with (running_bot(settings, server, tmp_path / "roster.yaml", group) as runner,
                SandboxClient(server.base_url) as client):
            ctx = runner.ctx
            await client.inject_fault("mixed", 100_000, rate=0.10)
            await client.send_message(COORD, text="/urgent 1h aec: Lỗi ngẫu nhiên")
            sent = await eventually(lambda: _all(client, 1, 100), within=120, what="100 invitations")
            assert all(count == 1 for count in sent.values()), sent
            invitations_by_user = {c["params"]["chat_id"]: c["result"]["message_id"]
                                   for c in await client.log() if c["method"] == "sendMessage"
                                   and c["error"] is None and "Tham vấn khẩn #1" in c["params"]["text"]}
            for user in ids[:30]:
                await client.press_button(user, user, invitations_by_user[user], "a:1:agree")

            async def answered() -> Any:
                async with ctx.db.reading() as tx:
                    count = await tx.fetchval("SELECT count(*) FROM participants WHERE position IS NOT NULL")
                return count if count == 30 else None
            await eventually(answered, within=60, what="30 answers recorded")
            await client.send_message(COORD, text="/close 1")

            async def closed() -> Any:
                async with ctx.db.reading() as tx:
                    return await tx.fetchval("SELECT 1 FROM consultations WHERE state = 'closed'")
            await eventually(closed, within=60, what="the consultation to close")
            async with ctx.db.reading() as tx:
                events = await all_events(tx)
                answers = [e for e in events if e.type == "answered"]
            assert len(answers) == 30 and len({e.actor for e in answers}) == 30
            assert check_log(events) == []
            faults = [c for c in await client.log() if c["error"] and c["error"]["error_code"] in (0, 429, 500)]
            assert len(faults) >= 15, "the faults were not met"
    finally:
        await server.stop()


async def test_twenty_kills_during_a_scripted_consultation(settings: Settings, tmp_path: Path) -> None:
    """SIGKILL at 20 random moments while people open, answer, comment and close; after each
    restart the bot carries on. Every answer is recorded once, every invitee invited, the chain holds,
    and repeats stay within what was in flight at each kill."""
    import asyncio
    import random

    from tests.support.crowd import BotProcess, running

    server = SandboxServer(rate_limits=True)
    await server.start()
    ids = write_roster(tmp_path / "roster.yaml", 40)
    group = seed(server, ids)
    bot = BotProcess(server, tmp_path / "roster.yaml", group, tmp_path, settings.data_dir)
    chance = random.Random(2025)
    kills = 0
    try:
        async with SandboxClient(server.base_url) as client:
            bot.start()
            await eventually(lambda: running(client, 1), within=30, what="the bot to start")

            async def kill_and_restart() -> None:
                nonlocal kills
                await asyncio.sleep(chance.uniform(0.05, 0.6))
                bot.kill()
                kills += 1
                bot.start()
                await eventually(lambda: running(client, kills + 1), within=30, what="the restart")

            await client.send_message(COORD, text="/urgent 1h aec: Tham vấn dưới 20 lần tắt đột ngột")
            await kill_and_restart()
            sent = await eventually(lambda: _all(client, 1, 40), within=90, what="every invitation")
            invitation_of = {c["params"]["chat_id"]: c["result"]["message_id"] for c in await client.log()
                             if c["method"] == "sendMessage" and c["error"] is None
                             and "Tham vấn khẩn #1" in c["params"]["text"]}
            for round_ in range(18):
                for user in ids[round_ * 2: round_ * 2 + 2]:
                    await client.press_button(user, user, invitation_of[user], "a:1:object" if user % 3 else
                                              "a:1:agree")
                    await client.send_message(user, text=f"Ý kiến số {user}", reply_to=invitation_of[user])
                await kill_and_restart()
            await client.send_message(COORD, text="/close 1 Kết luận")
            await kill_and_restart()
            await last_text(client, COORD, "Kết quả tham vấn #1")
            sent = await invitations(client)
            bot.stop()
    finally:
        bot.stop()
        await server.stop()
    assert kills == 20
    assert set(ids) <= set(sent)
    repeats = sum(n - 1 for n in sent.values())
    assert repeats <= kills * Settings().send_concurrency, repeats
    async with open_context(settings, SystemClock()) as ctx, ctx.db.reading() as tx:
        events = await all_events(tx)
        positions = await tx.fetchval("SELECT count(*) FROM participants WHERE position IS NOT NULL")
        comments = await tx.fetchval("SELECT count(*) FROM messages WHERE kind = 'comment'")
    answered = [e for e in events if e.type == "answered"]
    assert positions == 36 and len(answered) == 36 and len({e.actor for e in answered}) == 36
    assert comments == 36
    assert check_log(events) == []
    assert sum(1 for e in events if e.type == "closed") == 1


async def last_text(client: SandboxClient, chat_id: int, contains: str) -> Any:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat_id) if contains in (m.get("text") or "")]
        return found[-1] if found else None
    return await eventually(probe, within=60, what=f"a message with {contains!r}")
