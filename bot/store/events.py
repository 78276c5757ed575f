"""The append-only event log. Writing an event happens inside the transaction of the change it
records, so the log and the state can never disagree."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import Clock, to_iso
from bot.domain.chain import LOG_GENESIS, Event, chain_genesis, event_hash, event_mac, hashed_content
from bot.store.db import Database, Tx


def row_to_event(row: aiosqlite.Row) -> Event:
    """One reading of an event row, shared with the repos that stream events (transcripts,
    checkpoints)."""
    return Event(
        seq=int(row["seq"]),
        at=str(row["at"]),
        consultation_id=row["consultation_id"],
        type=str(row["type"]),
        actor=row["actor"],
        data=json.loads(row["data"]),
        prev_hash=str(row["prev_hash"]),
        log_prev_hash=str(row["log_prev_hash"]),
        hash=str(row["hash"]),
        mac=row["mac"],
    )


INSERT_EVENT = ("INSERT INTO events (seq, at, consultation_id, type, actor, data, prev_hash, log_prev_hash, hash,"
                " mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def event_row(event: Event) -> tuple[Any, ...]:
    return (event.seq, event.at, event.consultation_id, event.type, event.actor,
            json.dumps(event.data, ensure_ascii=False, sort_keys=True), event.prev_hash, event.log_prev_hash,
            event.hash, event.mac)


async def append_event(
    tx: Tx,
    clock: Clock,
    event_type: str,
    *,
    consultation_id: int | None = None,
    actor: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> Event:
    """Append one event, linking it into its consultation's chain and the deployment's log."""
    event = await next_event(tx, clock, event_type, consultation_id=consultation_id, actor=actor, data=data)
    await tx.execute(INSERT_EVENT, event_row(event))
    return event


async def insert_events(tx: Tx, events: list[Event]) -> None:
    """Write events made by `next_event`, in order, in one statement."""
    if events:
        await tx.executemany(INSERT_EVENT, [event_row(e) for e in events])


async def next_event(
    tx: Tx,
    clock: Clock,
    event_type: str,
    *,
    consultation_id: int | None = None,
    actor: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> Event:
    """The next event of the chains, not yet written: the caller must write it in this
    transaction (`insert_events`), or the chains point at an event that does not exist."""
    tail = await tx.recall("events.tail")
    if tail is None:
        last = await tx.fetchone("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        tail = (0, LOG_GENESIS) if last is None else (int(last["seq"]), str(last["hash"]))
    seq, log_prev = tail[0] + 1, tail[1]
    prev = await tx.recall(("events.prev", consultation_id))
    if prev is None:
        if consultation_id is None:
            prev_row = await tx.fetchone(
                "SELECT hash FROM events WHERE consultation_id IS NULL ORDER BY seq DESC LIMIT 1"
            )
        else:
            prev_row = await tx.fetchone(
                "SELECT hash FROM events WHERE consultation_id = ? ORDER BY seq DESC LIMIT 1", (consultation_id,)
            )
        prev = chain_genesis(consultation_id) if prev_row is None else str(prev_row["hash"])
    at = to_iso(clock.now())
    payload = dict(data or {})
    content = hashed_content(seq, at, consultation_id, event_type, actor, payload, prev, log_prev)
    digest = event_hash(content)
    tx.remember("events.tail", (seq, digest))
    tx.remember(("events.prev", consultation_id), digest)
    mac = None if tx.event_mac_key is None else event_mac(tx.event_mac_key, seq, digest)
    if mac is not None:
        tx.appended = (seq, mac)
    return Event(seq, at, consultation_id, event_type, actor, payload, prev, log_prev, digest, mac)


async def consultation_events(tx: Tx, consultation_id: int) -> list[Event]:
    rows = await tx.fetchall("SELECT * FROM events WHERE consultation_id = ? ORDER BY seq", (consultation_id,))
    return [row_to_event(row) for row in rows]


async def iter_consultation_events(
    db: Database, consultation_id: int, batch: int = 1000
) -> AsyncIterator[Event]:
    """Stream a consultation's events in batches, for exports too large to hold at once."""
    after = 0
    while True:
        async with db.reading() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM events WHERE consultation_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (consultation_id, after, batch),
            )
        if not rows:
            return
        for row in rows:
            yield row_to_event(row)
        after = int(rows[-1]["seq"])


async def newest_seq(tx: Tx, consultation_id: int) -> int:
    """The sequence number of the consultation's latest event; 0 if it has none."""
    return int(await tx.fetchval("SELECT coalesce(max(seq), 0) FROM events WHERE consultation_id = ?",
                                 (consultation_id,)))


async def all_events(tx: Tx) -> list[Event]:
    return [row_to_event(row) for row in await tx.fetchall("SELECT * FROM events ORDER BY seq")]


def tail_of_copy(path: Path) -> tuple[int, str | None]:
    """The newest event of a database copy, read without changing it: (seq, mac); (0, None) if none."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT seq, mac FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # a copy from before migration 0010 has no mac column
        row = connection.execute("SELECT seq, NULL FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        connection.close()
    return (0, None) if row is None else (int(row[0]), row[1])
