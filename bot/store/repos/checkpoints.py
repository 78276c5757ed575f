"""Signed checkpoints of the event log, and the reads that build and check them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.domain.chain import Event
from bot.domain.checkpoint import ChainHead, CheckpointBody
from bot.store.db import Tx
from bot.store.events import row_to_event

BATCH = 2000


@dataclass(frozen=True)
class StoredCheckpoint:
    body: CheckpointBody
    signature: str


async def latest(tx: Tx) -> StoredCheckpoint | None:
    row = await tx.fetchone("SELECT body, signature FROM checkpoints ORDER BY number DESC LIMIT 1")
    if row is None:
        return None
    return StoredCheckpoint(CheckpointBody.from_json(json.loads(row["body"])), str(row["signature"]))


async def insert(tx: Tx, body: CheckpointBody, signature: str) -> None:
    await tx.execute(
        "INSERT INTO checkpoints (number, at, log_size, log_head, heads_root, body, signature)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (body.number, body.at, body.log_size, body.log_head, body.heads_root, body.signed_bytes().decode(),
         signature),
    )


async def log_tail(tx: Tx) -> tuple[int, str] | None:
    """(seq, hash) of the last event of the log."""
    row = await tx.fetchone("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
    return None if row is None else (int(row["seq"]), str(row["hash"]))


async def event_hash_at(tx: Tx, seq: int) -> str | None:
    value = await tx.fetchval("SELECT hash FROM events WHERE seq = ?", (seq,))
    return None if value is None else str(value)


async def heads(tx: Tx, log_size: int) -> list[ChainHead]:
    """The head of every chain among the first `log_size` events: the deployment's chain first,
    then consultations by id (the order of the checkpoint's Merkle leaves)."""
    rows = await tx.fetchall(
        "SELECT e.consultation_id, e.seq, e.hash, h.n FROM events e JOIN"
        " (SELECT max(seq) AS last, count(*) AS n FROM events WHERE seq <= ? GROUP BY consultation_id) h"
        " ON e.seq = h.last ORDER BY e.consultation_id IS NOT NULL, e.consultation_id",
        (log_size,),
    )
    return [ChainHead(r["consultation_id"], int(r["seq"]), str(r["hash"]), int(r["n"])) for r in rows]


async def events_after(tx: Tx, after: int) -> AsyncIterator[Event]:
    """Every event of the log after seq `after`, in order, in batches."""
    while True:
        rows = await tx.fetchall("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (after, BATCH))
        if not rows:
            return
        for row in rows:
            yield row_to_event(row)
        after = int(rows[-1]["seq"])
