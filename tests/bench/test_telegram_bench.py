"""Against Telegram's own limits, through the sandbox with its flood control on:

* fan-out: a `cross` consultation inviting 300 people; seconds until the last invitation is
  delivered against the floor that 30 messages a second sets (300/30 = 10 s), and the 429s met;
* handling cost: 500 button presses; press -> the bot's answer, p50/p99, against a bare
  python-telegram-bot bot that only answers callback queries, same sandbox, same pacing; and how
  long until the pinned status card shows a press (bounded by 20 edits a minute in a group).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bot.config import Settings
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer, SeedPerson
from tests.support.bench import named, record
from tests.support.crowd import COORD, write_roster
from tests.support.e2e import TOKEN, forge_press, running_bot

# Both engines: the figures of the PostgreSQL store are kept beside SQLite's (`…_postgres`).
pytestmark = [pytest.mark.bench, pytest.mark.slow, pytest.mark.both_engines]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def invited(client: SandboxClient) -> list[dict[str, Any]]:
    return [c for c in await client.log() if c["method"] == "sendMessage" and c["error"] is None
            and "Tham vấn khẩn #1" in c["params"].get("text", "")]


async def test_fan_out_300_against_the_floor(settings: Settings, tmp_path: Path, engine: str) -> None:
    server = SandboxServer(rate_limits=True)
    await server.start()
    ids = write_roster(tmp_path / "roster.yaml", 300)
    group = server.seed_roster([SeedPerson(COORD, "Điều phối viên"), *(SeedPerson(i, f"Đ{i}") for i in ids)])
    try:
        async with (running_bot(settings, server, tmp_path / "roster.yaml", group),
                    SandboxClient(server.base_url) as client):
            started = time.time()
            await client.send_message(COORD, text="/urgent 2h cross: Phương án ứng phó chung")

            async def everyone() -> Any:
                sent = await invited(client)
                return sent if len({c["params"]["chat_id"] for c in sent}) >= 300 else None
            sent = await eventually(everyone, within=120, interval=0.1, what="300 invitations")
            last = max(c["time"] for c in sent)
            log = await client.log()
    finally:
        await server.stop()
    seconds = last - started
    rejected = sum(1 for c in log if c["error"] and c["error"]["error_code"] == 429)
    record(named("fan_out_300", engine), {
        "invitees": 300, "seconds_to_last_invitation": round(seconds, 2), "floor_seconds": 10.0,
        "seconds_to_first_invitation": round(min(c["time"] for c in sent) - started, 2),
        "seconds_to_coordinator_confirmation": round(min(
            c["time"] for c in log if c["method"] == "sendMessage" and c["error"] is None
            and "Đã mở #1" in c["params"].get("text", "")) - started, 2),
        "ratio_to_floor": round(seconds / 10.0, 3), "answers_429": rejected,
        "messages_sent_in_window": sum(1 for c in log if c["method"] == "sendMessage" and c["error"] is None
                                       and started <= c["time"] <= last),
        "duplicates": len(sent) - len({c["params"]["chat_id"] for c in sent}),
    })
    assert len(sent) == 300 and rejected == 0


PRESSES = 500
PACE = 0.05  # 20 presses a second, spread over 100 people


async def press_all(server: SandboxServer, targets: list[tuple[int, int]], data: list[str]) -> list[str]:
    """Each person presses the same answer again and again, as from a second device still showing
    the invitation as sent (the bot redraws it with the answer given, which the sandbox's own press
    would then refuse): the same work as the first press, the repeats being no news."""
    queries = []
    for index in range(PRESSES):
        user, message_id = targets[index % len(targets)]
        queries.append(await forge_press(server, user, message_id, data[index % len(data)]))
        await asyncio.sleep(PACE)
    return queries


async def latencies(server: SandboxServer, client: SandboxClient, queries: list[str]) -> list[float]:
    async def all_answered() -> Any:
        states = [server.state.callbacks[q] for q in queries]
        return states if all(s.get("answered") for s in states) else None
    states = await eventually(all_answered, within=120, interval=0.1, what="every press answered")
    return [(s["answered_at"] - s["pressed_at"]) * 1000 for s in states]


async def test_handling_cost_against_a_bare_bot(settings: Settings, tmp_path: Path, engine: str) -> None:
    server = SandboxServer(rate_limits=True)
    await server.start()
    ids = write_roster(tmp_path / "roster.yaml", 100)
    group = server.seed_roster([SeedPerson(COORD, "Điều phối viên"), *(SeedPerson(i, f"Đ{i}") for i in ids)])
    try:
        async with SandboxClient(server.base_url) as client:
            async with running_bot(settings, server, tmp_path / "roster.yaml", group):
                await client.send_message(COORD, text="/urgent 2h cross: Đo chi phí xử lý")

                async def all_invited() -> Any:
                    sent = await invited(client)
                    return sent if len(sent) >= 100 else None
                sent = await eventually(all_invited, within=60, what="100 invitations")
                targets = [(c["params"]["chat_id"], c["result"]["message_id"]) for c in sent]

            # The bare bot: python-telegram-bot answering callback queries, nothing else.
            async def answer(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
                assert update.callback_query is not None
                await update.callback_query.answer()

            bare = Application.builder().token(TOKEN).base_url(server.api_url).build()
            bare.add_handler(CallbackQueryHandler(answer))
            async with bare:
                await bare.start()
                assert bare.updater is not None
                await bare.updater.start_polling(poll_interval=0, timeout=10)
                bare_ms = await latencies(server, client, await press_all(server, targets, ["a:1:agree"]))
                await bare.updater.stop()
                await bare.stop()

            async with running_bot(settings, server, tmp_path / "roster.yaml", group):
                started = time.time()
                queries = await press_all(server, targets, ["a:1:agree", "a:1:object"])
                ours_ms = await latencies(server, client, queries)
                await asyncio.sleep(4)  # let the last coalesced card edit go out
                edits = [c["time"] for c in await client.log() if c["method"] == "editMessageText"
                         and c["error"] is None and c["time"] >= started]
    finally:
        await server.stop()
    card_ms = []
    for query in queries:
        pressed = server.state.callbacks[query]["pressed_at"]
        later = [t for t in edits if t >= pressed]
        if later:
            card_ms.append((min(later) - pressed) * 1000)
    figures = {
        "presses": PRESSES, "pace_per_second": round(1 / PACE),
        "bare_bot_answer_ms_p50": round(percentile(bare_ms, 0.5), 1),
        "bare_bot_answer_ms_p99": round(percentile(bare_ms, 0.99), 1),
        "bot_answer_ms_p50": round(percentile(ours_ms, 0.5), 1),
        "bot_answer_ms_p99": round(percentile(ours_ms, 0.99), 1),
        "ratio_p50": round(percentile(ours_ms, 0.5) / percentile(bare_ms, 0.5), 2),
        "ratio_p99": round(percentile(ours_ms, 0.99) / percentile(bare_ms, 0.99), 2),
        "card_edits": len(edits),
        "press_to_card_ms_p50": round(percentile(card_ms, 0.5)) if card_ms else None,
        "press_to_card_ms_p99": round(percentile(card_ms, 0.99)) if card_ms else None,
    }
    record(named("handling_cost", engine), figures)
    assert len(ours_ms) == PRESSES and len(bare_ms) == PRESSES
