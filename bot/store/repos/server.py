"""What `consult doctor` asks a PostgreSQL server about itself."""

from __future__ import annotations

from bot.store.db import Tx


async def postgres_status(tx: Tx) -> tuple[str, bool]:
    """(the server's version, whether it is a standby in recovery: read-only)."""
    version = str(await tx.fetchval("SHOW server_version"))
    return version, bool(await tx.fetchval("SELECT pg_is_in_recovery()"))


async def applied_migrations(tx: Tx) -> dict[int, str]:
    """version: checksum of the migrations recorded; empty before the first."""
    if not await tx.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"):
        return {}
    return {int(r[0]): str(r[1]) for r in await tx.fetchall("SELECT version, checksum FROM schema_migrations")}


async def leader(tx: Tx) -> tuple[int, str, str] | None:
    """(generation, holder, since) of the lead last taken; None if no instance ever led."""
    row = await tx.fetchone("SELECT generation, holder, since FROM leader_lease WHERE id = 1")
    return None if row is None else (int(row[0]), str(row[1]), str(row[2]))


async def leader_present(tx: Tx, lock_id: int) -> bool:
    """Whether some session holds the leader's advisory lock now."""
    return bool(await tx.fetchval("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                                  " AND ((classid::bigint << 32) | objid::bigint) = ?)", (lock_id,)))


async def replicas(tx: Tx) -> list[tuple[str, str, str | None]]:
    """(standby, sync state, replay lag) of each standby the primary streams to (empty: none)."""
    rows = await tx.fetchall("SELECT coalesce(application_name, client_addr::text, '?'), sync_state,"
                             " replay_lag::text FROM pg_stat_replication ORDER BY 1")
    return [(str(r[0]), str(r[1]), None if r[2] is None else str(r[2])) for r in rows]
