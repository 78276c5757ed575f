"""Counters behind the coalesced block notices: how many posts of one sender were blocked in one
place, and how many of them a notice has told. No content, only counts and the highest level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.store.db import Tx

# The level kept is the higher of the stored one and the new one (ranked mat < toi_mat < tuyet_mat).
_COUNT = """
INSERT INTO block_notices (chat_id, thread_id, subject, blocked, level) VALUES (?, ?, ?, 1, ?)
ON CONFLICT (chat_id, thread_id, subject) DO UPDATE SET blocked = block_notices.blocked + 1, level = CASE
    WHEN (CASE excluded.level WHEN 'tuyet_mat' THEN 3 WHEN 'toi_mat' THEN 2 WHEN 'mat' THEN 1 ELSE 0 END)
       > (CASE block_notices.level WHEN 'tuyet_mat' THEN 3 WHEN 'toi_mat' THEN 2 WHEN 'mat' THEN 1 ELSE 0 END)
    THEN excluded.level ELSE block_notices.level END
"""


@dataclass(frozen=True)
class NoticeKey:
    chat_id: int
    thread_id: int  # 0: none
    subject: str


@dataclass(frozen=True)
class Untold:
    """What the next notice must say: how many, the highest marking among them (None: none of
    them could be checked), and how far the count goes."""

    count: int
    level: str | None
    blocked: int


async def count_block(tx: Tx, key: NoticeKey, level: str | None) -> datetime | None:
    """Count one more blocked post; return when the last notice for this place and sender went."""
    await tx.execute(_COUNT, (key.chat_id, key.thread_id, key.subject, level))
    value = await tx.fetchval(
        "SELECT last_sent_at FROM block_notices WHERE chat_id = ? AND thread_id = ? AND subject = ?",
        (key.chat_id, key.thread_id, key.subject))
    return None if value is None else from_iso(value)


async def untold(tx: Tx, key: NoticeKey) -> Untold:
    row = await tx.fetchone(
        "SELECT blocked, announced, level FROM block_notices WHERE chat_id = ? AND thread_id = ? AND subject = ?",
        (key.chat_id, key.thread_id, key.subject))
    if row is None:
        return Untold(1, None, 0)
    return Untold(max(1, int(row["blocked"]) - int(row["announced"])), row["level"], int(row["blocked"]))


async def told(tx: Tx, key: NoticeKey, upto: int, at: datetime) -> bool:
    """A notice telling the count up to `upto` went; True if more were blocked meanwhile."""
    await tx.execute(
        "UPDATE block_notices SET announced = max(announced, ?), last_sent_at = ?,"
        " level = CASE WHEN blocked > ? THEN level END"
        " WHERE chat_id = ? AND thread_id = ? AND subject = ?",
        (upto, to_iso(at), upto, key.chat_id, key.thread_id, key.subject))
    blocked = await tx.fetchval(
        "SELECT blocked FROM block_notices WHERE chat_id = ? AND thread_id = ? AND subject = ?",
        (key.chat_id, key.thread_id, key.subject))
    return blocked is not None and int(blocked) > upto
