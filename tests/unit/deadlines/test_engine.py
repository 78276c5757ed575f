"""The engine with a real database and a clock running fast: on time, once, and after downtime."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import FakeClock, ScaledClock
from bot.domain.plan import PlannedStep, StepKind, Tone
from bot.scheduling.engine import DeadlineEngine
from bot.services.kernel.context import AppContext
from bot.store.db import Tx
from bot.store.repos import consultations
from bot.store.repos import steps as step_repo
from bot.store.repos.steps import Step

SPEED = 20.0  # a clock second lasts 50 ms of real time


async def make_consultation(ctx: AppContext) -> int:
    async with ctx.db.transaction() as tx:
        record, _ = await consultations.create(
            tx, ctx.keys, ctx.clock, title="t", scopes=("aec",), opened_by="coord-1",
            deadline_at=ctx.clock.now() + timedelta(hours=1), invitees=["moit-1"])
    return record.consultation.id


async def plan(ctx: AppContext, cid: int, *offsets: tuple[StepKind, float]) -> list[Step]:
    now = ctx.clock.now()
    async with ctx.db.transaction() as tx:
        return await step_repo.insert_plan(tx, cid, [
            PlannedStep(kind, now + timedelta(seconds=seconds), Tone.GENTLE) for kind, seconds in offsets])


class Recorder:
    def __init__(self, clock: ScaledClock, fail_first: int = 0) -> None:
        self.clock = clock
        self.fired: list[tuple[int, float]] = []
        self.fail_first = fail_first

    async def __call__(self, tx: Tx, step: Step) -> None:
        if self.fail_first:
            self.fail_first -= 1
            raise RuntimeError("handler failed")
        await tx.execute("SELECT 1")
        self.fired.append((step.id, (self.clock.now() - step.due_at).total_seconds()))


async def wait_for(condition: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
def fast(rostered: AppContext) -> AppContext:
    return replace(rostered, clock=ScaledClock(SPEED))


async def test_steps_fire_in_order_on_time_and_once(fast: AppContext) -> None:
    assert isinstance(fast.clock, ScaledClock)
    cid = await make_consultation(fast)
    planned = await plan(fast, cid, (StepKind.REMINDER, 20), (StepKind.REMINDER, 40), (StepKind.ESCALATION, 60))
    recorder = Recorder(fast.clock)
    engine = DeadlineEngine(fast.db, fast.clock, recorder)
    assert await engine.start() == 3
    await engine.rearm_all()  # arming twice must not fire twice
    await wait_for(lambda: len(recorder.fired) == 3)
    await asyncio.sleep(0.1)
    await engine.shutdown()
    assert [step for step, _ in recorder.fired] == [s.id for s in planned]
    assert all(0 <= late < 1.0 for _, late in recorder.fired), recorder.fired  # within a clock second


async def test_a_failing_handler_leaves_the_step_pending_and_retries(fast: AppContext) -> None:
    assert isinstance(fast.clock, ScaledClock)
    cid = await make_consultation(fast)
    await plan(fast, cid, (StepKind.REMINDER, 2))
    recorder = Recorder(fast.clock, fail_first=1)
    engine = DeadlineEngine(fast.db, fast.clock, recorder, retry_after=timedelta(seconds=0.2))
    await engine.start()
    await wait_for(lambda: len(recorder.fired) == 1)
    await engine.shutdown()
    async with fast.db.reading() as tx:
        assert await step_repo.pending(tx) == []


async def test_overdue_reminders_coalesce_at_start(rostered: AppContext) -> None:
    clock = rostered.clock
    assert isinstance(clock, FakeClock)
    cid = await make_consultation(rostered)
    planned = await plan(rostered, cid, (StepKind.REMINDER, 60), (StepKind.REMINDER, 120),
                         (StepKind.ESCALATION, 180), (StepKind.REMINDER, 1000))
    clock.advance(timedelta(seconds=200))  # the bot was down through three steps
    fired: list[int] = []

    async def handler(tx: Tx, step: Step) -> None:
        fired.append(step.id)

    engine = DeadlineEngine(rostered.db, clock, handler)
    assert await engine.start() == 3  # the later of the two overdue reminders, the escalation, the future one
    await wait_for(lambda: len(fired) == 2)
    await asyncio.sleep(0.05)
    await engine.shutdown()
    assert fired == [planned[1].id, planned[2].id]
    async with rostered.db.reading() as tx:
        state = await tx.fetchval("SELECT state FROM deadline_steps WHERE id = ?", (planned[0].id,))
    assert state == "dropped"


async def test_sync_drops_jobs_of_dropped_steps(fast: AppContext) -> None:
    assert isinstance(fast.clock, ScaledClock)
    cid = await make_consultation(fast)
    await plan(fast, cid, (StepKind.REMINDER, 20), (StepKind.ESCALATION, 40))
    recorder = Recorder(fast.clock)
    engine = DeadlineEngine(fast.db, fast.clock, recorder)
    await engine.start()
    async with fast.db.transaction() as tx:
        await step_repo.drop_pending(tx, cid)
    await engine.sync(cid)
    assert engine.scheduler.get_jobs() == []
    await asyncio.sleep(2.2)  # past both points
    await engine.shutdown()
    assert recorder.fired == []


@pytest.mark.slow
async def test_two_thousand_open_consultations_rearm(rostered: AppContext) -> None:
    async with rostered.db.transaction() as tx:
        for _ in range(2000):
            record, _ = await consultations.create(
                tx, rostered.keys, rostered.clock, title="t", scopes=("aec",), opened_by="coord-1",
                deadline_at=rostered.clock.now() + timedelta(hours=2), invitees=["moit-1"])
            now = rostered.clock.now()
            await step_repo.insert_plan(tx, record.consultation.id, [
                PlannedStep(StepKind.REMINDER, now + timedelta(hours=1), Tone.GENTLE),
                PlannedStep(StepKind.ESCALATION, now + timedelta(hours=2), Tone.URGENT)])

    async def handler(tx: Tx, step: Step) -> None:
        raise AssertionError("nothing is due")

    engine = DeadlineEngine(rostered.db, rostered.clock, handler)
    assert await engine.start() == 4000
    assert len(engine.scheduler.get_jobs()) == 4000
    await engine.shutdown()


async def test_a_scheduled_step_runs_its_after_commit_hooks(fast: AppContext,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """#27: a step fired by the scheduler built its unit of work by hand and never ran its
    after-commit hooks, so the event log lines of a reminder were lost (and any re-arming)."""
    import logging

    from bot.services.consultations.steps import step_handler

    cid = await make_consultation(fast)
    await plan(fast, cid, (StepKind.REMINDER, 1))
    engine = DeadlineEngine(fast.db, fast.clock, step_handler(fast))
    with caplog.at_level(logging.INFO, logger="bot.services.kernel.uow"):
        await engine.start()
        await wait_for(lambda: engine.fired == 1)
        await engine.shutdown()
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.services.kernel.uow"]
    assert any(line.startswith("event reminded") for line in logged), logged
