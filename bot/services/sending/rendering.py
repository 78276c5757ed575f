"""Texts rendered when they are sent rather than when they are queued: the status card, and the
coordinator's notice of objections (a burst of them is one notice, not one each)."""

from __future__ import annotations

from typing import Any

from bot.domain.consultation import State
from bot.services.kernel.context import AppContext
from bot.services.kernel.seats import load_in
from bot.services.presentation import texts
from bot.services.presentation.keyboards import card_keyboard
from bot.store.db import Tx


async def card_text(ctx: AppContext, tx: Tx, consultation_id: int) -> str:
    text, _ = await card(ctx, tx, consultation_id)
    return text


async def card(ctx: AppContext, tx: Tx, consultation_id: int) -> tuple[str, dict[str, Any] | None]:
    """The card's text and its buttons, from one reading: the coordinator's actions show exactly
    while the text says the consultation is open, so the edit that closes it takes them away."""
    record, _, seats = await load_in(tx, ctx.keys, consultation_id)
    text = texts.status_card(record, seats, ctx.clock.now(), ctx.language, ctx.zone)
    is_open = record.consultation.state is State.OPEN
    return text, card_keyboard(consultation_id, is_open, ctx.bot_username, ctx.language)


async def objections_text(ctx: AppContext, tx: Tx, consultation_id: int, language: str) -> tuple[str, frozenset[str]]:
    """The notice, and whose objections it tells."""
    record, _, seats = await load_in(tx, ctx.keys, consultation_id)
    return texts.objection_notice(record, seats, language)
