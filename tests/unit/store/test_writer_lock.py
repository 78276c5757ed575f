"""The store's lock: one holder; waiting updates go before waiting background work; a waiter
cancelled at the moment it is handed the lock passes it on instead of keeping it forever."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.db import WriterLock


async def test_urgent_waiters_go_first_and_each_queue_keeps_its_order() -> None:
    lock = WriterLock()
    order: list[str] = []

    async def work(name: str, urgent: bool) -> None:
        async with lock.hold(urgent):
            order.append(name)
            await asyncio.sleep(0)

    async with lock.hold():
        tasks = [asyncio.create_task(work(name, name.startswith("u")))
                 for name in ("b1", "u1", "b2", "u2")]
        await asyncio.sleep(0.01)  # all four are queued now
        assert order == []
    await asyncio.gather(*tasks)
    assert order == ["u1", "u2", "b1", "b2"]


async def test_one_holder_at_a_time() -> None:
    lock = WriterLock()
    inside = 0
    most = 0

    async def work(urgent: bool) -> None:
        nonlocal inside, most
        async with lock.hold(urgent):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(work(i % 3 == 0) for i in range(30)))
    assert most == 1


async def test_a_cancelled_waiter_does_not_keep_the_lock() -> None:
    lock = WriterLock()
    async with lock.hold():
        waiting = asyncio.create_task(_hold_briefly(lock))
        await asyncio.sleep(0.01)
    waiting.cancel()  # the lock was just handed to it, and it has not run yet
    with pytest.raises(asyncio.CancelledError):
        await waiting
    async with asyncio.timeout(1):  # free again: a stuck lock would time out here
        async with lock.hold():
            pass


async def _hold_briefly(lock: WriterLock) -> None:
    async with lock.hold():
        await asyncio.sleep(0)
