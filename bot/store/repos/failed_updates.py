"""Updates set aside (failed for good, or unparseable) and file updates held while read: ids and
places, never content."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import to_iso
from bot.store.db import Tx


@dataclass(frozen=True)
class FailedUpdate:
    update_id: int
    handler: str
    error_type: str
    attempts: int
    chat_id: int | None
    user_id: int | None
    failed_at: str


@dataclass(frozen=True)
class HeldFile:
    update_id: int
    chat_id: int
    message_id: int
    user_id: int
    language_code: str | None
    group_post: bool


async def record(tx: Tx, failed: FailedUpdate) -> None:
    await tx.execute(
        "INSERT INTO failed_updates (update_id, handler, error_type, attempts, chat_id, user_id, failed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (failed.update_id, failed.handler, failed.error_type, failed.attempts, failed.chat_id, failed.user_id,
         failed.failed_at))


async def listed(tx: Tx, limit: int = 100) -> list[FailedUpdate]:
    rows = await tx.fetchall(
        "SELECT update_id, handler, error_type, attempts, chat_id, user_id, failed_at FROM failed_updates"
        " ORDER BY failed_at DESC, id DESC LIMIT ?", (limit,))
    return [FailedUpdate(int(r["update_id"]), str(r["handler"]), str(r["error_type"]), int(r["attempts"]),
                         r["chat_id"], r["user_id"], str(r["failed_at"])) for r in rows]


async def count(tx: Tx) -> int:
    return int(await tx.fetchval("SELECT count(*) FROM failed_updates") or 0)


async def hold(tx: Tx, held: HeldFile, now: datetime) -> bool:
    """Hold a file update; False if it is held already (a redelivery while it is read)."""
    added = await tx.execute_rowcount(
        "INSERT OR IGNORE INTO held_files (update_id, chat_id, message_id, user_id, language_code, group_post,"
        " held_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (held.update_id, held.chat_id, held.message_id, held.user_id, held.language_code, int(held.group_post),
         to_iso(now)))
    return added == 1


async def release(tx: Tx, update_id: int) -> None:
    await tx.execute("DELETE FROM held_files WHERE update_id = ?", (update_id,))


async def held(tx: Tx) -> list[HeldFile]:
    rows = await tx.fetchall("SELECT update_id, chat_id, message_id, user_id, language_code, group_post"
                             " FROM held_files ORDER BY update_id")
    return [HeldFile(int(r["update_id"]), int(r["chat_id"]), int(r["message_id"]), int(r["user_id"]),
                     r["language_code"], bool(r["group_post"])) for r in rows]


async def forget(tx: Tx) -> int:
    """Forget every update set aside (the operator reviewed them); returns how many."""
    return await tx.execute_rowcount("DELETE FROM failed_updates")


def summary_read_only(path: Path) -> tuple[int, str | None]:
    """(how many updates are set aside, when the last was) read without writing anything, for
    `consult doctor`; sqlite3.DatabaseError if the table cannot be read (a database not upgraded)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        number, last = connection.execute("SELECT count(*), max(failed_at) FROM failed_updates").fetchone()
    finally:
        connection.close()
    return int(number), last


async def summary(tx: Tx) -> tuple[int, str | None]:
    """(how many updates are set aside, when the last was), through the store's engine."""
    row = await tx.fetchone("SELECT count(*), max(failed_at) FROM failed_updates")
    return (0, None) if row is None else (int(row[0]), row[1])
