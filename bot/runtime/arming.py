"""The arming port once the scheduler runs: what a unit of work commits reaches the scheduler.

The port exists before the scheduler does (the bot's context names it, and the scheduler's step
handler needs that context), so the scheduler is handed over when it starts."""

from __future__ import annotations

import asyncio

from bot.scheduling.engine import DeadlineEngine


class SchedulerArming:
    def __init__(self) -> None:
        self.engine: DeadlineEngine | None = None
        self._syncs: set[asyncio.Task[None]] = set()  # held, so a sync is not collected mid-way

    async def start(self, engine: DeadlineEngine) -> int:
        """Start the scheduler with every pending step armed; return how many."""
        self.engine = engine
        return await engine.start()

    def arm(self, consultation_id: int) -> None:
        """The scheduler takes one consultation's committed steps (bot/services/kernel/ports.py)."""
        assert self.engine is not None, "armed before the scheduler started"
        task = asyncio.create_task(self.engine.sync(consultation_id))
        self._syncs.add(task)
        task.add_done_callback(self._syncs.discard)

    async def shutdown(self) -> None:
        if self.engine is not None:
            await self.engine.shutdown()
