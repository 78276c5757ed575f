"""Roster use cases shared by the CLI and the bot."""

from __future__ import annotations

from pathlib import Path

from bot.policy.files import load_roster
from bot.services.kernel.context import AppContext
from bot.store.events import append_event
from bot.store.repos import people


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


async def import_roster_file(context: AppContext, path: Path) -> people.ImportSummary:
    roster = load_roster(path, context.routing)
    async with context.db.transaction() as tx:
        summary = await people.import_roster(tx, roster)
        await append_event(
            tx, context.clock, "roster_imported", actor="cli",
            data={"agencies": summary.agencies, "people": summary.people, "deactivated": summary.deactivated},
        )
    return summary
