"""What the running bot does on a clock beside the updates: retention once a day, a checkpoint
every CONSULT_CHECKPOINT_MINUTES, the officers' digest when due. Each loop survives its own
failures (logged, tried again) and ends when the bot stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

from bot.clock import real_seconds
from bot.services import retention
from bot.services.kernel.context import AppContext
from bot.services.officer import digest
from bot.services.reports.checkpointing import Publishing, checkpoint_quietly
from bot.store.repos import updates

log = logging.getLogger(__name__)
RETENTION_EVERY = 24 * 3600.0


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def retention_daily(ctx: AppContext, stop: asyncio.Event) -> None:
    """Retention once at start and then once a day (a day of the bot's clock, for drills); so
    are the claims on update ids older than Telegram's redelivery window forgotten."""
    while not stop.is_set():
        try:
            await retention.apply(ctx, ctx.retention_policy)
        except Exception:
            log.exception("retention run failed; will try again in a day")
        try:
            async with ctx.db.transaction() as tx:
                pruned = await updates.prune(tx, ctx.clock.now(), updates.window_on(ctx.clock.speed))
            log.info("forgot %d update ids older than the redelivery window", pruned)
        except sqlite3.Error:
            log.exception("pruning update ids failed; will try again in a day")
        await _pause(stop, real_seconds(ctx.clock, RETENTION_EVERY))


async def checkpoints(ctx: AppContext, stop: asyncio.Event) -> None:
    """A signed checkpoint of the event log every CONSULT_CHECKPOINT_MINUTES, when it grew."""
    every = real_seconds(ctx.clock, ctx.settings.checkpoint_minutes * 60)
    while not stop.is_set():
        await _pause(stop, every)
        if stop.is_set():
            return
        try:
            await checkpoint_quietly(ctx.db, ctx.keys, ctx.clock, Publishing.for_context(ctx))
        except Exception:
            log.exception("checkpoint failed; will try again")


async def guard_digests(ctx: AppContext, stop: asyncio.Event) -> None:
    """The officers' daily digest: what is due is read from the database (the last day each
    officer was sent one), sent, and the next one awaited."""
    while not stop.is_set():
        try:
            await digest.send_due(ctx)
        except Exception:
            log.exception("the officers' digest failed; will try again")
        now = ctx.clock.now()
        wait = (digest.next_due(now, ctx.zone, ctx.settings.guard_digest_time) - now).total_seconds()
        await _pause(stop, real_seconds(ctx.clock, max(wait, 1.0)))
