"""PostgreSQL as the store's second engine (`CONSULT_DATABASE_URL=postgresql://…`).

The repositories receive the same `Tx` and write the same SQL (bot/store/dialect.py translates the
few differences), so the encryption, the event chain and the outbox behave exactly as on SQLite.
What SQLite gives by being one file, PostgreSQL is asked for explicitly:

* **One writer at a time**, as SQLite's `BEGIN IMMEDIATE` gives: every write transaction first
  takes a transaction-scoped advisory lock, so writers in several processes (a bot, a command,
  a standby taking over) queue exactly as they do on one SQLite file. Ids chosen as `max + 1`
  and the chains' tails read at the start stay right, as on SQLite.
* **Reads that see one moment**: `REPEATABLE READ, READ ONLY` for the sender's scans and exports,
  the counterpart of a WAL snapshot.
* **The store's error vocabulary**: the rest of the bot knows `sqlite3`'s exception classes (a
  duplicate is an `IntegrityError`; "unable to open" is a transient failure to retry). psycopg's
  errors are translated to them at this boundary, so no use case learns which engine runs.

No memo is shared between transactions here (SQLite's `PRAGMA data_version` has no cheap
equivalent across processes): each transaction reads what it needs afresh.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import AsyncConnection, errors
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool

from bot.errors import StoreError
from bot.store.db import Database, Tx, WriterLock
from bot.store.dialect import to_postgres
from bot.store.trips import Statement

log = logging.getLogger(__name__)

# The advisory lock every write transaction holds (an arbitrary constant: "rc" in ASCII, then 1).
WRITER_LOCK_ID = 0x7263_0001
POOL_SIZE = 8
_KEY_COLUMNS = re.compile(r"Key \(([^)]*)\)=")
_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")


def redacted(url: str) -> str:
    """The URL as logs and messages may show it: never its password."""
    return _PASSWORD.sub(r"\1***@", url)


class Row(tuple[Any, ...]):
    """A row read by position or by column name, as `sqlite3.Row` is."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._names[key])
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        return list(self._names)


def _rows(cursor: psycopg.AsyncCursor[Any]) -> RowMaker[Row]:
    names = {column.name: index for index, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, names)


def _adapted(params: Any) -> Any:
    """Values as the columns hold them: SQLite keeps a flag as 0/1, and so does our schema."""
    if isinstance(params, dict):
        return {key: int(value) if isinstance(value, bool) else value for key, value in params.items()}
    return [int(value) if isinstance(value, bool) else value for value in params]


def translated(error: psycopg.Error) -> sqlite3.Error:
    """psycopg's error as the rest of the bot knows errors (see the module's docstring)."""
    text = f"{type(error).__name__}: {(error.diag.message_primary or '') if error.diag else ''}".strip()
    if isinstance(error, errors.UniqueViolation):  # in SQLite's words, which callers match on
        columns = _KEY_COLUMNS.match(error.diag.message_detail or "")
        names = [name.strip() for name in columns.group(1).split(",")] if columns else ["?"]
        return sqlite3.IntegrityError("UNIQUE constraint failed: "
                                      + ", ".join(f"{error.diag.table_name}.{name}" for name in names))
    if isinstance(error, (errors.IntegrityError, errors.RaiseException)):
        return sqlite3.IntegrityError(text)
    if isinstance(error, (errors.DiskFull,)):
        return sqlite3.OperationalError(f"database or disk is full ({text})")
    if isinstance(error, (psycopg.OperationalError, errors.AdminShutdown, errors.SerializationFailure,
                          errors.DeadlockDetected, errors.LockNotAvailable)):
        return sqlite3.OperationalError(f"unable to open database: the server is unavailable ({text})")
    return sqlite3.DatabaseError(text)


class PgTx(Tx):
    """A `Tx` over one PostgreSQL connection: the same statements, translated on the way."""

    def __init__(self, connection: AsyncConnection[Any], *, write_transaction: bool = False) -> None:
        # Tx's SQLite set-up (BEGIN IMMEDIATE, PRAGMA data_version) does not apply; its memo does.
        self._pg = connection
        self.event_mac_key = None
        self.appended = None
        self._memo = {}
        self._shared = None
        self._checked = False
        self._deferring = write_transaction
        self._queued = []
        self._version = None
        self._version_at = None

    async def _trip(self, statement: Statement | None = None) -> list[Any]:
        statements, self._queued = [*self._queued, *([statement] if statement else [])], []
        rows: list[Any] = []
        try:
            for item in statements:
                rows = await self._run(item)
        except psycopg.Error as error:
            raise translated(error) from error
        return rows

    async def _run(self, statement: Statement) -> list[Any]:
        sql = to_postgres(statement.sql)
        async with self._pg.cursor(row_factory=_rows) as cursor:
            if statement.many:
                await cursor.executemany(sql, [_adapted(row) for row in statement.params])
                return []
            await cursor.execute(sql, _adapted(statement.params) if statement.params else None)
            return list(await cursor.fetchall()) if cursor.description is not None else []

    async def _commit(self) -> None:
        await self._trip()

    async def script(self, sql: str) -> None:
        """Run a whole migration file as it is written (PostgreSQL's own SQL, no placeholders)."""
        await self._trip()
        try:
            await self._pg.execute(sql.encode("utf-8"))
        except psycopg.Error as error:
            raise translated(error) from error


class PgDatabase(Database):
    """The store on a PostgreSQL server: `Database`'s interface, PostgreSQL's means."""

    dialect = "postgresql"

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[Any]], url: str) -> None:
        self._pool = pool
        self._lock = WriterLock()
        self.url = url
        self.path = None  # type: ignore[assignment]
        self.last_checkpoint = None
        self.event_mac_key = None
        self.after_append = None

    @classmethod
    async def connect(cls, url: str) -> PgDatabase:
        async def configure(connection: AsyncConnection[Any]) -> None:
            await connection.execute("SET TIME ZONE 'UTC'")

        pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            url, min_size=2, max_size=POOL_SIZE, open=False, configure=configure, timeout=30,
            kwargs={"autocommit": True})
        try:
            await pool.open(wait=True, timeout=30)
        except Exception as exc:  # psycopg_pool.PoolTimeout, and whatever connecting raised
            await pool.close()
            raise StoreError(f"cannot connect to PostgreSQL at {redacted(url)}: {type(exc).__name__}; "
                             "check CONSULT_DATABASE_URL and that the server is running") from exc
        return cls(pool, url)

    async def check_integrity(self) -> None:
        async with self._pool.connection() as connection:
            await connection.execute("SELECT 1")

    async def close(self) -> None:
        await self._pool.close()

    async def checkpoint(self) -> bool:
        """After a shredding: an updated row's old version (the key before it was destroyed) stays
        in the table's files until VACUUM; VACUUM FULL rewrites the keys' table without it. The
        server's write-ahead log, its standbys and backups keep it until they are recycled."""
        async with self._lock.hold(), self._pool.connection() as connection:
            try:
                await connection.execute("VACUUM FULL data_keys")
            except psycopg.Error as error:
                log.warning("cleaning the destroyed keys' old versions failed: %s", type(error).__name__)
                return False
        return True

    @asynccontextmanager
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[Tx]:
        async with self._lock.hold(urgent), self._pool.connection() as connection:
            tx = PgTx(connection, write_transaction=True)
            tx.event_mac_key = self.event_mac_key
            try:
                async with connection.transaction():
                    await connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK_ID,))
                    yield tx
                    await tx._commit()
            except psycopg.Error as error:
                raise translated(error) from error
            tx.publish()
            if tx.appended is not None and self.after_append is not None:
                self.after_append(*tx.appended)

    @asynccontextmanager
    async def _read_only(self) -> AsyncIterator[Tx]:
        async with self._pool.connection() as connection:
            try:
                async with connection.transaction():
                    await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    yield PgTx(connection)
            except psycopg.Error as error:
                raise translated(error) from error

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Tx]:
        async with self._read_only() as tx:
            yield tx

    @asynccontextmanager
    async def committed(self) -> AsyncIterator[Tx]:
        async with self._read_only() as tx:
            yield tx

    @asynccontextmanager
    async def reading(self, *, urgent: bool = False) -> AsyncIterator[Tx]:
        async with self._lock.hold(urgent), self._read_only() as tx:
            yield tx


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))

