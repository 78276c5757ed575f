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
