"""Re-arming 10,000 pending steps at start, and how late steps fire with 10,000 armed."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock, to_iso
from bot.config import shipped_dir
from bot.scheduling.engine import DeadlineEngine
from bot.store import migrations
from bot.store.db import Database, Tx
from bot.store.engine import open_database
from bot.store.repos.steps import Step
from tests.support.bench import record
from tests.support.postgres import Server, requires_postgres

pytestmark = pytest.mark.bench
STEPS = 10_000


async def database_with_steps(path: Path | str, spread_seconds: float, start_in: float, due: int = STEPS) -> Database:
    """STEPS pending steps; the first `due` spread over `spread_seconds` from `start_in`, the rest in an hour.
    `path`: an SQLite file, or a PostgreSQL URL."""
    db = await (open_database(path, Path()) if isinstance(path, str) else Database.open(path))
    clock = SystemClock()
    await migrations.upgrade(db, shipped_dir("migrations"), clock)
    now = clock.now()
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO agencies (key, name) VALUES ('a', 'A')")
        await tx.execute("INSERT INTO people (key, name, agency_key) VALUES ('c', 'C', 'a')")
        await tx.executemany(
            "INSERT INTO consultations (id, title_enc, scopes, opened_by, opened_at, deadline_at, state)"
            " VALUES (?, ?, 'aec', 'c', ?, ?, 'open')",
            [(i, b"\x00", to_iso(now), to_iso(now)) for i in range(1, STEPS // 2 + 1)])
        await tx.executemany(
            "INSERT INTO deadline_steps (consultation_id, kind, tone, due_at) VALUES (?, 'escalation', 'urgent', ?)",
            [(i // 2 + 1, to_iso(now + timedelta(seconds=start_in + spread_seconds * i / due) if i < due
                                 else now + timedelta(hours=1))) for i in range(STEPS)])
    return db


async def rearm(where: Path | str) -> float:
    """Seconds to re-arm STEPS pending steps, none due, on SQLite (a path) or PostgreSQL (a URL)."""
    db = await database_with_steps(where, spread_seconds=3600, start_in=3600)

    async def nothing(tx: Tx, step: Step) -> None:
        raise AssertionError("nothing is due")

    engine = DeadlineEngine(db, SystemClock(), nothing)
    started = time.perf_counter()
    armed = await engine.start()
    seconds = time.perf_counter() - started
    await engine.shutdown()
    await db.close()
    assert armed == STEPS
    return seconds


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def test_rearm_and_lateness(tmp_path: Path) -> None:
    rearm_seconds = await rearm(tmp_path / "rearm.db")

    realistic = await fire(tmp_path / "fire.db", due=2_000, spread=10.0)
    overload = await fire(tmp_path / "overload.db", due=STEPS, spread=20.0)
    record("scheduler", {
        "pending steps re-armed at start": STEPS,
        "re-arm seconds": round(rearm_seconds, 2),
        "lateness with 10,000 armed, 200 steps/s due: p50 ms": realistic[0],
        "lateness with 10,000 armed, 200 steps/s due: p99 ms": realistic[1],
        "overload, all 10,000 due at 500 steps/s: p50 ms": overload[0],
        "overload, all 10,000 due at 500 steps/s: p99 ms": overload[1],
    })


async def fire(path: Path, due: int, spread: float) -> tuple[float, float]:
    """Arm STEPS steps of which `due` fall due over `spread` seconds; (p50, p99) lateness in ms."""
    db = await database_with_steps(path, spread_seconds=spread, start_in=3.0, due=due)

    async def trivial_write(tx: Tx, step: Step) -> None:
        await tx.execute("UPDATE consultations SET status_message_id = ? WHERE id = ?", (step.id, step.consultation_id))

    engine = DeadlineEngine(db, SystemClock(), trivial_write)
    all_fired = asyncio.Event()
    engine.after_fire = lambda: all_fired.set() if engine.fired >= due else None
    assert await engine.start() == STEPS
    await asyncio.wait_for(all_fired.wait(), spread + 60)
    await engine.shutdown()
    await db.close()
    assert engine.fired == due
    return (round(percentile(engine.lateness, 0.5) * 1e3, 1), round(percentile(engine.lateness, 0.99) * 1e3, 1))


@requires_postgres
async def test_rearm_on_postgresql(postgres_server: Server) -> None:
    rearm_seconds = await rearm(postgres_server.new_database())
    record("scheduler_postgres", {"pending steps re-armed at start": STEPS, "re-arm seconds": round(rearm_seconds, 2)})
