"""What every command and the bot need open at once: settings, database, keys, clock, policy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.clock import Clock, SystemClock
from bot.config import Settings, shipped_dir
from bot.domain.plan import DeadlinePolicy
from bot.domain.retention import RetentionPolicy
from bot.domain.routing import RoutingPolicy
from bot.policy.files import load_deadline_policy, load_retention_policy, load_routing
from bot.store import migrations
from bot.store.db import Database
from bot.store.keys import KeyStore


class GuardPort(Protocol):
    """What the application needs of the secrets guard (bot/guard)."""

    def scan_text(self, text: str) -> Any: ...

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Any: ...


@dataclass
class AppContext:
    settings: Settings
    db: Database
    keys: KeyStore
    clock: Clock
    routing: RoutingPolicy
    # Known once the bot is connected: the coordination group and the bot's own username.
    group_chat_id: int | None = None
    bot_username: str = ""
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    guard: GuardPort | None = None
    guard_file_limit: int = 20_000_000
    # Files judged off the event loop in the guard's worker processes (bot/services/file_checks.py);
    # None: judged in the unit of work (the CLI, tests with a stand-in guard).
    file_checks: Any = None
    deadline_policy: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    retention_policy: RetentionPolicy = field(default_factory=lambda: RetentionPolicy(closed_content_days=None))
    # Arms committed steps in the scheduler; None where no scheduler runs (CLI, unit tests).
    arm_steps: Callable[[int], object] | None = None
    # Answers a callback query directly (the running bot); None: through the outbox.
    answer_callback: Callable[[dict[str, Any]], object] | None = None

    def __post_init__(self) -> None:
        self.group_chat_id = self.group_chat_id or self.settings.group_chat_id
        self.bot_username = self.bot_username or self.settings.bot_username

    def poke_outbox(self) -> None:
        """Tell the sender that new rows were committed, so it need not wait for its next poll."""
        self.outbox_wakeup.set()

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def zone(self) -> str:
        return self.settings.timezone


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
        await db.check_integrity()
        await migrations.upgrade(db, shipped_dir("migrations"), clock)
        context = AppContext(settings, db, keys, clock, routing)
        context.deadline_policy = load_deadline_policy(settings.policy_dir)
        context.retention_policy = load_retention_policy(settings.policy_dir)
        yield context
    finally:
        await db.close()
