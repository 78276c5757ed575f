"""Keyed events: the key that MACs every event, and the one-time sealing of a log written before.

The chain's SHA-256 needs no key, so whoever can write consult.db could rewrite an answer and
recompute every hash after it. Each event also carries an HMAC of its hash and sequence number
under a key derived from keys/hmac.key, which the database never holds: a database-only writer
can no longer append, alter or reorder an event without `consult checkpoint`, `consult doctor`
and every export's checkpoint refusing the log.

A deployment that upgrades has events without a MAC. The first start with the key MACs them
once (trusting the log as it stands then, which the last checkpoint has already vouched for) and
leaves a marker in keys/; from then on an event without a MAC is a fault, never re-sealed.
"""

from __future__ import annotations

from bot.domain.chain import ChainFault, check_log, event_mac
from bot.store.db import Database
from bot.store.events import all_events
from bot.store.keys import HMAC_KEY_FILE, KeyStore
from bot.store.secretfiles import write_secret_file

EVENT_MAC_PURPOSE = "event-mac"
SEALED_MARKER = "event-macs.sealed"


async def attach(db: Database, keys: KeyStore) -> bool:
    """Give the database the event key if the deployment has one, sealing an upgraded log once.
    Returns whether events are now keyed."""
    if not (keys.keys_dir / HMAC_KEY_FILE).exists():
        return False
    key = keys.hmac_key(EVENT_MAC_PURPOSE)
    db.event_mac_key = key
    marker = keys.keys_dir / SEALED_MARKER
    if marker.exists():
        return True
    async with db.transaction() as tx:
        rows = await tx.fetchall("SELECT seq, hash FROM events WHERE mac IS NULL ORDER BY seq")
        await tx.executemany("UPDATE events SET mac = ? WHERE seq = ?",
                             [(event_mac(key, int(r["seq"]), str(r["hash"])), int(r["seq"])) for r in rows])
    write_secret_file(marker, b"events written before keyed events were sealed at first start\n")
    return True


async def log_faults(db: Database) -> list[ChainFault]:
    """Every fault of the whole log: hashes, links, chains and, where keyed, every MAC."""
    async with db.snapshot() as tx:
        events = await all_events(tx)
    return check_log(events, db.event_mac_key)
