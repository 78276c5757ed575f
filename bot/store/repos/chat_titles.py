"""The last title of each group that the guard allowed: what a marked title is replaced with."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_iso
from bot.store.db import Tx


async def remember(tx: Tx, chat_id: int, title: str, at: datetime) -> None:
    await tx.execute(
        "INSERT INTO chat_titles (chat_id, title, noted_at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET title = excluded.title, noted_at = excluded.noted_at",
        (chat_id, title, to_iso(at)))


async def last_good(tx: Tx, chat_id: int) -> str | None:
    value = await tx.fetchval("SELECT title FROM chat_titles WHERE chat_id = ?", (chat_id,))
    return None if value is None else str(value)
