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

import asyncio
import contextlib
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
        # The lead this process holds (LeaderLease): every write checks it is still the current
        # one, so a leader that lost its lease writes nothing, sends nothing, fires no step.
        self.fence: int | None = None

    @staticmethod
    async def _fenced(connection: AsyncConnection[Any], generation: int) -> None:
        cursor = await connection.execute("SELECT generation FROM leader_lease WHERE id = 1")
        row = await cursor.fetchone()
        if row is None or int(row[0]) != generation:
            raise NotLeaderError(f"this process led as generation {generation}, the lease is now at "
                                 f"{None if row is None else row[0]}: another instance took over")

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
                    if self.fence is not None:
                        await self._fenced(connection, self.fence)
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


class NotLeaderError(sqlite3.OperationalError):
    """A write by a process that no longer holds the lead: refused in the same transaction."""


class LeaderLease:
    """One leader among the `consult run` processes sharing a server.

    A session advisory lock held on a connection of its own, not a lease row with a deadline: the
    server releases it the moment that connection ends (a killed process's socket closes at once;
    a partitioned one is found dead by the TCP keepalives this session sets, within seconds), and
    no clock has to agree with another. Taking the lead also counts a generation in
    `leader_lease`; the database checks it in every write of the leader (`PgDatabase.fence`), so
    a leader that lost its connection but not yet noticed cannot write after its successor began.
    The leader watches its connection every `CHECK_SECONDS` and is told as soon as it fails: it
    stops before the server lets a standby take the lock.
    """

    LOCK_ID = 0x7263_0002
    CHECK_SECONDS = 1.0
    ANSWER_WITHIN = 2.0  # a check not answered within this counts as the connection lost

    def __init__(self, db: PgDatabase, holder: str) -> None:
        self.db = db
        self.holder = holder
        self.generation: int | None = None
        self._connection: AsyncConnection[Any] | None = None

    async def _connect(self) -> AsyncConnection[Any]:
        connection = await AsyncConnection.connect(self.db.url, autocommit=True, connect_timeout=5)
        # The server side of this session: a peer that vanished is found within ~5 s.
        await connection.execute("SET tcp_keepalives_idle = 2; SET tcp_keepalives_interval = 1; "
                                 "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 5000")
        return connection

    async def try_lead(self) -> int | None:
        """Take the lead if nobody holds it; the new generation, or None (another leads)."""
        try:
            if self._connection is None or self._connection.closed:
                self._connection = await self._connect()
            cursor = await self._connection.execute("SELECT pg_try_advisory_lock(%s)", (self.LOCK_ID,))
            row = await cursor.fetchone()
            if row is None or not row[0]:
                return None
            async with self.db.transaction() as tx:
                generation = int(await tx.fetchval(
                    "INSERT INTO leader_lease (id, generation, holder, since) VALUES (1, 1, ?, now()::text)"
                    " ON CONFLICT (id) DO UPDATE SET generation = leader_lease.generation + 1,"
                    " holder = excluded.holder, since = excluded.since RETURNING generation", (self.holder,)))
        except (psycopg.Error, sqlite3.Error, OSError) as error:
            log.warning("leader lease: cannot reach the database (%s); still waiting", type(error).__name__)
            await self.close()
            return None
        self.generation = self.db.fence = generation
        log.info("leader lease taken: generation %d", generation)
        return generation

    async def still_held(self) -> bool:
        """Whether the lock's connection answers in time (False: the lead is lost, stop now)."""
        if self._connection is None or self._connection.closed:
            return False
        try:
            async with asyncio.timeout(self.ANSWER_WITHIN):
                await self._connection.execute("SELECT 1")
        except (psycopg.Error, OSError, TimeoutError):
            return False
        return True

    def give_up(self) -> None:
        """The lead is lost: no write of this process passes the fence from now on."""
        self.db.fence = -1

    async def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                await self._connection.close()
            self._connection = None


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))

