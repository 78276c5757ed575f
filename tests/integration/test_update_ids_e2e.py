"""Update ids as Telegram hands them out: a redelivery within a day changes nothing twice, while
an id that comes back after Telegram renumbered its updates (a week without any) is a new update."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from bot.clock import to_iso
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from bot.store.repos import updates
from tests.support.e2e import COORD

pytestmark = pytest.mark.slow


async def answers(client: SandboxClient) -> int:
    return len([m for m in await client.bot_messages(COORD) if "1001" in (m.get("text") or "")])


async def whoami_answered(client: SandboxClient, count: int) -> None:
    async def probe() -> bool:
        return await answers(client) >= count
    await eventually(probe, within=20, what=f"{count} answers to /whoami")


async def test_an_id_seen_again_after_telegram_renumbers_is_a_new_update(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    async def drained() -> bool:
        return (await client.update_counter())["pending"] == 0

    first = (await client.update_counter())["next_update_id"]
    for count in (1, 2, 3):
        await client.send_message(COORD, text="/whoami")
        await whoami_answered(client, count)
    # Later ids, far from the first ones (each renumbering lands somewhere at random).
    await eventually(drained, what="the bot to confirm every update")
    await client.jump_update_counter(first + 100_000)
    await client.send_message(COORD, text="/whoami")
    await whoami_answered(client, 4)
    await eventually(drained, what="the bot to confirm every update")
    # A week passes without updates: every claim is older than Telegram's redelivery window, and
    # Telegram numbers the next update at random — here, onto ids the bot handled before.
    week_ago = to_iso(bot.ctx.clock.now() - timedelta(days=7))
    async with bot.ctx.db.transaction() as tx:
        await tx.execute("UPDATE processed_updates SET processed_at = ?", (week_ago,))
    await client.jump_update_counter(first)
    await client.send_message(COORD, text="/whoami")
    await whoami_answered(client, 5)  # though the bot still polled with its old, higher offset
    await client.send_message(COORD, text="/whoami")
    await whoami_answered(client, 6)
    log = await client.log()
    offsets = [c["params"].get("offset") for c in log if c["method"] == "getUpdates" and c["error"] is None]
    assert first + 100_001 in offsets and first + 1 in offsets  # it adopted the renumbered ids


async def test_a_redelivery_within_the_window_changes_nothing(app_context: AppContext) -> None:
    """The same id twice within a day: the second claim fails the transaction."""
    from bot.services.kernel.uow import AlreadyProcessedError, unit_of_work

    async with unit_of_work(app_context, 424242) as uow:
        await uow.reply(COORD, "once")
    with pytest.raises(AlreadyProcessedError):
        async with unit_of_work(app_context, 424242) as uow:
            await uow.reply(COORD, "twice")
            await uow.tx.fetchval("SELECT 1")


async def test_claims_older_than_the_window_are_pruned(app_context: AppContext) -> None:
    now = app_context.clock.now()
    async with app_context.db.transaction() as tx:
        await updates.claim(tx, 1, now - timedelta(hours=30), updates.CLAIM_WINDOW)
        await updates.claim(tx, 2, now - timedelta(hours=2), updates.CLAIM_WINDOW)
    async with app_context.db.transaction() as tx:
        assert await updates.prune(tx, now, updates.CLAIM_WINDOW) == 1
        assert [r[0] for r in await tx.fetchall("SELECT update_id FROM processed_updates")] == [2]


async def test_a_webhook_body_that_is_json_but_not_an_update_is_a_bad_request(
        app_context: AppContext, sandbox: SandboxServer) -> None:
    import socket

    from bot.telegram.endpoint import Endpoint, Webhook
    from tests.support.e2e import TOKEN

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    runner = BotRunner(app_context, Endpoint.for_api_url(TOKEN, sandbox.api_url),
                       webhook=Webhook(f"127.0.0.1:{port}", f"http://127.0.0.1:{port}/telegram"))
    await runner.start()
    try:
        assert runner.webhook is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": runner.webhook.secret, "Content-Type": "application/json"}
        async with aiohttp.ClientSession() as session:
            for body in ("[1, 2]", "null", "42", '"text"', '{"update_id": "7"}', "{not json"):
                async with session.post(runner.webhook.public_url, data=body, headers=headers) as response:
                    assert response.status == 400, body
    finally:
        await runner.stop()
