"""What runs beside the updates for as long as the bot does, so it can be checked and cancelled."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable


class Background:
    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def spawn(self, work: Awaitable[None], name: str) -> None:
        self._tasks.append(asyncio.ensure_future(work))
        self._tasks[-1].set_name(name)

    def alive(self) -> bool:
        """Health: a background part that ended has stopped working for good."""
        return all(not task.done() for task in self._tasks)

    async def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
