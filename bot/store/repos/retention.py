"""What retention may shred: consultations ended before a cutoff whose data key still exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_iso
from bot.store.db import Tx


@dataclass(frozen=True)
class Ended:
    consultation_id: int
    closed_at: str


async def ended_before(tx: Tx, cutoff: datetime) -> list[Ended]:
    """Closed or cancelled before `cutoff`, content not yet shredded; oldest number first."""
    rows = await tx.fetchall(
        "SELECT c.id, c.closed_at FROM consultations c JOIN data_keys k ON k.owner = c.id"
        " WHERE c.state IN ('closed', 'cancelled') AND c.closed_at IS NOT NULL AND c.closed_at < ?"
        " AND k.wrapped IS NOT NULL ORDER BY c.id",
        (to_iso(cutoff),),
    )
    return [Ended(int(r["id"]), str(r["closed_at"])) for r in rows]
