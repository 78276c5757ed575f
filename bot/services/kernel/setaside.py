"""Updates set aside so the queue goes on: one that keeps failing, one that cannot be parsed, and a
file update whose read a stop interrupted. Each is put on record by id and place (never content),
claimed so a redelivery changes nothing, and its sender told in their language.

Which failures are set aside and which are retried is the transport's decision
(bot/telegram/lanes.py); here is what setting aside means."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.clock import to_iso
from bot.domain.language import language_for
from bot.i18n import normalise_language, t
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import AlreadyProcessedError, unit_of_work
from bot.store.db import Tx
from bot.store.repos import failed_updates, people, updates
from bot.store.repos.failed_updates import FailedUpdate, HeldFile

log = logging.getLogger(__name__)

__all__ = ["FailedUpdate", "Failure", "HeldFile", "failed", "failed_count", "hold_file", "set_aside"]

FAILED_TEXT = "update.failed"
RESEND_TEXT = "update.resend"


@dataclass(frozen=True)
class Failure:
    """What is known of an update that failed for good; nothing in it is content."""

    update_id: int
    handler: str
    error_type: str
    attempts: int
    chat_id: int | None = None
    user_id: int | None = None
    language_code: str | None = None
    thread_id: int | None = None


async def set_aside(ctx: AppContext, failure: Failure, *, tell: bool = True) -> None:
    """Record `failure`, claim its update and tell its sender (when known) in one transaction. An
    update claimed already (its effects were committed before it failed) is recorded only."""
    row = FailedUpdate(failure.update_id, failure.handler, failure.error_type, failure.attempts,
                       failure.chat_id, failure.user_id, to_iso(ctx.clock.now()))
    thread = (failure.chat_id, failure.thread_id) if failure.chat_id is not None and failure.thread_id else None
    try:
        async with unit_of_work(ctx, failure.update_id, thread) as uow:
            await failed_updates.record(uow.tx, row)
            if tell and failure.chat_id is not None and failure.user_id:
                language = await _language(uow.tx, ctx, failure.user_id, failure.language_code)
                await uow.reply(failure.chat_id, t(language, FAILED_TEXT))
    except AlreadyProcessedError:
        async with ctx.db.transaction() as tx:
            await failed_updates.record(tx, row)
    log.error("update %s set aside after %d attempts: %s raised %s (`consult updates failed` lists it)",
              failure.update_id, failure.attempts, failure.handler, failure.error_type,
              extra={"update_id": failure.update_id})


async def is_handled(ctx: AppContext, update_id: int) -> bool:
    """Whether `update_id` was processed or set aside within Telegram's redelivery window."""
    async with ctx.db.reading() as tx:
        return await updates.is_claimed(tx, update_id, ctx.clock.now(), updates.window_on(ctx.clock.speed))


async def hold_file(ctx: AppContext, held: HeldFile) -> bool:
    """The durable claim on a file update before its read; False if it was handled or is held already."""
    async with ctx.db.transaction(urgent=True) as tx:
        if await updates.is_claimed(tx, held.update_id, ctx.clock.now(), updates.window_on(ctx.clock.speed)):
            return False
        return await failed_updates.hold(tx, held, ctx.clock.now())


async def release_file(ctx: AppContext, update_id: int) -> None:
    async with ctx.db.transaction() as tx:
        await failed_updates.release(tx, update_id)


async def held_files(ctx: AppContext) -> list[HeldFile]:
    async with ctx.db.reading() as tx:
        return await failed_updates.held(tx)


async def interrupted(ctx: AppContext, held: HeldFile) -> None:
    """A file update whose read a stop interrupted (the transport removed it from the group first):
    on record, and its sender asked to send it again. One that was finished is only released."""
    if not await is_handled(ctx, held.update_id):
        failure = Failure(held.update_id, "file read interrupted", "Interrupted", 1, held.chat_id, held.user_id,
                          held.language_code)
        row = FailedUpdate(held.update_id, failure.handler, failure.error_type, 1, held.chat_id, held.user_id,
                           to_iso(ctx.clock.now()))
        try:
            async with unit_of_work(ctx, held.update_id) as uow:
                await failed_updates.record(uow.tx, row)
                language = await _language(uow.tx, ctx, held.user_id, held.language_code)
                await uow.reply(held.user_id if held.group_post else held.chat_id, t(language, RESEND_TEXT))
        except AlreadyProcessedError:
            pass
    await release_file(ctx, held.update_id)


async def is_enrolled(ctx: AppContext, user_id: int) -> bool:
    async with ctx.db.reading() as tx:
        return await people.person_by_telegram_id(tx, user_id) is not None


async def failed(ctx: AppContext, limit: int = 100) -> list[FailedUpdate]:
    async with ctx.db.reading() as tx:
        return await failed_updates.listed(tx, limit)


async def failed_count(ctx: AppContext) -> int:
    async with ctx.db.reading() as tx:
        return await failed_updates.count(tx)


async def _language(tx: Tx, ctx: AppContext, user_id: int, client: str | None) -> str:
    record = await people.person_by_telegram_id(tx, user_id)
    default = normalise_language(client) if client else ctx.language
    return language_for(record.person if record is not None else None, default)


async def forget(ctx: AppContext) -> int:
    async with ctx.db.transaction() as tx:
        return await failed_updates.forget(tx)
