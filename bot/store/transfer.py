"""Moving a deployment's store from its SQLite file to an empty PostgreSQL database.

Every row of every table the two schemas share is copied, in SQLite's row order, in one
PostgreSQL transaction: the move happens whole or not at all. Ciphertexts move as they are (the
keys stay in the data folder), so nothing is decrypted on the way. The caller then checks the
event log on arrival — every hash, link and MAC — before anyone starts a bot on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import StoreError
from bot.store.db import Database, Tx

# Tables that only SQLite has (none today) or that describe the engine rather than the data.
NOT_COPIED = frozenset({"schema_migrations", "leader_lease", "sqlite_sequence"})
BATCH = 500  # rows a statement


@dataclass(frozen=True)
class Moved:
    tables: int
    rows: int


async def _tables_sqlite(tx: Tx) -> list[str]:
    rows = await tx.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [str(r[0]) for r in rows if str(r[0]) not in NOT_COPIED and not str(r[0]).startswith("sqlite_")]


async def _columns_sqlite(tx: Tx, table: str) -> list[str]:
    return [str(r["name"]) for r in await tx.fetchall(f"PRAGMA table_info({_name(table)})")]


async def _columns_postgres(tx: Tx, table: str) -> list[str]:
    rows = await tx.fetchall("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                             " AND table_name = ? ORDER BY ordinal_position", (table,))
    return [str(r[0]) for r in rows]


async def _has_rows(tx: Tx, table: str) -> bool:
    return bool(await tx.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_name(table)})"))  # noqa: S608


async def _referenced_first(tx: Tx, tables: list[str]) -> list[str]:
    """The tables in an order where each comes after those its foreign keys point to."""
    edges = await tx.fetchall(
        "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace")
    needs = {table: set() for table in tables}  # type: dict[str, set[str]]
    for edge in edges:
        if edge["child"] in needs and edge["parent"] in needs and edge["child"] != edge["parent"]:
            needs[str(edge["child"])].add(str(edge["parent"]))
    ordered: list[str] = []
    while needs:
        ready = sorted(table for table, parents in needs.items() if not parents - set(ordered))
        if not ready:
            raise StoreError(f"the tables' foreign keys go round a circle: {sorted(needs)}")
        ordered += ready
        for table in ready:
            del needs[table]
    return ordered


def _name(table: str) -> str:
    if not table.isidentifier():
        raise StoreError(f"unexpected table name {table!r}")
    return table


async def require_empty(target: Database) -> None:
    """Refuse a PostgreSQL database that holds any row of a deployment's tables."""
    async with target.reading() as tx:
        await _require_empty(tx)


async def _require_empty(tx: Tx) -> None:
    rows = await tx.fetchall("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                             " AND table_type = 'BASE TABLE' ORDER BY table_name")
    for table in (str(r[0]) for r in rows if str(r[0]) not in NOT_COPIED):
        if await _has_rows(tx, table):
            raise StoreError(f"the PostgreSQL database is not empty (table {table} has rows): "
                             "the move is made only into an empty database, never merged")


async def levels(source: Database, target: Database) -> tuple[int, int]:
    """The migration level of each side (both must be equal for the rows to fit)."""
    async with source.reading() as tx:
        mine = int(await tx.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))
    async with target.reading() as tx:
        theirs = int(await tx.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))
    return mine, theirs


async def move(source: Database, target: Database) -> Moved:
    """Copy every shared table's rows from `source` (SQLite) to `target` (PostgreSQL, empty)."""
    mine, theirs = await levels(source, target)
    if mine != theirs:
        raise StoreError(f"the SQLite database is at migration {mine:04d} and the PostgreSQL one at {theirs:04d}: "
                         "run `consult db upgrade` on the SQLite file with this release first")
    rows_moved = 0
    async with source.snapshot() as read:
        tables = await _tables_sqlite(read)
        async with target.transaction() as write:
            await _require_empty(write)
            # Deferred references (an alternate named before the person) are checked at COMMIT.
            await write.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in await _referenced_first(write, tables):
                columns = set(await _columns_postgres(write, table))
                shared = [c for c in await _columns_sqlite(read, table) if c in columns]
                listed = ", ".join(_name(c) for c in shared)
                order = "rowid" if await read.fetchval(
                    "SELECT NOT (sql LIKE '%WITHOUT ROWID%') FROM sqlite_master WHERE name = ?", (table,)) else "1"
                rows = await read.fetchall(f"SELECT {listed} FROM {_name(table)} ORDER BY {order}")  # noqa: S608
                marks = ", ".join("?" for _ in shared)
                for start in range(0, len(rows), BATCH):
                    await write.executemany(f"INSERT INTO {_name(table)} ({listed}) VALUES ({marks})",  # noqa: S608
                                            [tuple(row) for row in rows[start:start + BATCH]])
                rows_moved += len(rows)
            # Ids made by the server (identity columns) continue after the rows moved.
            for table, column in await write.fetchall(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND is_identity = 'YES'"):
                await write.fetchval(
                    f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max({_name(str(column))}) "  # noqa: S608
                    f"FROM {_name(str(table))}), 0) + 1, false)", (str(table), str(column)))
    return Moved(len(tables), rows_moved)
