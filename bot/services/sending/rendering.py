"""Texts rendered when they are sent rather than when they are queued: the status card, and the
coordinator's notice of objections (a burst of them is one notice, not one each)."""

from __future__ import annotations

from bot.services.kernel.context import AppContext
from bot.services.kernel.seats import load_in
from bot.services.presentation import texts
from bot.store.db import Tx


async def card_text(ctx: AppContext, tx: Tx, consultation_id: int) -> str:
    record, _, seats = await load_in(tx, ctx.keys, consultation_id)
    return texts.status_card(record, seats, ctx.clock.now(), ctx.language, ctx.zone)


async def objections_text(ctx: AppContext, tx: Tx, consultation_id: int, language: str) -> tuple[str, frozenset[str]]:
    """The notice, and whose objections it tells."""
    record, _, seats = await load_in(tx, ctx.keys, consultation_id)
    return texts.objection_notice(record, seats, language)
