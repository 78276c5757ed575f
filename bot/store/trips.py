"""Several statements in one trip to aiosqlite's thread.

Each awaited statement is a hand-over to the connection's thread and a wake-up of the event loop
on the way back: most of a button press's cost (docs/performance.md). A write
transaction therefore sends its writes together with the next statement whose result it needs
(or with its COMMIT), in order, in one trip. The thread runs them one by one and stops at the
first that fails, exactly as awaiting them one by one would have: nothing after a failed
statement runs, so a statement can never run after SQLite rolled the transaction back by itself.

aiosqlite offers no public way to run several statements in one trip (its maintainer agreed it
would be faster, omnilib/aiosqlite#19); `Connection._execute` is how its own helpers do it. If a
future aiosqlite drops it, `batches_supported` turns false, each statement takes its own trip
again (correct, only slower), and a unit test fails so the upgrade is noticed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import aiosqlite

Params = Sequence[Any] | dict[str, Any]


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Params | list[Sequence[Any]] = ()
    many: bool = False  # params is a list of rows (executemany)


def batches_supported(connection: aiosqlite.Connection) -> bool:
    return callable(getattr(connection, "_execute", None)) and isinstance(
        getattr(type(connection), "_conn", None), property)


async def run(connection: aiosqlite.Connection, statements: Sequence[Statement]) -> list[list[sqlite3.Row]]:
    """Run the statements in order; the rows of each. The first failure raises, and none after
    it runs."""
    if batches_supported(connection):
        in_thread = cast(Callable[..., Awaitable[list[list[sqlite3.Row]]]], connection._execute)
        return await in_thread(_run_in_thread, connection._conn, statements)
    return [await _one_trip(connection, statement) for statement in statements]


def _run_in_thread(raw: sqlite3.Connection, statements: Sequence[Statement]) -> list[list[sqlite3.Row]]:
    results: list[list[sqlite3.Row]] = []
    for statement in statements:
        if statement.many:
            raw.executemany(statement.sql, statement.params).close()
            results.append([])
        else:
            cursor = raw.execute(statement.sql, statement.params)
            results.append(cursor.fetchall())  # a RETURNING statement ends only once its rows are read
            cursor.close()
    return results


async def _one_trip(connection: aiosqlite.Connection, statement: Statement) -> list[sqlite3.Row]:
    if statement.many:
        await connection.executemany(statement.sql, statement.params)
        return []
    return list(await connection.execute_fetchall(statement.sql, statement.params))
