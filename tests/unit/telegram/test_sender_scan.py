"""The sender scans the outbox on a second connection; a row whose send settled while that scan
ran may still look pending in it, and must be left to the next scan, not sent again."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

from bot.services.kernel.context import AppContext
from bot.store.datakeys import deployment_data_key
from bot.store.repos import outbox
from bot.telegram.sender import OutboxSender
from tests.support import KeywordGuard
from tests.support.flow import GROUP, MOIT, NSV, open_one, press


class FakeBot:
    def __init__(self) -> None:
        self.calls: list[int] = []

    async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(int(api_kwargs["chat_id"]))
        return {"message_id": len(self.calls)}


async def test_a_row_settled_during_the_scan_waits_for_the_next_one(rostered: AppContext) -> None:
    async with rostered.db.transaction() as tx:
        key = await deployment_data_key(tx, rostered.keys, rostered.clock)
        for chat in (11, 12):
            await outbox.enqueue(tx, key, dedup_key=f"t:{chat}", chat_id=chat, method="sendMessage",
                                 payload={"chat_id": chat, "text": "Xin chào"}, not_before=rostered.clock.now())
        first_id = await tx.fetchval("SELECT id FROM outbox WHERE dedup_key = 't:11'")
    bot = FakeBot()
    sender = OutboxSender(rostered, bot)  # type: ignore[arg-type]
    sender._settled[int(first_id)] = time.monotonic() + 60  # as if it settled after this scan began
    await sender.tick()
    await asyncio.gather(*sender._tasks)
    assert bot.calls == [12]

    del sender._settled[int(first_id)]
    await sender.tick()
    await asyncio.gather(*sender._tasks)
    assert bot.calls == [12, 11]
    await sender.tick()  # both settled now, and seen so by a fresh scan: nothing is sent twice
    await asyncio.gather(*sender._tasks)
    assert bot.calls == [12, 11]


class EditRacingBot:
    """Telegram, except that while the first card edit is on its way another answer commits."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.edits: list[str] = []
        self.count = 0

    async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> dict[str, Any]:
        self.count += 1
        if method == "editMessageText":
            self.edits.append(str(api_kwargs["text"]))
            if len(self.edits) == 1:
                await press(self.ctx, NSV, "a:1:object")
        return {"message_id": self.count, "message_thread_id": 7}


async def test_an_answer_made_while_the_card_edit_travels_gets_an_edit_of_its_own(rostered: AppContext) -> None:
    rostered = replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())
    await open_one(rostered)
    await press(rostered, MOIT, "a:1:agree")
    bot = EditRacingBot(rostered)
    sender = OutboxSender(rostered, bot)  # type: ignore[arg-type]
    for _ in range(60):  # until nothing is left to send
        await sender.tick()
        await asyncio.gather(*sender._tasks)
        async with rostered.db.reading() as tx:
            if not await tx.fetchval("SELECT count(*) FROM outbox WHERE state = 'pending'"):
                break
    assert len(bot.edits) == 2
    assert bot.edits[-1] != bot.edits[0]  # the second shows NSV's objection, the first could not


class PokedDuringTheScan:
    """Deliveries whose first scan sees nothing while a commit lands (and pokes) during it."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.scans = 0
        self.second_scan = asyncio.Event()
        self.sent = 0

    async def record_held(self) -> bool:
        return True

    async def due(self, limit: int) -> tuple[list[Any], float]:
        self.scans += 1
        if self.scans == 1:
            self.ctx.poke_outbox()  # a row committed after this scan's snapshot was taken
        else:
            self.second_scan.set()
        return [], 60.0


async def test_a_poke_during_the_scan_is_not_lost(rostered: AppContext) -> None:
    """A row committed while the sender scans must start the next scan at once, not after the
    sender's one-second poll (an escalation was seen one second late under load)."""
    deliveries = PokedDuringTheScan(rostered)
    sender = OutboxSender(rostered, FakeBot(), deliveries=deliveries)  # type: ignore[arg-type]
    running = asyncio.create_task(sender.run())
    try:
        await asyncio.wait_for(deliveries.second_scan.wait(), timeout=0.5)
    finally:
        await sender.stop()
        await running


async def test_a_group_call_is_not_kept_behind_private_messages_queued_before_it(rostered: AppContext) -> None:
    """Private messages that fill the global window must not hold a group's call (the status card)
    for as long as they keep coming: the group's own window already bounds its calls."""
    from bot.telegram.ratelimit import Limits, RateLimiter

    async with rostered.db.transaction() as tx:
        key = await deployment_data_key(tx, rostered.keys, rostered.clock)
        for chat in (21, 22, 23, GROUP):
            await outbox.enqueue(tx, key, dedup_key=f"t:{chat}", chat_id=chat, method="sendMessage",
                                 payload={"chat_id": chat, "text": "Xin chào"}, not_before=rostered.clock.now())
    bot = FakeBot()
    sender = OutboxSender(rostered, bot, RateLimiter(Limits(global_per_second=2)))  # type: ignore[arg-type]
    await sender.tick()
    await asyncio.gather(*sender._tasks)
    assert bot.calls == [GROUP, 21]
