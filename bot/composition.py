"""The composition root: the one place that decides what stands behind each port and builds the
use cases' context (bot/services/kernel/context.py), once, with everything it holds known by then.

The commands build theirs here (with the guard where they judge content); the running bot builds
its own in bot/runtime/runner.py from one of these, once it is connected and knows its name and group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.clock import Clock
from bot.config import Settings
from bot.errors import KeyMissingError
from bot.guard.engine import TERMS_KEY_PURPOSE, Guard
from bot.guard.policy import load_guard_policy
from bot.services.kernel.context import DEFAULT_FILE_LIMIT, AppContext
from bot.services.kernel.ports import GuardPort
from bot.store.keys import KeyStore
from bot.stores import Stores, open_stores


def default_guard(settings: Settings, policy_dir: Path | None = None) -> Guard:
    """The deployment's guard (on `policy_dir` instead of the configured one if given). Without
    the HMAC key, registered terms cannot be matched: refuse."""
    policy = load_guard_policy(policy_dir or settings.policy_dir)
    try:
        term_key: bytes | None = KeyStore(settings.keys_dir).hmac_key(TERMS_KEY_PURPOSE)
    except KeyMissingError:
        if policy.terms:
            raise
        term_key = None
    return Guard(policy, term_key)


def compose(stores: Stores, *, guard: GuardPort | None = None, guard_file_limit: int = DEFAULT_FILE_LIMIT,
            group_chat_id: int | None = None, bot_username: str = "") -> AppContext:
    """The context on these stores; the group and the bot's username default to the settings'."""
    settings = stores.settings
    return AppContext(
        settings, stores.db, stores.keys, stores.clock, stores.routing,
        deadline_policy=stores.deadline_policy, retention_policy=stores.retention_policy,
        group_chat_id=group_chat_id or settings.group_chat_id, bot_username=bot_username or settings.bot_username,
        guard=guard, guard_file_limit=guard_file_limit)


@asynccontextmanager
async def open_context(
    settings: Settings, clock: Clock | None = None, *, check_keys: bool = True, guard: GuardPort | None = None,
    guard_file_limit: int = DEFAULT_FILE_LIMIT, group_chat_id: int | None = None,
) -> AsyncIterator[AppContext]:
    """Open the stores (bot/stores.py) and build the context on them."""
    async with open_stores(settings, clock, check_keys=check_keys) as stores:
        yield compose(stores, guard=guard, guard_file_limit=guard_file_limit, group_chat_id=group_chat_id)
