"""The one database connection and the way everyone uses it.

SQLite allows one writer; an aiosqlite connection is one thread. We keep a single connection and
serialise every unit of work behind an asyncio lock, so a transaction opened by one coroutine is
never interleaved with statements of another. WAL lets readers in other processes (backups,
`consult export`) proceed while the bot writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import StoreError
from bot.files import FILE_MODE, create_owner_only, tighten
from bot.store import trips
from bot.store.trips import Statement

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# Commits between checkpoints, made in the background on the reader's connection. SQLite's own
# automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages, and so was the
# whole of a button press's p99 (docs/performance.md).
CHECKPOINT_EVERY = 200


class WriterLock:
    """One holder at a time, like asyncio.Lock, but with two queues: work someone is waiting on
    (an update being handled: a presser's spinner turns until the commit) goes before work
    in the background (the outbox, the scheduler), which waits a few milliseconds more unseen.
    Ownership is handed straight to the next waiter, so no one can slip in between."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._background: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def hold(self, urgent: bool = False) -> AsyncIterator[None]:
        if self._held or self._urgent or (not urgent and self._background):
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            (self._urgent if urgent else self._background).append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._release()  # handed over just as we were cancelled: pass it on
                raise
        else:
            self._held = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        for queue in (self._urgent, self._background):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # still held: now by that waiter
                    return
        self._held = False


class SharedMemo:
    """What transactions learnt (chain tails, last ids, unwrapped data keys), kept for the next.

    Valid only while no other connection has written: `PRAGMA data_version` changes exactly
    then (a CLI command, a restore), and the memo is dropped. A transaction's own entries join it
    only when it commits, so a rolled-back one leaves nothing behind.
    """

    def __init__(self) -> None:
        self.entries: dict[object, Any] = {}
        self.version: int | None = None


class Database:
    """The store on one SQLite file (the default engine; bot/store/postgres.py is the other)."""

    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._connection = connection
        self._lock = WriterLock()
        self._shared = SharedMemo()
        self.path = path
        self._reader: aiosqlite.Connection | None = None
        self._reader_lock = asyncio.Lock()
        self._commits = 0
        self._checkpointing: asyncio.Task[None] | None = None
        self._truncate_owed = False
        self.last_checkpoint: tuple[int, int, int] | None = None  # busy, WAL frames, frames copied
        # The key that MACs every event appended (keys/, never this file); None where no keys exist.
        self.event_mac_key: bytes | None = None
        # Told (seq, mac) of the newest event after each commit that appended some, so a record of
        # the log's head lives outside this file (bot/store/eventmacs.py).
        self.after_append: Callable[[int, str], None] | None = None

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Born owner-only: SQLite gives its -wal and -shm files the database file's mode.
        if not path.exists():
            with contextlib.suppress(FileExistsError):
                create_owner_only(path)
        for existing in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            tighten(existing, FILE_MODE)
        try:
            connection = await aiosqlite.connect(path, isolation_level=None)
            connection.row_factory = aiosqlite.Row
            await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA foreign_keys = ON")
            # NORMAL under WAL survives a killed process; only power loss may drop the last commit.
            await connection.execute("PRAGMA synchronous = NORMAL")
            await connection.execute("PRAGMA secure_delete = ON")
            await connection.execute("PRAGMA wal_autocheckpoint = 0")  # see CHECKPOINT_EVERY
            truncated = await _truncate_left_wal(connection, path)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc}; if the file is damaged, restore the latest "
                             "backup with `consult db restore FILE` (deploy/README.md, section 6)") from exc
        database = cls(connection, path)
        database._truncate_owed = not truncated
        return database

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
        if self._checkpointing is not None:
            await self._checkpointing
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        await self._connection.close()

    async def checkpoint(self) -> bool:
        """Copy the WAL into the database and truncate it to nothing.

        Under WAL an overwritten page lives on in the WAL file until it is reused; after a
        shredding that page holds the destroyed data key. `secure_delete` zeroes it in the main
        file; this removes the WAL copy. False when a reader in another process kept the WAL
        busy: the next background checkpoint truncates instead of copying.
        """
        if self._checkpointing is not None:
            await self._checkpointing  # one checkpointer at a time: ours must not be what was busy
        async with self._lock.hold():
            cursor = await self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = await cursor.fetchone()
            await cursor.close()
        done = row is not None and int(row[0]) == 0
        self._truncate_owed = not done
        return done

    @asynccontextmanager
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[Tx]:
        """A write transaction (BEGIN IMMEDIATE): committed on success, rolled back on error.
        `urgent`: someone is waiting on it (see WriterLock)."""
        async with self._lock.hold(urgent):
            tx = Tx(self._connection, self._shared, write_transaction=True)
            tx.event_mac_key = self.event_mac_key
            try:
                yield tx
                await tx._commit()
                tx.publish()
                self._committed()
                if tx.appended is not None and self.after_append is not None:
                    self.after_append(*tx.appended)
            except BaseException:
                # SQLite has already rolled back after some errors (a full disk): keep the cause.
                if self._connection.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        await self._connection.execute("ROLLBACK")
                raise

    def _committed(self) -> None:
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY and (self._checkpointing is None or self._checkpointing.done()):
            self._commits = 0
            self._checkpointing = asyncio.create_task(self._checkpoint_in_background())

    async def _checkpoint_in_background(self) -> None:
        """Copy the WAL into the database on the reader's connection and thread: a PASSIVE
        checkpoint waits for no one and holds up no writer (a TRUNCATE owed after a shredding
        waits for the writer, in that thread). Closing the last connection checkpoints the rest."""
        try:
            async with self._reader_lock:
                if self._reader is None:
                    self._reader = await self._open_reader()
                mode = "TRUNCATE" if self._truncate_owed else "PASSIVE"
                rows = list(await self._reader.execute_fetchall(f"PRAGMA wal_checkpoint({mode})"))
            self.last_checkpoint = (int(rows[0][0]), int(rows[0][1]), int(rows[0][2]))
            self._truncate_owed = self._truncate_owed and self.last_checkpoint[0] != 0
        except sqlite3.Error as exc:  # the next one will do; a full disk is reported by the writes
            log.warning("background checkpoint failed: %s", exc)

    async def _open_reader(self) -> aiosqlite.Connection:
        """A connection of its own that can only read."""
        connection = await aiosqlite.connect(self.path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        try:
            await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await connection.execute("PRAGMA query_only = ON")
        except BaseException:
            await connection.close()
            raise
        return connection

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Tx]:
        """A consistent read of the whole database on a connection of its own, for long reads
        (exports) that must neither see half-done work nor hold the bot up. WAL makes it free."""
        connection = await self._open_reader()
        try:
            await connection.execute("BEGIN")
            await connection.execute("SELECT count(*) FROM sqlite_master")  # the snapshot starts here
            yield Tx(connection)
            await connection.execute("COMMIT")
        finally:
            await connection.close()

    @asynccontextmanager
    async def committed(self) -> AsyncIterator[Tx]:
        """A consistent read of what is committed, on a second connection, without the writer's
        lock: the outbox sender scans and renders here, so a press never waits behind its reads.
        Under WAL the snapshot costs nothing and sees every transaction committed before it."""
        async with self._reader_lock:
            if self._reader is None:
                self._reader = await self._open_reader()
            await self._reader.execute("BEGIN")
            try:
                yield Tx(self._reader)
            finally:
                with contextlib.suppress(sqlite3.Error):
                    await self._reader.execute("COMMIT")

    @asynccontextmanager
    async def reading(self, *, urgent: bool = False) -> AsyncIterator[Tx]:
        """Reads, serialised with writes so they never see another coroutine's half-done work."""
        async with self._lock.hold(urgent):
            tx = Tx(self._connection, self._shared)
            yield tx
            tx.publish()


_FORGOTTEN = object()


def _fixed(params: Iterable[Any] | dict[str, Any]) -> trips.Params:
    """Parameters as they are now: a statement may be sent after its caller moved on."""
    return dict(params) if isinstance(params, dict) else tuple(params)


class Tx:
    """The handle repositories receive: statements only, no commit or rollback."""

    def __init__(self, connection: aiosqlite.Connection, shared: SharedMemo | None = None,
                 *, write_transaction: bool = False) -> None:
        self._connection = connection
        self.event_mac_key: bytes | None = None
        self.appended: tuple[int, str] | None = None  # (seq, mac) of the newest keyed event written
        # What this transaction learnt (last ids, chain tails, data keys): nothing else can change
        # them while it holds the write lock, and the shared memo is checked before it is trusted.
        self._memo: dict[object, Any] = {}
        self._shared = shared
        self._checked = False
        # In a write transaction, statements whose result nobody waits for (BEGIN, writes) travel
        # with the next one whose result is needed, or with the COMMIT (see bot.store.trips).
        self._deferring = write_transaction
        self._queued: list[Statement] = []
        self._version: int | None = None
        self._version_at: int | None = None  # the queued statement that reads it
        if write_transaction:
            self._queued.append(Statement("BEGIN IMMEDIATE"))
            if shared is not None:  # read inside the write lock, so no one can change it after
                self._version_at = len(self._queued)
                self._queued.append(Statement("PRAGMA data_version"))

    async def _trip(self, statement: Statement | None = None) -> list[aiosqlite.Row]:
        """Send what waits and this statement, in order, in one trip; this statement's rows."""
        statements, self._queued = [*self._queued, *([statement] if statement else [])], []
        if not statements:
            return []
        results = await trips.run(self._connection, statements)
        if self._version_at is not None:
            self._version = int(results[self._version_at][0][0])
            self._version_at = None
        return results[-1]

    async def _write(self, statement: Statement) -> None:
        """A statement whose result nobody reads: queued in a write transaction, sent otherwise."""
        if self._deferring:
            self._queued.append(statement)
        else:
            await self._trip(statement)

    async def _commit(self) -> None:
        await self._trip(Statement("COMMIT"))

    async def recall(self, key: object) -> Any:
        """What this transaction, or a committed one before it, remembered under `key`; or None."""
        if key in self._memo:
            value = self._memo[key]
            return None if value is _FORGOTTEN else value
        if self._shared is None:
            return None
        if not self._checked:
            if self._version_at is not None:
                await self._trip()  # sends the queued read of the version
            version = self._version
            if version is None:
                version = int((await self.fetchone("PRAGMA data_version"))[0])  # type: ignore[index]
            if version != self._shared.version:
                self._shared.entries.clear()
                self._shared.version = version
            self._checked = True
        return self._shared.entries.get(key)

    def remember(self, key: object, value: Any) -> None:
        self._memo[key] = value

    def forget(self, key: object) -> None:
        self._memo[key] = _FORGOTTEN

    def publish(self) -> None:
        """After the commit: what was learnt joins the shared memo, and what was forgotten leaves
        it even if it was never checked (a shredded key must not outlive its row)."""
        if self._shared is None:
            return
        for key, value in self._memo.items():
            if value is _FORGOTTEN:
                self._shared.entries.pop(key, None)
            elif self._checked:
                self._shared.entries[key] = value

    # A trip to aiosqlite's thread and back costs more than most statements: a button press runs
    # a dozen while the presser waits. Each helper runs, fetches and drops its cursor in one trip
    # (a cursor would cost two or three), and in a write transaction writes wait for company.

    async def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> None:
        """Run a statement (an id it makes: `INSERT ... RETURNING id` through fetchval).

        In a write transaction it is sent with the next statement whose result is needed, or
        with the COMMIT; if it fails, that statement raises and the transaction rolls back whole."""
        await self._write(Statement(sql, _fixed(params)))

    async def execute_rowcount(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        """Run an INSERT, UPDATE or DELETE; return how many rows it wrote (an ignored insert: 0)."""
        return len(await self._trip(Statement(f"{sql} RETURNING 1", _fixed(params))))

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        await self._write(Statement(sql, [tuple(row) for row in rows], many=True))

    async def fetchone(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> aiosqlite.Row | None:
        """The first row; callers ask for one row (a key, LIMIT 1), so fetching all costs nothing."""
        rows = await self._trip(Statement(sql, _fixed(params)))
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._trip(Statement(sql, _fixed(params))))

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
        last = await self.recall(key)
        if last is not None:
            value = int(last) + 1
        else:
            value = int(await self.fetchval(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}"))  # noqa: S608
        self.remember(key, value)  # an id handed out is never handed out again, used or not
        return value


async def _truncate_left_wal(connection: aiosqlite.Connection, path: Path) -> bool:
    """Fold in and empty a WAL another process left (True when done or nothing was left).

    Retention shreds a data key, commits, then truncates the WAL; a SIGKILL between the two left
    older copies of the destroyed keys in `-wal` for as long as the bot then ran. Whatever is in
    the WAL when a connection opens is truncated before anything else runs. Without waiting: a
    running bot's reader makes it busy, and the first background checkpoint then truncates.
    """
    wal = path.with_name(path.name + "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return True
    await connection.execute("PRAGMA busy_timeout = 0")
    try:
        cursor = await connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = await cursor.fetchone()
        await cursor.close()
    except sqlite3.OperationalError:  # locked by another process: truncated later
        return False
    finally:
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return row is not None and int(row[0]) == 0
