"""The sender scans the outbox on a second connection; a row whose send settled while that scan
ran may still look pending in it, and must be left to the next scan, not sent again."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.context import AppContext
from bot.store.datakeys import deployment_data_key
from bot.store.repos import outbox
from bot.telegram.sender import OutboxSender


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
