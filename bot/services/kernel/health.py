"""What operators watch (bot/telegram/metrics.py serves it): the database's counts and whether
it answers at all."""

from __future__ import annotations

from bot.services.kernel.context import AppContext
from bot.store.repos import figures as figures_repo
from bot.store.repos.figures import Figures


async def figures(ctx: AppContext) -> Figures:
    async with ctx.db.reading() as tx:
        return await figures_repo.read(tx)


async def check_database(ctx: AppContext) -> None:
    """Raises if the database cannot be read."""
    async with ctx.db.reading() as tx:
        await figures_repo.ping(tx)
