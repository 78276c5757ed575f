"""A unit of work: one transaction in which a use case changes state, logs events and queues
every message it causes. The update that triggered it is claimed in the same transaction, so a
redelivered update (after a crash, before the offset was confirmed) changes nothing twice."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from bot.clock import to_iso
from bot.domain.chain import Event
from bot.domain.outbox import MessageKind, Outgoing, Policy
from bot.domain.textparts import ALERT_LIMIT, fits, shorten
from bot.services.kernel.context import AppContext
from bot.services.kernel.outgoing import TextTooLongError, fitted
from bot.store.crypto import DataKey
from bot.store.datakeys import deployment_data_key, load_data_key
from bot.store.db import Tx
from bot.store.events import append_event, insert_events, next_event
from bot.store.repos import outbox, updates

log = logging.getLogger(__name__)


CLAIMED = "processed_updates.update_id"  # what SQLite names in the error for a second claim


class AlreadyProcessedError(Exception):
    """This update was handled before; nothing is to be done."""


class UnitOfWork:
    def __init__(self, ctx: AppContext, tx: Tx, update_id: int | None, origin_thread: tuple[int, int] | None) -> None:
        self.ctx = ctx
        self.tx = tx
        self.update_id = update_id
        # (chat, topic) the update came from: replies there stay in that topic.
        self.origin_thread = origin_thread
        self._keys: dict[int, DataKey] = {}
        self._replies = 0
        self.after_commit: list[Callable[[], object]] = []
        self._fresh: tuple[list[tuple[Any, ...]], list[Event]] | None = None
        # Names what this unit of work queues. Not the update id alone: Telegram reuses ids after
        # renumbering (bot/store/repos/updates.py), and a redelivery is stopped by the claim anyway.
        stamp = to_iso(ctx.clock.now())
        self.tag = f"t{stamp}" if update_id is None else f"{update_id}@{stamp}"

    @asynccontextmanager
    async def fresh_consultation(self) -> AsyncIterator[None]:
        """Calls and events of a consultation made in this unit of work, written together at the
        end: two statements for a fan-out instead of three per invitee. Their de-duplication keys
        name the new consultation, so none can exist yet (one that did would fail the whole unit
        loudly). Nothing inside may read the outbox or the events."""
        self._fresh = ([], [])
        try:
            yield
            rows, events = self._fresh
            await outbox.insert_new(self.tx, rows)
            await insert_events(self.tx, events)
        finally:
            self._fresh = None

    @property
    def now(self) -> Any:
        return self.ctx.clock.now()

    async def data_key(self, owner: int) -> DataKey:
        if owner not in self._keys:
            if owner == 0:
                self._keys[owner] = await deployment_data_key(self.tx, self.ctx.keys, self.ctx.clock)
            else:
                self._keys[owner] = await load_data_key(self.tx, self.ctx.keys, owner)
        return self._keys[owner]

    def remember_key(self, data_key: DataKey) -> None:
        self._keys[data_key.owner] = data_key

    async def send(self, message: Outgoing, policy: Policy = Policy.KEEP) -> bool:
        """Queue one message (in parts where its text is over Telegram's limit: bot.services.kernel.outgoing).

        `policy` says what happens when its key was queued before: KEEP the one queued before and
        ask nothing (the answer is True); IF_NEW the same, answering whether this one was new (a
        trip to the database that KEEP saves); COALESCE queues it under the key and the next number
        unless one under that key still waits to leave — that one is rendered when it goes, so it
        will show this change too, decided by the database without waiting for an answer."""
        if policy is Policy.COALESCE:
            return await self._coalesce(message)
        new = True
        for index, piece in enumerate(fitted(message)):  # the parts' keys follow from the message's
            row = await self._sealed(piece, piece.dedup_key)
            if self._fresh is not None:
                self._fresh[0].append(row)
            elif policy is Policy.IF_NEW:
                added = await outbox.insert_if_new(self.tx, row)
                if index == 0 and not added:
                    return False
                new = new and added
            else:
                await outbox.insert(self.tx, row)
        return new

    async def _coalesce(self, message: Outgoing) -> bool:
        if self._fresh is not None:
            raise RuntimeError("a fresh consultation has nothing to coalesce with")
        if len(fitted(message)) != 1:
            raise TextTooLongError("a coalesced message is rendered when it leaves and cannot go in parts")
        prefix = message.dedup_key + ":"
        await outbox.insert_unless_waiting(self.tx, await self._sealed(message, prefix), prefix)
        return True

    async def _sealed(self, message: Outgoing, dedup_key: str) -> tuple[Any, ...]:
        now = self.ctx.clock.now()
        return await outbox.sealed_row(
            self.tx, await self.data_key(message.consultation_id), dedup_key=dedup_key, chat_id=message.chat_id,
            method=message.method, payload=message.stored(),
            not_before=max(message.not_before or now, now), message=message)

    async def answer_press(self, callback_id: str, user_id: int, text: str | None = None,
                           show_alert: bool = False) -> None:
        """Stop the pressed button's spinner, once this unit of work is committed.

        With a running bot this is a direct call right after the commit: it carries no state (the
        effect is recorded, and a private message confirms it through the outbox), and the outbox
        hop would cost the presser tens of milliseconds. A kill between commit and call loses only
        the spinner's early stop; Telegram ends it by itself. Without a bot (CLI, unit tests) the
        answer is queued in the outbox like everything else. A pop-up holds 200 UTF-16 units: a
        longer text is shortened there, and sent in full as a private message.
        """
        params: dict[str, Any] = {"callback_query_id": callback_id}
        if text and not fits(text, ALERT_LIMIT):
            await self.send(Outgoing.to(MessageKind.CALLBACK_FULL, (callback_id,), user_id, "sendMessage",
                                        {"text": text}))
            text = shorten(text, ALERT_LIMIT)
        if text:
            params["text"] = text
        if show_alert:
            params["show_alert"] = True
        await self.ctx.answers.answer(self, user_id, params)

    async def reply(self, chat_id: int, text: str, *, consultation_id: int = 0, topic_link: bool = False,
                    **extra: Any) -> None:
        """Answer the update that started this unit of work (with a button to the consultation's
        topic when `topic_link`: added as it leaves, once the topic exists)."""
        self._replies += 1
        if self.origin_thread is not None and self.origin_thread[0] == chat_id:
            extra = {"message_thread_id": self.origin_thread[1], **extra}
        await self.send(Outgoing.text(MessageKind.REPLY, (self.tag, self._replies), chat_id, text, params=extra,
                                      consultation_id=consultation_id,
                                      render={"topic_link": True} if topic_link else None))

    async def event(
        self,
        event_type: str,
        *,
        consultation_id: int | None = None,
        actor: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Event:
        if self._fresh is not None:
            event = await next_event(
                self.tx, self.ctx.clock, event_type, consultation_id=consultation_id, actor=actor, data=data)
            self._fresh[1].append(event)
        else:
            event = await append_event(
                self.tx, self.ctx.clock, event_type, consultation_id=consultation_id, actor=actor, data=data
            )
        self.after_commit.append(lambda: log.info(
            "event %s #%s (seq %d)", event_type, consultation_id or "-", event.seq,
            extra={"event": event_type, "consultation": consultation_id}))  # only once it is true
        return event


@asynccontextmanager
async def unit_of_work(
    ctx: AppContext, update_id: int | None = None, origin_thread: tuple[int, int] | None = None,
    *, urgent: bool | None = None,
) -> AsyncIterator[UnitOfWork]:
    """`urgent` (by default: handling an update) goes before background work for the store's lock.

    The update is claimed (bot/store/repos/updates.py: within Telegram's redelivery window) by
    statements that travel with the use case's first statement whose result it needs (or with the
    COMMIT): a claimed one makes that trip fail where it stands, nothing after it runs, and the
    whole unit of work rolls back."""
    try:
        async with ctx.db.transaction(urgent=update_id is not None if urgent is None else urgent) as tx:
            if update_id is not None:
                await updates.claim(tx, update_id, ctx.clock.now(), updates.window_on(ctx.clock.speed))
            uow = UnitOfWork(ctx, tx, update_id, origin_thread)
            yield uow
    except sqlite3.IntegrityError as exc:
        if update_id is not None and CLAIMED in str(exc):
            raise AlreadyProcessedError(update_id) from None
        raise
    committed(ctx, uow)


def within(ctx: AppContext, tx: Tx) -> tuple[UnitOfWork, Callable[[], None]]:
    """A unit of work inside a transaction its caller opened and commits (the deadline engine's),
    and what to run once that transaction has committed — the same hooks `unit_of_work` runs, so a
    step fired by the scheduler logs and re-arms as a command does."""
    uow = UnitOfWork(ctx, tx, None, None)
    return uow, lambda: committed(ctx, uow)


def committed(ctx: AppContext, uow: UnitOfWork) -> None:
    for hook in uow.after_commit:  # first: a press's answer starts before the outbox wakes up
        hook()
    ctx.poke_outbox()
