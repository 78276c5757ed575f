"""Claims on Telegram update ids: how a redelivered update is recognised and changes nothing twice.

Telegram keeps an update it could not deliver for at most 24 hours, so a redelivery comes within a
day of the first delivery. After a week without updates it numbers the next one at random (Bot
API, Update.update_id), so an id handled long ago may come back as a new update. A claim therefore
counts only within CLAIM_WINDOW (of real time; a drill's fast clock stretches it on its own dial),
and older ones are pruned: the table stays a day or two of ids, whatever the bot's age.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import to_iso
from bot.store.db import Tx

CLAIM_WINDOW = timedelta(hours=24)


def window_on(speed: float) -> timedelta:
    """The claim window measured on a clock running `speed` times real time."""
    return CLAIM_WINDOW * speed


async def claim(tx: Tx, update_id: int, now: datetime, window: timedelta) -> None:
    """Claim `update_id`; a claim within the window makes the transaction fail on its next trip
    (IntegrityError naming processed_updates.update_id), an older one is forgotten first. Both
    statements travel with the use case's first read: nothing here waits for the database."""
    await tx.execute("DELETE FROM processed_updates WHERE update_id = ? AND processed_at < ?",
                     (update_id, to_iso(now - window)))
    await tx.execute("INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?)",
                     (update_id, to_iso(now)))


async def prune(tx: Tx, now: datetime, window: timedelta) -> int:
    """Forget claims older than the window; returns how many."""
    return await tx.execute_rowcount("DELETE FROM processed_updates WHERE processed_at < ?",
                                     (to_iso(now - window),))


async def latest_claimed(tx: Tx) -> int | None:
    """The update id claimed last (by time, since ids may be renumbered)."""
    value = await tx.fetchval("SELECT update_id FROM processed_updates ORDER BY processed_at DESC, rowid DESC LIMIT 1")
    return None if value is None else int(value)


async def is_claimed(tx: Tx, update_id: int, now: datetime, window: timedelta) -> bool:
    """Whether `update_id` was claimed within the window (handled, or set aside)."""
    found = await tx.fetchval("SELECT 1 FROM processed_updates WHERE update_id = ? AND processed_at >= ?",
                              (update_id, to_iso(now - window)))
    return found is not None
