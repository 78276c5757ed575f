"""What is checked and prepared before the bot sends or appends anything.

Each refusal names the way out, because it stops the bot at start rather than mid-consultation."""

from __future__ import annotations

import logging

from telegram.ext import Application

from bot.config import Settings
from bot.errors import GroupRightsError, GuardError
from bot.i18n import LANGUAGES, catalog
from bot.runtime.files import keep_chart_cache_in
from bot.services.kernel.context import AppContext
from bot.services.kernel.screening import guard_status
from bot.services.reports.checkpointing import check_published
from bot.store import published
from bot.telegram.rights import require_delete_right

log = logging.getLogger(__name__)


async def refuse_what_cannot_run(ctx: AppContext) -> None:
    """A log behind (or not the one of) the last checkpoint published beside the database, or a guard
    that cannot reach verdicts (running anyway would block every message unjudged)."""
    await check_published(ctx.db, published.path_beside(ctx.settings.db_path))
    guard = guard_status(ctx)
    if not guard.ok:
        raise GuardError(f"the guard cannot reach verdicts ({guard.detail}); `consult doctor` says what to fix")


def prepare_process(settings: Settings) -> None:
    """Read the catalogues now, not in the middle of someone's command; give charts a cache."""
    for language in LANGUAGES:
        catalog(language)
    keep_chart_cache_in(settings)


async def require_group_rights(application: Application, group_chat_id: int | None) -> None:  # type: ignore[type-arg]
    """The bot must be able to delete in the group, or a marked message would stay; no group is
    allowed (the commands that need one say so)."""
    if group_chat_id is None:
        log.warning("no coordination group configured (CONSULT_GROUP_CHAT_ID); /urgent will refuse")
        return
    try:
        await require_delete_right(application.bot, group_chat_id)
    except GroupRightsError:
        await application.shutdown()
        raise
