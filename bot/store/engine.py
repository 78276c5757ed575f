"""Which engine holds the store: SQLite's file unless a PostgreSQL URL is configured."""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Database
from bot.store.postgres import PgDatabase, is_postgres_url


async def open_database(url: str | None, path: Path) -> Database:
    if url is not None and is_postgres_url(url):
        return await PgDatabase.connect(url)
    return await Database.open(path)
