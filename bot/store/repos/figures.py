"""Counts for the operators' metrics, read at scrape time: how many and how old, never content."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Tx


@dataclass(frozen=True)
class Figures:
    consultations_by_state: dict[str, int]
    outbox_pending: int
    outbox_oldest: str | None  # when the oldest pending row was queued (ISO), if any
    outbox_failed: int
    blocks_by_level: dict[str, int]
    # Blocks with no level: those where no verdict could be reached, by rule.
    blocks_without_level_by_rule: dict[str, int]
    steps_pending: int


async def read(tx: Tx) -> Figures:
    states = await tx.fetchall("SELECT state, count(*) AS n FROM consultations GROUP BY state")
    pending = await tx.fetchone(
        "SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE state = 'pending'")
    failed = await tx.fetchval("SELECT count(*) FROM outbox WHERE state = 'failed'")
    blocks = await tx.fetchall(
        "SELECT coalesce(json_extract(data, '$.level'), 'unknown') AS level, count(*) AS n"
        " FROM events WHERE type = 'blocked' GROUP BY level")
    by_rule = await tx.fetchall(
        "SELECT json_extract(data, '$.rule') AS rule, count(*) AS n FROM events WHERE type = 'blocked'"
        " AND json_extract(data, '$.level') IS NULL GROUP BY rule")
    steps = await tx.fetchval("SELECT count(*) FROM deadline_steps WHERE state = 'pending'")
    return Figures(
        consultations_by_state={str(row["state"]): int(row["n"]) for row in states},
        outbox_pending=int(pending["n"]) if pending else 0,
        outbox_oldest=pending["oldest"] if pending else None,
        outbox_failed=int(failed or 0),
        blocks_by_level={str(row["level"]): int(row["n"]) for row in blocks},
        blocks_without_level_by_rule={str(row["rule"]): int(row["n"]) for row in by_rule if row["rule"] is not None},
        steps_pending=int(steps or 0),
    )


async def ping(tx: Tx) -> None:
    """A statement the database must answer: it is open and readable."""
    await tx.fetchval("SELECT 1")
