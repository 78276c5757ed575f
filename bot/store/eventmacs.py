"""Keyed events: the key that MACs every event, and the one-time sealing of a log written before.

The chain's SHA-256 needs no key, so whoever can write consult.db could rewrite an answer and
recompute every hash after it. Each event also carries an HMAC of its hash and sequence number
under a key derived from keys/hmac.key, which the database never holds: a database-only writer
can no longer append, alter or reorder an event without `consult checkpoint`, `consult doctor`
and every export's checkpoint refusing the log.

A deployment that upgrades has events without a MAC. The first start with the key MACs them
once (trusting the log as it stands then, which the last checkpoint has already vouched for) and
leaves a marker in keys/; from then on an event without a MAC is a fault, never re-sealed.

A MAC cannot show that the newest events were deleted: after every commit that appends, the bot
also writes the newest event's sequence number and MAC to keys/event-head, out of the database
writer's reach. A log that no longer holds that event is cut short (or rolled back to a backup):
only `consult db restore --accept-rollback` moves the head back, and says so in the log.
"""

from __future__ import annotations

import asyncio
import hmac
import os
from pathlib import Path

from bot.domain.chain import ChainFault, check_log, event_mac
from bot.errors import RollbackRefusedError
from bot.store.db import Database
from bot.store.events import all_events, row_to_event
from bot.store.keys import HMAC_KEY_FILE, KeyStore
from bot.store.secretfiles import write_secret_file

EVENT_MAC_PURPOSE = "event-mac"
SEALED_MARKER = "event-macs.sealed"
HEAD_FILE = "event-head"


def write_head(keys_dir: Path, seq: int, mac: str) -> None:
    """Record the newest event outside the database (owner-only, replaced atomically). Not synced:
    a head lost with the last commits to a power cut only leaves the check a step behind."""
    target = keys_dir / HEAD_FILE
    if (current := read_head(keys_dir)) is not None and current[0] > seq:
        return  # another process of the same deployment already wrote a later one
    partial = keys_dir / f".{HEAD_FILE}.{os.getpid()}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, f"{seq} {mac}\n".encode())
    finally:
        os.close(fd)
    os.replace(partial, target)


def read_head(keys_dir: Path) -> tuple[int, str] | None:
    try:
        seq, mac = (keys_dir / HEAD_FILE).read_text().split()
        return int(seq), mac
    except (FileNotFoundError, ValueError):
        return None


async def attach(db: Database, keys: KeyStore) -> bool:
    """Give the database the event key if the deployment has one, sealing an upgraded log once.
    Returns whether events are now keyed."""
    if not (keys.keys_dir / HMAC_KEY_FILE).exists():
        return False
    key = keys.hmac_key(EVENT_MAC_PURPOSE)
    db.event_mac_key = key
    db.after_append = lambda seq, mac: write_head(keys.keys_dir, seq, mac)
    marker = keys.keys_dir / SEALED_MARKER
    if marker.exists():
        await _refuse_behind_head(db, keys.keys_dir)
        return True
    async with db.transaction() as tx:
        rows = await tx.fetchall("SELECT seq, hash FROM events WHERE mac IS NULL ORDER BY seq")
        await tx.executemany("UPDATE events SET mac = ? WHERE seq = ?",
                             [(event_mac(key, int(r["seq"]), str(r["hash"])), int(r["seq"])) for r in rows])
    if rows:
        last = int(rows[-1]["seq"])
        write_head(keys.keys_dir, last, event_mac(key, last, str(rows[-1]["hash"])))
    write_secret_file(marker, b"events written before keyed events were sealed at first start\n")
    return True


async def _refuse_behind_head(db: Database, keys_dir: Path) -> None:
    """Refuse to run on a log that no longer holds the newest event the bot wrote."""
    head = read_head(keys_dir)
    if head is None:
        return
    async with db.reading() as tx:
        mac = await tx.fetchval("SELECT mac FROM events WHERE seq = ?", (head[0],))
        tail = await tx.fetchval("SELECT coalesce(max(seq), 0) FROM events")
    if mac is None or not hmac.compare_digest(str(mac), head[1]):
        raise RollbackRefusedError(
            f"the database's log ends at event seq {tail}, but the bot already wrote seq {head[0]} (recorded in "
            f"{keys_dir / HEAD_FILE}): the database was rolled back or its newest events deleted. Restore the "
            "newest backup (`consult db restore FILE`); if this older copy is meant to stand, back it up with "
            "`consult db backup FILE` and restore that with `consult db restore FILE --accept-rollback`, which "
            "records the rollback in the log")


async def log_faults(db: Database, keys_dir: Path | None = None, *, after: int = 0) -> list[ChainFault]:
    """Every fault of the whole log: hashes, links, chains and, where keyed, every MAC; with
    `keys_dir`, also whether the newest event recorded there is still in the log. With `after`, only
    the MACs of the events after that seq (the caller checked their hashes and links)."""
    head = read_head(keys_dir) if keys_dir is not None else None
    async with db.snapshot() as tx:
        head_mac = None if head is None else await tx.fetchval("SELECT mac FROM events WHERE seq = ?", (head[0],))
        tail = int(await tx.fetchval("SELECT coalesce(max(seq), 0) FROM events"))
        if after:
            events = [row_to_event(r) for r in await tx.fetchall("SELECT * FROM events WHERE seq > ? ORDER BY seq",
                                                                 (after,))]
        else:
            events = await all_events(tx)
    if after:
        key = db.event_mac_key
        faults = [] if key is None else [
            ChainFault(e.seq, "mac", "missing or not made with the deployment's event key (written outside the bot)")
            for e in events
            if e.mac is None or not hmac.compare_digest(e.mac, event_mac(key, e.seq, e.hash))]
    else:
        # Seconds of CPU on a large log: off the event loop, so the bot keeps answering meanwhile.
        faults = await asyncio.to_thread(check_log, events, db.event_mac_key)
    if head is not None:
        seq, mac = head
        if head_mac is None or not hmac.compare_digest(str(head_mac), mac):
            faults.append(ChainFault(seq, "head", f"the log ends at seq {tail}, but the bot wrote seq {seq} "
                                                  "(newest events deleted, or the database rolled back to a copy; "
                                                  "`consult db restore --accept-rollback` if that was meant)"))
    return faults
