"""The one database connection and the way everyone uses it.

SQLite allows one writer; an aiosqlite connection is one thread. We keep a single connection and
serialise every unit of work behind an asyncio lock, so a transaction opened by one coroutine is
never interleaved with statements of another. WAL lets readers in other processes (backups,
`consult export`) proceed while the bot writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import StoreError

BUSY_TIMEOUT_MS = 5000


class Database:
    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            connection = await aiosqlite.connect(path, isolation_level=None)
            connection.row_factory = aiosqlite.Row
            await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA foreign_keys = ON")
            # NORMAL under WAL survives a killed process; only power loss may drop the last commit.
            await connection.execute("PRAGMA synchronous = NORMAL")
            await connection.execute("PRAGMA secure_delete = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc}; if the file is damaged, restore the latest "
                             "backup with `consult db restore FILE` (deploy/README.md, section 6)") from exc
        path.chmod(0o600)
        return cls(connection, path)

    async def check_integrity(self) -> None:
        """Refuse a damaged file at start, with what to do, rather than fail later mid-consultation."""
        try:
            cursor = await self._connection.execute("PRAGMA quick_check")
            rows = list(await cursor.fetchall())
            await cursor.close()
        except sqlite3.DatabaseError as exc:
            found = str(exc)
        else:
            found = "; ".join(str(r[0]) for r in rows[:3])
        if found != "ok":
            raise StoreError(
                f"database {self.path} is damaged ({found}); stop here and restore the latest backup "
                "with `consult db restore FILE` (deploy/README.md, section 6)")

    async def close(self) -> None:
        await self._connection.close()

    async def checkpoint(self) -> bool:
        """Copy the WAL into the database and truncate it to nothing.

        Under WAL an overwritten page lives on in the WAL file until it is reused; after a
        shredding that page holds the destroyed data key. `secure_delete` zeroes it in the main
        file; this removes the WAL copy. False when a reader in another process kept the WAL
        busy: the next checkpoint will do.
        """
        async with self._lock:
            cursor = await self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = await cursor.fetchone()
            await cursor.close()
        return row is not None and int(row[0]) == 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """A write transaction (BEGIN IMMEDIATE): committed on success, rolled back on error."""
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._connection)
                await self._connection.execute("COMMIT")
            except BaseException:
                # SQLite has already rolled back after some errors (a full disk): keep the cause.
                if self._connection.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        await self._connection.execute("ROLLBACK")
                raise

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Tx]:
        """A consistent read of the whole database on a connection of its own, for long reads
        (exports) that must neither see half-done work nor hold the bot up. WAL makes it free."""
        connection = await aiosqlite.connect(self.path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        try:
            await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await connection.execute("BEGIN")
            await connection.execute("SELECT count(*) FROM sqlite_master")  # the snapshot starts here
            yield Tx(connection)
            await connection.execute("COMMIT")
        finally:
            await connection.close()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Tx]:
        """Reads, serialised with writes so they never see another coroutine's half-done work."""
        async with self._lock:
            yield Tx(self._connection)


class Tx:
    """The handle repositories receive: statements only, no commit or rollback."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        # What this transaction already knows (last ids, chain tails): a Tx lives for one
        # transaction and this connection is its only writer, so nothing else can change them.
        self.memo: dict[object, Any] = {}

    async def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        """Run a statement; return the last row id (for inserts)."""
        cursor = await self._connection.execute(sql, params)
        row_id = cursor.lastrowid or 0
        await cursor.close()
        return row_id

    async def execute_rowcount(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        cursor = await self._connection.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        await self._connection.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
        cursor = await self._connection.execute(sql, params)
        row = await cursor.fetchone()
        await cursor.close()
        return row

    async def fetchall(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
        cursor = await self._connection.execute(sql, params)
        rows = await cursor.fetchall()
        await cursor.close()
        return list(rows)

    async def fetchval(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def next_id(self, table: str, column: str = "id") -> int:
        """Allocate the next id inside the current write transaction.

        Ids are chosen before the insert because each ciphertext's associated data names its row.
        """
        if not (table.isidentifier() and column.isidentifier()):
            raise ValueError("table and column must be identifiers")
        key = ("next_id", table, column)
        if key in self.memo:
            value = int(self.memo[key]) + 1
        else:
            value = int(await self.fetchval(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}"))  # noqa: S608
        self.memo[key] = value  # an id handed out is never handed out again, used or not
        return value
