"""Nobody waits behind a file: while a benign 20-page scan is read by OCR (the guard's real workers),

* `/whoami` from other chats: press -> answer p50/p99, against the same with nothing being read;
* a stamped text posted in the same group (the scan's chat) right behind it: posted -> the bot's
  deleteMessage, p50/p99 (the sandbox's call log);

in polling and in webhook mode, with Telegram's flood limits on. Aims: `/whoami` within 2x of idle,
exposure p99 <= 1 s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.clock import SystemClock
from bot.composition import default_guard, open_context
from bot.config import Settings
from bot.guard.ocr import ocr_status
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.people.roster import import_roster_file
from bot.telegram.endpoint import Endpoint, Webhook
from tests.support import image_corpus
from tests.support.bench import record
from tests.support.e2e import TOKEN, free_port, seed
from tests.support.paths import EXAMPLE_ROSTER

pytestmark = [pytest.mark.bench, pytest.mark.slow,
              pytest.mark.skipif(not ocr_status().available, reason="needs Debian's tesseract-ocr-vie")]

COORD = 1001
# Apart, so that a stamper's block notice and an asker's answer never share a chat's one message a second.
ASKERS = [2001, 6001, 4001, 7001]
STAMPERS = [3001, 1002, 2002, 6002]
PACE = 0.35
STAMPS = ["TỐI MẬT\nPhần {i}", "Bản C0NFIDENTIAL số {i}", "Độ mật: A\nMục {i}", "[TUYỆT MẬT] đoạn {i}"]
WHOAMI_SAMPLES = 24
STAMP_SAMPLES = 12


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def ms(values: list[float], fraction: float) -> float:
    return round(percentile(values, fraction) * 1e3, 1) if values else float("nan")


@asynccontextmanager
async def running(settings: Settings, server: SandboxServer, webhook: bool) -> AsyncIterator[BotRunner]:
    async with open_context(settings, SystemClock(), group_chat_id=server.group_chat_id,
                            guard=default_guard(settings)) as ctx:
        await import_roster_file(ctx, EXAMPLE_ROSTER)
        port = free_port()
        hook = Webhook(f"127.0.0.1:{port}", f"http://127.0.0.1:{port}/telegram") if webhook else None
        runner = BotRunner(ctx, Endpoint.for_api_url(TOKEN, server.api_url), webhook=hook)
        await runner.start()
        await runner.prewarm()
        try:
            yield runner
        finally:
            await runner.stop()


async def whoami(client: SandboxClient, asker: int) -> float:
    before = len(await client.bot_messages(asker))
    sent = time.monotonic()
    await client.send_message(asker, text="/whoami")

    async def answered() -> bool:
        return len(await client.bot_messages(asker)) > before
    await eventually(answered, interval=0.005, what="/whoami answered")
    return time.monotonic() - sent


async def reading(runner: BotRunner) -> bool:
    async with runner.ctx.db.reading() as tx:
        return bool(await tx.fetchval("SELECT count(*) FROM held_files"))


async def measure(settings: Settings, webhook: bool) -> dict[str, Any]:
    server = SandboxServer(rate_limits=True)
    await server.start()
    group = seed(server)
    scan = image_corpus.scanned_pdf(*(image_corpus.page(image_corpus.LETTER * 3) for _ in range(20)))
    try:
        async with running(settings, server, webhook) as runner, SandboxClient(server.base_url) as client:
            idle = []
            for index in range(WHOAMI_SAMPLES):
                idle.append(await whoami(client, ASKERS[index % len(ASKERS)]))
                await asyncio.sleep(PACE)
            started = time.monotonic()
            await client.send_message(COORD, group, "Bản chụp dự thảo", document=("scan.pdf", scan))
            await eventually(lambda: reading(runner), what="the scan's read to start")
            busy: list[float] = []
            exposure: list[float] = []
            for index in range(max(WHOAMI_SAMPLES, STAMP_SAMPLES)):
                if index < STAMP_SAMPLES:
                    posted_at = time.time()
                    message_id = await client.send_message(STAMPERS[index % len(STAMPERS)], group,
                                                           STAMPS[index % len(STAMPS)].format(i=index))

                    async def deleted(wanted: int = message_id) -> Any:
                        return next((c["time"] for c in await client.log() if c["method"] == "deleteMessage"
                                     and c["error"] is None and c["params"]["message_id"] == wanted), None)
                    exposure.append(await eventually(deleted, interval=0.01, what="the stamp deleted") - posted_at)
                if index < WHOAMI_SAMPLES:
                    busy.append(await whoami(client, ASKERS[index % len(ASKERS)]))
                if not await reading(runner):
                    break
                await asyncio.sleep(PACE)
            still_reading = await reading(runner)
            await eventually(lambda: asyncio.sleep(0, not runner.lanes.busy), within=120,
                             what="the scan's read to end")
            read_seconds = time.monotonic() - started
    finally:
        await server.stop()
    return {"idle /whoami p50 ms": ms(idle, 0.5), "idle /whoami p99 ms": ms(idle, 0.99),
            "during the scan /whoami p50 ms": ms(busy, 0.5), "during the scan /whoami p99 ms": ms(busy, 0.99),
            "/whoami samples during the scan": len(busy),
            "stamped text behind the scan, exposure p50 ms": ms(exposure, 0.5),
            "stamped text behind the scan, exposure p99 ms": ms(exposure, 0.99),
            "stamped samples": len(exposure), "scan still being read after the samples": still_reading,
            "scan handled in s": round(read_seconds, 1)}


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_nobody_waits_behind_a_20_page_scan(settings: Settings, mode: str) -> None:
    result = await measure(settings, webhook=mode == "webhook")
    record(f"file_lane_{mode}", result)
    assert result["stamped text behind the scan, exposure p99 ms"] <= 1000
    assert result["during the scan /whoami p50 ms"] <= 2 * max(result["idle /whoami p50 ms"], 20.0)
