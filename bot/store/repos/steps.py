"""Deadline steps as rows. `mark_done` is conditional, so a step can fire only once however often
the scheduler calls it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import from_iso, to_iso
from bot.domain.plan import PlannedStep, StepKind, Tone
from bot.store.db import Tx


@dataclass(frozen=True)
class Step:
    id: int
    consultation_id: int
    kind: StepKind
    tone: Tone
    due_at: datetime
    generation: int


def _step(row: aiosqlite.Row) -> Step:
    return Step(int(row["id"]), int(row["consultation_id"]), StepKind(row["kind"]), Tone(row["tone"]),
                from_iso(row["due_at"]), int(row["generation"]))


async def insert_plan(tx: Tx, consultation_id: int, planned: list[PlannedStep], generation: int = 1) -> list[Step]:
    steps = []
    for item in planned:
        step_id = int(await tx.fetchval(
            "INSERT INTO deadline_steps (consultation_id, kind, tone, due_at, generation) VALUES (?, ?, ?, ?, ?)"
            " RETURNING id",
            (consultation_id, item.kind.value, item.tone.value, to_iso(item.due_at), generation),
        ))
        steps.append(Step(step_id, consultation_id, item.kind, item.tone, item.due_at, generation))
    return steps


async def pending(tx: Tx) -> list[Step]:
    rows = await tx.fetchall("SELECT * FROM deadline_steps WHERE state = 'pending' ORDER BY due_at, id")
    return [_step(r) for r in rows]


async def pending_for(tx: Tx, consultation_id: int) -> list[Step]:
    rows = await tx.fetchall(
        "SELECT * FROM deadline_steps WHERE state = 'pending' AND consultation_id = ? ORDER BY due_at, id",
        (consultation_id,),
    )
    return [_step(r) for r in rows]


async def mark_done(tx: Tx, step_id: int, at: datetime) -> bool:
    changed = await tx.execute_rowcount(
        "UPDATE deadline_steps SET state = 'done', done_at = ? WHERE id = ? AND state = 'pending'",
        (to_iso(at), step_id),
    )
    return changed == 1


async def drop(tx: Tx, step_ids: list[int]) -> None:
    await tx.executemany("UPDATE deadline_steps SET state = 'dropped' WHERE id = ? AND state = 'pending'",
                         [(i,) for i in step_ids])


async def drop_pending(tx: Tx, consultation_id: int) -> list[int]:
    ids = [s.id for s in await pending_for(tx, consultation_id)]
    await drop(tx, ids)
    return ids


async def generation_of(tx: Tx, consultation_id: int) -> int:
    value = await tx.fetchval("SELECT max(generation) FROM deadline_steps WHERE consultation_id = ?",
                              (consultation_id,))
    return int(value or 0)
