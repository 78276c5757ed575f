"""Webhook mode under a stranger's input and a slow file (issue 23 §2, §5): bad bodies are 400s,
headers must come in time, connections are capped, a file update is answered at once and never read
twice, and nobody waits for it."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from PIL import Image

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from bot.services.kernel.file_checks import FileChecks
from bot.telegram import webhook
from bot.telegram.endpoint import Endpoint, Webhook
from tests.support.e2e import COORD, MOIT, NSV, TOKEN, free_port, last_bot_text, open_topic, visible_ids
from tests.support.held_judge import HeldJudge

pytestmark = pytest.mark.slow


@pytest.fixture
def judge() -> HeldJudge:
    return HeldJudge()


@pytest.fixture
async def hooked(app_context: AppContext, sandbox: SandboxServer, judge: HeldJudge,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotRunner]:
    monkeypatch.setattr(webhook, "MAX_CONNECTIONS", 40)
    monkeypatch.setattr(webhook, "HEADER_SECONDS", 0.5)
    port = free_port()
    runner = BotRunner(replace(app_context, file_checks=FileChecks(judge)),
                       Endpoint.for_api_url(TOKEN, sandbox.api_url),
                       webhook=Webhook(f"127.0.0.1:{port}", f"http://127.0.0.1:{port}/telegram"))
    await runner.start()
    yield runner
    judge.release.set()
    await runner.stop()


def headers(runner: BotRunner) -> dict[str, str]:
    assert runner.webhook is not None
    return {webhook.SECRET_HEADER: runner.webhook.secret, "Content-Type": "application/json"}


async def test_bodies_that_are_not_updates_are_bad_requests(hooked: BotRunner) -> None:
    assert hooked.webhook is not None
    deep = '{"update_id": 1, "message": ' + "[" * 100_000 + "]" * 100_000 + "}"
    no_chat = '{"update_id": 2, "message": {"message_id": 1, "date": 0, "text": "x"}}'
    huge_id = f'{{"update_id": {1 << 63}}}'
    huge_inside = ('{"update_id": 3, "message": {"message_id": 1, "date": 0, "text": "x", '
                   f'"chat": {{"id": {1 << 64}, "type": "private"}}}}}}')
    async with aiohttp.ClientSession() as session:
        for body in (deep, no_chat, huge_id, huge_inside):
            async with session.post(hooked.webhook.public_url, data=body, headers=headers(hooked)) as response:
                assert response.status == 400, body[:60]


async def test_a_connection_that_never_sends_its_headers_is_closed(hooked: BotRunner) -> None:
    assert hooked.webhook is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", hooked.webhook.port)
    writer.write(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")  # and nothing more
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
    writer.close()


async def test_idle_connections_beyond_the_cap_do_not_stop_delivery(
        hooked: BotRunner, client: SandboxClient) -> None:
    assert hooked.webhook is not None
    idle = [await asyncio.open_connection("127.0.0.1", hooked.webhook.port) for _ in range(60)]
    try:
        assert len(hooked.webhook.connections) <= 40
        await client.send_message(MOIT, text="/whoami")
        await last_bot_text(client, MOIT, "Trần Thị Bình")
    finally:
        for _, writer in idle:
            writer.close()


async def test_a_file_is_answered_at_once_read_once_and_nobody_waits_for_it(
        hooked: BotRunner, client: SandboxClient, sandbox: SandboxServer, judge: HeldJudge) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(picture, "PNG")
    sent = await client.send_message(NSV, group, "Sơ đồ", thread_id=thread, photo=picture.getvalue())
    await eventually(lambda: asyncio.sleep(0, judge.reads), what="the file to be read")
    # Telegram had its answer: the update left the sandbox's queue while the file is still read.
    await eventually(lambda: asyncio.sleep(0, not sandbox.state.updates), what="the file update to be answered")
    # Another chat, and a stamped text in the same topic, are handled at once.
    started = time.monotonic()
    await client.send_message(MOIT, text="/whoami")
    await last_bot_text(client, MOIT, "Trần Thị Bình")
    assert time.monotonic() - started < 1.0
    stamped = await client.send_message(COORD, group, "TUYỆT MẬT: kế hoạch", thread_id=thread)

    async def removed() -> bool:
        return stamped not in await visible_ids(client, group, thread)
    await eventually(removed, within=1.0, what="the stamped text to be removed while the file is read")
    # Telegram redelivers the file update (its answer was lost): it is not read again.
    assert hooked.webhook is not None
    async with hooked.ctx.db.reading() as tx:
        held_id = await tx.fetchval("SELECT update_id FROM held_files WHERE message_id = ?", (sent,))
    update = {"update_id": held_id, "message": sandbox.state.messages[str(group)][str(sent)]}
    async with aiohttp.ClientSession() as session, \
            session.post(hooked.webhook.public_url, json=update, headers=headers(hooked)) as response:
        assert response.status == 200
    judge.release.set()

    async def released() -> bool:
        async with hooked.ctx.db.reading() as tx:
            return await tx.fetchval("SELECT count(*) FROM held_files") == 0
    await eventually(released, what="the file's hold to be released")
    assert judge.reads == 1
    assert sent in await visible_ids(client, group, thread)



async def test_an_update_the_library_cannot_parse_is_set_aside_and_answered(
        hooked: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    posted = await client.send_message(NSV, group, "bình thường")
    pushed = await sandbox.push_update("message", {
        "message_id": posted, "date": 0, "chat": {"id": group, "type": "supergroup", "title": "x"},
        "from": {"id": NSV, "is_bot": False, "first_name": "N"}, "poll": {"id": "1", "question": "?"}})

    async def set_aside() -> Any:
        async with hooked.ctx.db.reading() as tx:
            return await tx.fetchval("SELECT handler FROM failed_updates WHERE update_id = ?", (pushed["update_id"],))
    assert await eventually(set_aside, what="the update to be set aside") == "parse"
    await eventually(lambda: asyncio.sleep(0, not sandbox.state.updates), what="Telegram to have its 200")

    async def removed() -> bool:
        return posted not in await visible_ids(client, group)
    await eventually(removed, what="the post that could not be judged to be removed")
    await client.send_message(MOIT, text="/whoami")
    await last_bot_text(client, MOIT, "Trần Thị Bình")
