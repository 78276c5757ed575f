"""Webhook mode against the sandbox's webhook delivery: updates arrive only with the secret."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from bot.telegram.endpoint import Endpoint, Webhook
from tests.support.e2e import COORD, TOKEN, free_port, last_bot_text
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow


@pytest.fixture
async def hooked(app_context: AppContext, sandbox: SandboxServer) -> AsyncIterator[BotRunner]:
    port = free_port()
    runner = BotRunner(app_context, Endpoint.for_api_url(TOKEN, sandbox.api_url),
                       webhook=Webhook(f"127.0.0.1:{port}", f"http://127.0.0.1:{port}/telegram"))
    await runner.start()
    yield runner
    await runner.stop()


async def test_updates_arrive_by_webhook_and_requests_without_the_secret_are_refused(
        hooked: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    assert hooked.webhook is not None
    assert sandbox.state.webhook_url == hooked.webhook.public_url
    assert sandbox.state.webhook_secret == hooked.webhook.secret and len(hooked.webhook.secret) >= 32

    await client.send_message(COORD, text="/urgent 1h aec: Qua webhook")
    await last_bot_text(client, COORD, "Đã mở #1")

    forged = {"update_id": 999999, "message": {
        "message_id": 1, "date": 0, "chat": {"id": COORD, "type": "private"},
        "from": {"id": COORD, "is_bot": False, "first_name": "X"}, "text": "/urgent 1h aec: Giả mạo"}}
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                        {"X-Telegram-Bot-Api-Secret-Token": hooked.webhook.secret[:-1]}):
            async with session.post(hooked.webhook.public_url, json=forged, headers=headers) as response:
                assert response.status == 403
    assert hooked.webhook.refused == 3
    async with hooked.ctx.db.reading() as tx:
        assert await tx.fetchval("SELECT count(*) FROM consultations") == 1
        assert await tx.fetchval("SELECT 1 FROM processed_updates WHERE update_id = 999999") is None
    calls = await client.log()
    assert not [c for c in calls if c["method"] == "getUpdates"]
    assert_calls_valid(calls)
