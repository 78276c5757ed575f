"""What every command and the bot need open at once: settings, database, keys, clock, policy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.config import Settings, shipped_dir
from bot.domain.routing import RoutingPolicy
from bot.policy.files import load_routing
from bot.store import migrations
from bot.store.db import Database
from bot.store.keys import KeyStore


@dataclass
class AppContext:
    settings: Settings
    db: Database
    keys: KeyStore
    clock: Clock
    routing: RoutingPolicy


@asynccontextmanager
async def open_context(
    settings: Settings, clock: Clock | None = None, *, check_keys: bool = True
) -> AsyncIterator[AppContext]:
    """Open the data directory, refuse loose key files, bring the schema up to date."""
    settings.ensure_data_dir()
    keys = KeyStore(settings.keys_dir)
    if check_keys:
        keys.check_all()
        keys.current_master_id()  # a clear error now rather than at the first consultation
    routing = load_routing(settings.policy_dir)
    clock = clock or SystemClock()
    db = await Database.open(settings.db_path)
    try:
        await migrations.upgrade(db, shipped_dir("migrations"), clock)
        yield AppContext(settings, db, keys, clock, routing)
    finally:
        await db.close()
