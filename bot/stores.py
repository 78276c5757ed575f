"""What every command and the bot open first: the data folder's stores (database, keys) and the
policies, checked and brought up to date. The use cases' context is built on top of them by the
composition root (bot/composition.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.config import Settings, shipped_dir
from bot.domain.plan import DeadlinePolicy
from bot.domain.retention import RetentionPolicy
from bot.domain.routing import RoutingPolicy
from bot.policy.files import load_deadline_policy, load_retention_policy, load_routing
from bot.store import eventmacs, migrations
from bot.store.db import Database
from bot.store.engine import open_database
from bot.store.keys import KeyStore


@dataclass(frozen=True)
class Stores:
    settings: Settings
    db: Database
    keys: KeyStore
    clock: Clock
    routing: RoutingPolicy
    deadline_policy: DeadlinePolicy
    retention_policy: RetentionPolicy


@asynccontextmanager
async def open_stores(
    settings: Settings, clock: Clock | None = None, *, check_keys: bool = True
) -> AsyncIterator[Stores]:
    """Open the data directory, refuse loose key files, bring the schema up to date."""
    settings.ensure_data_dir()
    keys = KeyStore(settings.keys_dir)
    if check_keys:
        keys.check_all()
        keys.current_master_id()  # a clear error now rather than at the first consultation
    routing = load_routing(settings.policy_dir)
    clock = clock or SystemClock()
    db = await open_database(settings.database_url_text, settings.db_path)
    try:
        await db.check_integrity()
        await migrations.upgrade(db, shipped_dir("migrations"), clock)
        await eventmacs.attach(db, keys)
        yield Stores(settings, db, keys, clock, routing, load_deadline_policy(settings.policy_dir),
                     load_retention_policy(settings.policy_dir))
    finally:
        await db.close()
