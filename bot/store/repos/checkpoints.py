"""Signed checkpoints of the event log, and the reads that build and check them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.domain.chain import Event
from bot.domain.checkpoint import ChainHead, CheckpointBody, event_leaf
from bot.store.db import Tx
from bot.store.events import row_to_event

BATCH = 2000


@dataclass(frozen=True)
class StoredCheckpoint:
    body: CheckpointBody
    signature: str
    note: str | None = None  # the C2SP signed note over (origin, tree size, root); None before 0013
    tsa: bytes | None = None  # the RFC 3161 time-stamp token over the note, when a TSA is configured


async def latest(tx: Tx) -> StoredCheckpoint | None:
    row = await tx.fetchone("SELECT body, signature, note, tsa FROM checkpoints ORDER BY number DESC LIMIT 1")
    return None if row is None else _stored(row)


def _stored(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(CheckpointBody.from_json(json.loads(row["body"])), str(row["signature"]),
                            None if row["note"] is None else str(row["note"]),
                            None if row["tsa"] is None else bytes(row["tsa"]))


async def latest_noted(tx: Tx) -> StoredCheckpoint | None:
    """The newest checkpoint that was signed as a note of the one tree (migration 0013 on)."""
    row = await tx.fetchone("SELECT body, signature, note, tsa FROM checkpoints WHERE note IS NOT NULL"
                            " ORDER BY number DESC LIMIT 1")
    return None if row is None else _stored(row)


async def noted_sizes(tx: Tx) -> list[int]:
    """The tree size of every checkpoint published as a note, each once, smallest first."""
    rows = await tx.fetchall("SELECT DISTINCT log_size FROM checkpoints WHERE note IS NOT NULL ORDER BY log_size")
    return [int(r["log_size"]) for r in rows]


async def insert(tx: Tx, body: CheckpointBody, signature: str, *, origin: str | None = None,
                 tree_root: str | None = None, note: str | None = None, tsa: bytes | None = None) -> None:
    await tx.execute(
        "INSERT INTO checkpoints (number, at, log_size, log_head, heads_root, body, signature, origin, tree_root,"
        " note, tsa) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (body.number, body.at, body.log_size, body.log_head, body.heads_root, body.signed_bytes().decode(),
         signature, origin, tree_root, note, tsa),
    )


async def leaf_hashes(tx: Tx, size: int) -> list[bytes]:
    """The leaves of the one tree: the chain hash of each of the first `size` events, in log order."""
    leaves: list[bytes] = []
    after = 0
    while after < size:
        rows = await tx.fetchall("SELECT seq, hash FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                                 (after, size, BATCH * 10))
        if not rows:
            break
        leaves.extend(event_leaf(str(r["hash"])) for r in rows)
        after = int(rows[-1]["seq"])
    return leaves


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


async def consultation_seqs(tx: Tx, consultation_id: int, size: int) -> list[int]:
    """The seq of each of the consultation's events among the first `size` of the log."""
    rows = await tx.fetchall("SELECT seq FROM events WHERE consultation_id = ? AND seq <= ? ORDER BY seq",
                             (consultation_id, size))
    return [int(r["seq"]) for r in rows]
