"""The leader lease on PostgreSQL: one leader at a time, the lead passed on when its connection
ends, and a deposed leader's writes refused by the database (fencing)."""

from __future__ import annotations

import asyncio

import pytest

from bot.clock import SystemClock
from bot.config import shipped_dir
from bot.store import migrations
from bot.store.engine import open_database
from bot.store.postgres import LeaderLease, NotLeaderError, PgDatabase
from tests.support.postgres import Server, requires_postgres

pytestmark = requires_postgres


async def _database(server: Server) -> PgDatabase:
    db = await open_database(server.new_database(), shipped_dir("migrations"))
    assert isinstance(db, PgDatabase)
    await migrations.upgrade(db, shipped_dir("migrations"), SystemClock())
    return db


async def _taken(lease: LeaderLease) -> int | None:
    """The lead taken by retrying, as a standby does, until the server released it (at most 10 s)."""
    for _ in range(200):
        generation = await lease.try_lead()
        if generation is not None:
            return generation
        await asyncio.sleep(0.05)
    return None


async def test_a_deposed_leader_cannot_write_after_its_successor_took_over(postgres_server: Server) -> None:
    first = await _database(postgres_server)
    url = first.url
    second = await open_database(url, shipped_dir("migrations"))
    assert isinstance(second, PgDatabase)
    old, new = LeaderLease(first, "a"), LeaderLease(second, "b")
    try:
        assert await old.try_lead() == 1
        async with first.transaction() as tx:  # the leader writes
            await tx.execute("INSERT INTO agencies (key, name) VALUES ('a', 'A')")
        assert not await new.still_held() and await new.try_lead() is None
        await old.close()  # its lock connection ends (a partition the leader has not noticed yet)
        assert await _taken(new) == 2  # once the server has ended that session, as a standby retries
        with pytest.raises(NotLeaderError, match="another instance took over"):
            async with first.transaction() as tx:
                await tx.execute("INSERT INTO agencies (key, name) VALUES ('b', 'B')")
        async with second.transaction() as tx:
            await tx.execute("INSERT INTO agencies (key, name) VALUES ('c', 'C')")
            assert [r[0] for r in await tx.fetchall("SELECT key FROM agencies ORDER BY key")] == ["a", "c"]
    finally:
        for lease in (old, new):
            await lease.close()
        await first.close()
        await second.close()


async def test_a_leader_whose_connection_dies_knows_it_at_once(postgres_server: Server) -> None:
    db = await _database(postgres_server)
    lease = LeaderLease(db, "a")
    try:
        assert await lease.try_lead() == 1 and await lease.still_held()
        async with db.transaction() as tx:  # the server ends the lock's session, as a lost network would
            await tx.fetchval("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                              " AND objid = ? AND granted", (LeaderLease.LOCK_ID & 0xFFFFFFFF,))
        assert not await lease.still_held()
        lease.give_up()
        with pytest.raises(NotLeaderError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO agencies (key, name) VALUES ('x', 'X')")
    finally:
        await lease.close()
        await db.close()
