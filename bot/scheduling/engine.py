"""Firing deadline steps on time, exactly once.

The database holds every planned step; APScheduler holds one job per pending step (`step:<id>`),
armed at start from the database and whenever a use case commits new steps. A job opens a
transaction, marks its step done (conditionally: a step already done is left alone) and lets the
handler queue its messages in the same transaction, so a crash can neither lose nor repeat it.
Steps that fell due while the bot was down fire once at start; several overdue reminders of one
consultation are coalesced into the latest, since three reminders in a row help nobody.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock, real_seconds
from bot.domain.plan import StepKind
from bot.store.db import Database, Tx
from bot.store.repos import steps as step_repo
from bot.store.repos.steps import Step

log = logging.getLogger(__name__)

# The handler works inside the engine's transaction and may return what is to run once it has
# committed (log lines, re-arming, waking the outbox): never before, or a rollback would be told.
StepHandler = Callable[[Tx, Step], Awaitable[Callable[[], None] | None]]
RETRY_AFTER = timedelta(seconds=5)


class DeadlineEngine:
    def __init__(self, db: Database, clock: Clock, fire: StepHandler, *,
                 retry_after: timedelta = RETRY_AFTER) -> None:
        self.retry_after = retry_after  # real time before a failed step is tried again
        self.db = db
        self.clock = clock
        self.fire_handler = fire
        self.scheduler = AsyncIOScheduler(job_defaults={"misfire_grace_time": None, "coalesce": True,
                                                        "max_instances": 1})
        self.fired = 0
        self.lateness: list[float] = []  # clock seconds between due and fired, for the benchmark
        self.after_fire: Callable[[], None] | None = None

    async def start(self) -> int:
        """Start the scheduler and arm every pending step; return how many were armed."""
        self.scheduler.start()
        return await self.rearm_all()

    async def rearm_all(self) -> int:
        async with self.db.transaction() as tx:
            pending = await step_repo.pending(tx)
            stale = _coalesce_overdue(pending, self.clock.now())
            await step_repo.drop(tx, [s.id for s in stale])
        if stale:
            log.info("coalesced %d overdue reminders at start", len(stale))
        stale_ids = {s.id for s in stale}
        armed = [s for s in pending if s.id not in stale_ids]
        for step in armed:
            self.arm(step)
        return len(armed)

    async def sync(self, consultation_id: int) -> None:
        """Make the armed jobs of one consultation match its pending rows (after open, extend, close)."""
        async with self.db.reading() as tx:
            pending = await step_repo.pending_for(tx, consultation_id)
        wanted = {f"step:{s.id}" for s in pending}
        for job in self.scheduler.get_jobs():
            if job.name == f"consultation:{consultation_id}" and job.id not in wanted:
                job.remove()
        for step in pending:
            self.arm(step)

    def arm(self, step: Step) -> None:
        delay = max(0.0, real_seconds(self.clock, (step.due_at - self.clock.now()).total_seconds()))
        run_at = datetime.now().astimezone() + timedelta(seconds=delay)
        self.scheduler.add_job(self._fire, "date", run_date=run_at, args=[step], id=f"step:{step.id}",
                               name=f"consultation:{step.consultation_id}", replace_existing=True)

    async def _fire(self, step: Step) -> None:
        try:
            async with self.db.transaction() as tx:
                if not await step_repo.mark_done(tx, step.id, self.clock.now()):
                    return  # done or dropped meanwhile (extended, closed, fired by a twin)
                committed = await self.fire_handler(tx, step)
            if committed is not None:
                committed()
        except Exception:
            log.exception("step %s (%s of #%s) failed; retrying", step.id, step.kind, step.consultation_id)
            retry = Step(step.id, step.consultation_id, step.kind, step.tone,
                         self.clock.now() + self.retry_after * self.clock.speed, step.generation)
            self.arm(retry)
            return
        self.fired += 1
        self.lateness.append((self.clock.now() - step.due_at).total_seconds())
        if self.after_fire is not None:
            self.after_fire()

    async def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)


def _coalesce_overdue(pending: list[Step], now: datetime) -> list[Step]:
    """Overdue reminders of a consultation except its latest: they are dropped, not sent."""
    overdue: dict[int, list[Step]] = {}
    for step in pending:
        if step.kind is StepKind.REMINDER and step.due_at <= now:
            overdue.setdefault(step.consultation_id, []).append(step)
    stale: list[Step] = []
    for reminders in overdue.values():
        reminders.sort(key=lambda s: s.due_at)
        stale.extend(reminders[:-1])
    return stale
