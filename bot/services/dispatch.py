"""Running one use case for one update: a unit of work, or a polite refusal that is logged.

A failed use case rolls back whole; its answer (usage, refusal, error) is then written in a fresh
unit of work that claims the same update, so the refusal is on record exactly once. The transport
calls `perform` with what it parsed from an update (an `Origin`, free of python-telegram-bot types).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.domain.language import language_for
from bot.errors import ClassifiedContentError, ConsultError, NotAuthorisedError, UsageError
from bot.i18n import normalise_language
from bot.services.kernel.access import identify
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import AlreadyProcessedError, UnitOfWork, unit_of_work
from bot.services.presentation import texts
from bot.services.presentation.errors_render import render_error
from bot.store.db import Tx
from bot.store.repos import people
from bot.store.repos.people import PersonRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Where an update came from; nothing in it is content."""

    update_id: int
    user_id: int
    chat_id: int
    thread_id: int | None
    language_code: str | None
    command: str

    @property
    def thread(self) -> tuple[int, int] | None:
        return None if self.thread_id is None else (self.chat_id, self.thread_id)


Action = Callable[[UnitOfWork], Awaitable[None]]


async def perform(ctx: AppContext, origin: Origin, action: Action,
                  on_error: Callable[[UnitOfWork, ConsultError, str], Awaitable[None]] | None = None) -> None:
    started = time.perf_counter()
    outcome = "done"
    try:
        async with unit_of_work(ctx, origin.update_id, origin.thread) as uow:
            await action(uow)
    except AlreadyProcessedError:
        log.info("update %s already processed; ignored", origin.update_id)
        return
    except ConsultError as error:
        outcome = type(error).__name__
        await _answer_error(ctx, origin, error, on_error)
    _log_handled(origin, started, outcome)


async def answer_error(ctx: AppContext, origin: Origin, error: ConsultError) -> None:
    """Answer an update with an expected error found before the use case's unit of work, as
    `perform` answers one raised inside it: for a use case that checks first and then works
    outside any transaction (/export builds its bundle between the two)."""
    started = time.perf_counter()
    if await _answer_error(ctx, origin, error, None):
        _log_handled(origin, started, type(error).__name__)
    else:
        log.info("update %s already processed; ignored", origin.update_id)


Read = TypeVar("Read")
Made = TypeVar("Made")


@dataclass(frozen=True)
class Asked(Generic[Read]):
    """Who asked (the person the read identified), what was read for them, and the language they
    get the answer in."""

    person: PersonRecord
    read: Read
    language: str


def requester_language(ctx: AppContext, origin: Origin, person: PersonRecord) -> str:
    """The one language rule for answers made for the person asking: theirs as enrolled (/lang),
    else their Telegram client's, else the deployment's."""
    return language_for(person.person, normalise_language(origin.language_code or ctx.language))


async def staged(ctx: AppContext, origin: Origin, read: Callable[[Tx], Awaitable[tuple[PersonRecord, Read]]],
                 make: Callable[[Asked[Read]], Awaitable[Made]],
                 send: Callable[[UnitOfWork, Asked[Read], Made], Awaitable[None]]) -> None:
    """Read, make, send — for commands whose middle is long work that must hold no transaction
    (/report draws a DOCX, /stats a chart, /export a signed bundle): who may ask and what is asked
    for is read in one snapshot, the work is done outside any transaction, and what it made is sent
    in one unit of work that claims the update. An expected error at the read or the make is
    answered as `perform` answers one."""
    try:
        async with ctx.db.reading() as tx:
            person, value = await read(tx)
        asked = Asked(person, value, requester_language(ctx, origin, person))
        made = await make(asked)
    except ConsultError as error:
        await answer_error(ctx, origin, error)
        return

    async def action(uow: UnitOfWork) -> None:
        await send(uow, asked, made)

    await perform(ctx, origin, action)


def _log_handled(origin: Origin, started: float, outcome: str) -> None:
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s handled in %.1f ms (%s)", origin.command, elapsed, outcome,
             extra={"command": origin.command, "update_id": origin.update_id, "duration_ms": round(elapsed, 2)})


def as_person(origin: Origin, use_case: Callable[[UnitOfWork, PersonRecord], Awaitable[object]]) -> Action:
    async def action(uow: UnitOfWork) -> None:
        await use_case(uow, await identify(uow.tx, origin.user_id))

    return action


_NAMED_HOLDERS = 3  # the people named in a refusal; more and the role alone says it


async def _who_may(uow: UnitOfWork, error: ConsultError, language: str) -> str:
    """For a refused command, who may use it: the roles as people read them, and the first few
    people holding one, so that the refused person knows whom to ask ("" for other errors)."""
    roles = error.params.get("roles") if isinstance(error, NotAuthorisedError) else None
    if not roles:
        return ""
    holders = [record.person.name for record in await people.list_people(uow.tx)
               if any(record.person.has_role(role) for role in roles)]
    who = texts.role_names(uow.ctx.routing, roles, language)
    if holders:
        more = len(holders) - _NAMED_HOLDERS
        names = ", ".join(holders[:_NAMED_HOLDERS]) + (f" (+{more})" if more > 0 else "")
        who = f"{who} — {names}"
    return who


async def _answer_error(ctx: AppContext, origin: Origin, error: ConsultError,
                        on_error: Callable[[UnitOfWork, ConsultError, str], Awaitable[None]] | None) -> bool:
    """Whether the answer was written (False: the update had been processed already)."""
    try:
        async with unit_of_work(ctx, origin.update_id, origin.thread) as uow:
            record = await people.person_by_telegram_id(uow.tx, origin.user_id)
            client = normalise_language(origin.language_code) if origin.language_code else ctx.language
            language = language_for(record.person if record is not None else None, client)
            actor = record.key if record else f"tg:{origin.user_id}"
            if isinstance(error, NotAuthorisedError):
                await uow.event("refused", actor=actor, consultation_id=None, data={
                    "command": origin.command, "reason": error.message_key,
                })
                log.info("refused %s for %s (%s)", origin.command, actor, error.message_key)
            elif isinstance(error, ClassifiedContentError):
                await uow.event("blocked", actor=actor, data={
                    "where": origin.command, "rule": error.params.get("rule"), "level": error.params.get("level"),
                    "content_hmac": error.params.get("content_hmac"),
                })
            elif not isinstance(error, UsageError):
                log.info("%s failed for %s: %s", origin.command, actor, error.message_key)
            if on_error is not None:
                await on_error(uow, error, language)
            else:
                who = await _who_may(uow, error, language)
                await uow.reply(origin.chat_id, render_error(error, language, scopes=", ".join(ctx.routing.scopes),
                                                             who=who))
    except AlreadyProcessedError:
        return False
    return True
