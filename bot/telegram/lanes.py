"""Where each update is handled, so that none waits behind another and none stops the rest.

* **Quick updates** (texts, commands, presses, join requests) are handled at once, each in its
  own task, whatever chat they come from and whatever is being read meanwhile. Only plain texts
  of one chat keep their order (they may be comments relayed into a topic): each waits for the
  first try of the chat's text before it, never for its retries.
* **File updates** (a document or a photo) are read in a lane of their own. Before the read the
  update is held in the database (`held_files`: ids and places, never content): that durable
  claim is what lets the transport acknowledge it at once, makes a redelivery (polling after a
  restart, a webhook retried by Telegram) skip it, and tells the next start which reads a stop
  interrupted. Files in flight are limited globally and per sender; a sender who is not enrolled
  waits behind members' files and shares a single slot with every other stranger — their file is
  still judged, and deleted in the group if marked (the gate's promise), only later.
* **A failing update** is retried with backoff. A failure of the database's or the network's
  (locked, full, a dropped connection: `transient`) is retried for as long as it lasts — nothing
  is lost and the operator is told in the log. Any other exception is a defect or a poison
  input: after `ATTEMPTS` tries the update is set aside (bot/services/kernel/setaside.py): recorded
  by id, handler and error type, claimed, its sender told; in the group a post the gate itself
  failed on is removed, since it was never judged (fail closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import heapq
import itertools
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application

from bot.services.kernel import setaside
from bot.services.kernel.context import AppContext
from bot.services.kernel.setaside import Failure, HeldFile
from bot.telegram import failures
from bot.telegram.attached import context_of
from bot.telegram.gate import delete_now

log = logging.getLogger(__name__)

ATTEMPTS = 3  # tries of an update failing with a non-transient error before it is set aside
FILE_ATTEMPTS = 1  # of a file update: each try reads the file again
FIRST_BACKOFF = 0.2  # seconds before the second try; doubled each time
MAX_BACKOFF = 30.0
TRANSIENT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.ENOMEM, errno.EMFILE, errno.ENFILE, errno.EAGAIN}
TRANSIENT_SQLITE = ("locked", "busy", "full", "disk i/o", "unable to open")
MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post", "business_message",
                 "edited_business_message")


@dataclass(frozen=True)
class FileLimits:
    """Files read at once: in all, by one sender, and by every sender who is not enrolled together.
    One at a time per sender keeps each person's files in the order they sent them (their comments
    are relayed in that order); different people's files are read side by side."""

    in_flight: int = 4
    per_sender: int = 1
    strangers: int = 1
    # Held and waiting for a slot: beyond this, a file update is not acknowledged until there is
    # room, and Telegram keeps it (polling's window, a webhook's retry): memory stays bounded.
    held: int = 200


def transient(error: BaseException) -> bool:
    """Whether `error` says the database or the network is unwell rather than the update is bad."""
    if isinstance(error, sqlite3.OperationalError):
        return any(word in str(error).lower() for word in TRANSIENT_SQLITE)
    if isinstance(error, RetryAfter):
        return True
    if isinstance(error, NetworkError):  # BadRequest is a NetworkError in python-telegram-bot
        return not isinstance(error, BadRequest)
    if isinstance(error, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    return isinstance(error, OSError) and error.errno in TRANSIENT_ERRNOS


def carries_file(update: Update) -> bool:
    message = update.effective_message
    return message is not None and (message.document is not None or bool(message.photo))


class Slots:
    """A counting semaphore that serves its waiters by priority (lower first), then in order, and
    lets one key (a sender) hold at most `per_key` slots: a waiter whose key is at its limit is
    passed over until one of its own is released, never blocking the others."""

    def __init__(self, size: int, per_key: int | None = None) -> None:
        self.free = size
        self.per_key = per_key
        self.in_use: dict[object, int] = {}
        self._waiting: list[tuple[int, int, object, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def _eligible(self, key: object) -> bool:
        return self.per_key is None or key is None or self.in_use.get(key, 0) < self.per_key

    def _take(self, key: object) -> None:
        self.free -= 1
        if key is not None:
            self.in_use[key] = self.in_use.get(key, 0) + 1

    async def acquire(self, priority: int, key: object = None) -> None:
        if self.free > 0 and self._eligible(key) and not any(
                not turn.done() and self._eligible(k) for _, _, k, turn in self._waiting):
            self._take(key)
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), key, turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release(key)  # given and then cancelled: pass it on
            raise

    def release(self, key: object = None) -> None:
        self.free += 1
        if key is not None:
            self.in_use[key] -= 1
            if not self.in_use[key]:
                del self.in_use[key]
        self._dispatch()

    def _dispatch(self) -> None:
        self._waiting = [entry for entry in self._waiting if not entry[3].done()]
        heapq.heapify(self._waiting)
        while self.free > 0:
            chosen = min((entry for entry in self._waiting if self._eligible(entry[2])), default=None)
            if chosen is None:
                return
            self._waiting.remove(chosen)
            heapq.heapify(self._waiting)
            self._take(chosen[2])
            chosen[3].set_result(None)

    @contextlib.asynccontextmanager
    async def held(self, priority: int, key: object = None) -> Any:
        await self.acquire(priority, key)
        try:
            yield
        finally:
            self.release(key)


class Lanes:
    def __init__(self, application: Application, limits: FileLimits | None = None) -> None:  # type: ignore[type-arg]
        self.application = application
        self.limits = limits or FileLimits()
        self.files = Slots(self.limits.in_flight, per_key=self.limits.per_sender)
        self.strangers = Slots(self.limits.strangers)
        self.holding = asyncio.Semaphore(self.limits.held)
        self.text_chain: dict[int, asyncio.Event] = {}  # chat -> first try of its latest text done
        self.tasks: set[asyncio.Task[None]] = set()
        self.stopping = asyncio.Event()
        self.changed = asyncio.Event()

    @property
    def ctx(self) -> AppContext:
        return context_of(self.application)

    @property
    def busy(self) -> bool:
        return bool(self.tasks)

    def submit(self, update: Update) -> asyncio.Future[None]:
        """Start handling `update`; the future resolves once Telegram may be told it is handled
        (a quick update: done or set aside; a file update: held)."""
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        work = self._file(update, acked) if carries_file(update) else self._quick(update, acked)
        self._start(update.update_id, work, acked)
        return acked

    def unparseable(self, raw: dict[str, Any], error: BaseException) -> asyncio.Future[None]:
        """An update python-telegram-bot cannot read: removed from the group if it is a post there
        (it cannot be judged), and set aside by id; nothing of it is logged."""
        acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._start(int(raw["update_id"]), self._unparseable(raw, error, acked), acked)
        return acked

    def _start(self, update_id: int, work: Awaitable[None], acked: asyncio.Future[None]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception as error:  # a defect here, outside the handlers: set aside, never wedged
                log.error("update %s: its handling failed outside the handlers (%s)", update_id,
                          type(error).__name__, exc_info=error)
                failure = Failure(update_id, "lanes", type(error).__name__, 1)
                if not acked.done() and await self._durably(lambda: setaside.set_aside(self.ctx, failure)):
                    acked.set_result(None)
            finally:
                if not acked.done():
                    acked.cancel()  # not handled (a stop): not acknowledged, it comes back
                self.changed.set()

        task = asyncio.create_task(run(), name=f"update-{update_id}")
        self.tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("handling an update failed outside its handlers", exc_info=task.exception())

    async def _quick(self, update: Update, acked: asyncio.Future[None]) -> None:
        before, mine = self._text_turn(update)
        for earlier in before:
            await earlier.wait()
        try:
            handled = await self._handle(update, first_try=mine)
        finally:
            if mine is not None:
                mine.set()
                chat = update.effective_message.chat_id if update.effective_message is not None else None
                if chat is not None and self.text_chain.get(chat) is mine:
                    del self.text_chain[chat]  # the chat's last text is done: forget the chat
        if handled:
            acked.set_result(None)

    def _text_turn(self, update: Update) -> tuple[list[asyncio.Event], asyncio.Event | None]:
        """What this update waits for, and the event it sets when its first try is done.

        A plain text waits for the chat's text before it. A command or a press waits for the first
        try of every text received before it, in any chat: `/close` typed a moment after a comment
        in the topic must see that comment, or the report would leave out what the topic shows."""
        message = update.effective_message
        if message is None or update.callback_query is not None or (message.text or "").startswith("/"):
            return list(self.text_chain.values()), None
        before = self.text_chain.get(message.chat_id)
        mine = asyncio.Event()
        self.text_chain[message.chat_id] = mine
        return ([] if before is None else [before]), mine

    async def _file(self, update: Update, acked: asyncio.Future[None]) -> None:
        message = update.effective_message
        assert message is not None
        sender = message.from_user.id if message.from_user is not None else 0
        held = HeldFile(update.update_id, message.chat_id, message.message_id, sender,
                        message.from_user.language_code if message.from_user is not None else None,
                        message.chat.type != "private")
        async with self.holding:
            fresh = await self._durably(lambda: setaside.hold_file(self.ctx, held))
            if fresh is None:
                return  # stopping before the claim was made: not acknowledged, it comes back
            acked.set_result(None)
            if not fresh:
                log.info("update %s was handled or is being read already; not read again", update.update_id)
                return
            member = await self._durably(lambda: setaside.is_enrolled(self.ctx, sender))
            async with self._file_slot(sender, bool(member)):
                # One try before setting it aside: each try reads the file again (seconds of OCR).
                handled = await self._handle(update, attempts=FILE_ATTEMPTS)
            if handled:
                await self._durably(lambda: setaside.release_file(self.ctx, update.update_id))

    @contextlib.asynccontextmanager
    async def _file_slot(self, sender: int, member: bool) -> Any:
        if member:
            async with self.files.held(0, sender):
                yield
        else:
            async with self.strangers.held(1), self.files.held(1, sender):
                yield

    async def _handle(self, update: Update, first_try: asyncio.Event | None = None, attempts: int = ATTEMPTS) -> bool:
        """Process `update` until it is handled or set aside (True), or the lanes stop (False)."""
        backoff = FIRST_BACKOFF
        attempt = 0
        while True:
            attempt += 1
            await self.application.process_update(update)
            if first_try is not None:
                first_try.set()
            failed = failures.take(self.application, update.update_id)
            if failed is None:
                return True
            if not transient(failed.error) and attempt >= attempts:
                if await self._set_aside(update, failed, attempt):
                    return True
            elif transient(failed.error):
                log.warning("update %s met %s; retrying in %.1fs (nothing is lost)", update.update_id,
                            type(failed.error).__name__, backoff)
            else:
                log.warning("update %s failed in %s (%s), try %d of %d; retrying in %.1fs", update.update_id,
                            failed.handler, type(failed.error).__name__, attempt, attempts, backoff)
            if await self._stopped_within(backoff):
                return False
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _set_aside(self, update: Update, failed: failures.Failed, attempts: int) -> bool:
        message = update.effective_message
        user = update.effective_user
        chat = update.effective_chat
        if failed.handler == "gate" and message is not None and message.chat.type != "private" \
                and await delete_now(self.application.bot, message.chat_id, message.message_id):
            log.warning("update %s: the gate failed on a post in chat %s; removed unjudged (fail closed)",
                        update.update_id, message.chat_id)
        join = update.chat_join_request
        failure = Failure(
            update.update_id, failed.handler, type(failed.error).__name__, attempts,
            chat_id=user.id if join is not None and user is not None else (chat.id if chat is not None else None),
            user_id=user.id if user is not None else None,
            language_code=user.language_code if user is not None else None,
            thread_id=message.message_thread_id if message is not None and message.is_topic_message else None)
        try:
            await setaside.set_aside(self.ctx, failure)
        except Exception as error:  # the database cannot take the record: retried like the update
            log.error("update %s could not be set aside (%s); retrying", update.update_id, type(error).__name__)
            return False
        return True

    async def _unparseable(self, raw: dict[str, Any], error: BaseException, acked: asyncio.Future[None]) -> None:
        update_id = int(raw["update_id"])
        chat_id, message_id, user_id, group_post = _place(raw)
        if group_post and chat_id is not None and message_id is not None:
            removed = await delete_now(self.application.bot, chat_id, message_id)
            log.warning("update %s could not be parsed (%s); its post %s in chat %s %s (it could not be judged)",
                        update_id, type(error).__name__, message_id, chat_id,
                        "was removed" if removed else "could not be removed")
        else:
            log.warning("update %s could not be parsed (%s); set aside", update_id, type(error).__name__)
        failure = Failure(update_id, "parse", type(error).__name__, 1, chat_id, user_id)
        if await self._durably(lambda: setaside.set_aside(self.ctx, failure, tell=False)) is not None:
            acked.set_result(None)

    async def _durably(self, step: Callable[[], Awaitable[Any]]) -> Any:
        """Run a bookkeeping step until the database takes it; None if the lanes stop meanwhile."""
        backoff = FIRST_BACKOFF
        while True:
            try:
                result = await step()
                return True if result is None else result
            except Exception as error:
                if not transient(error):
                    raise
                log.warning("the database refused a step (%s); retrying in %.1fs", type(error).__name__, backoff)
            if await self._stopped_within(backoff):
                return None
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)
        return self.stopping.is_set()

    async def resume(self) -> int:
        """At start: file updates a stop interrupted were never judged whole. Each is removed from the
        group (fail closed) and its sender asked to send it again; returns how many."""
        left = await setaside.held_files(self.ctx)
        for held in left:
            if held.group_post and not await setaside.is_handled(self.ctx, held.update_id):
                await delete_now(self.application.bot, held.chat_id, held.message_id)
                log.warning("update %s: its file was being read when the bot stopped; post %s in chat %s removed "
                            "(fail closed) and its sender asked to send it again", held.update_id,
                            held.message_id, held.chat_id)
            await setaside.interrupted(self.ctx, held)
        return len(left)

    async def wait(self, seconds: float) -> None:
        """Until something finished since the caller last cleared `changed`, or `seconds` passed.
        Not cleared here: a completion between the caller's look and this wait would be lost."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.changed.wait(), seconds)

    async def drain(self, seconds: float) -> None:
        """On stop: let what runs finish its current try, then end; a held file is resumed next start."""
        self.stopping.set()
        tasks = list(self.tasks)
        if tasks:
            await asyncio.wait(tasks, timeout=seconds)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _place(raw: dict[str, Any]) -> tuple[int | None, int | None, int | None, bool]:
    """(chat, message, sender, whether it is a post outside a private chat) read from a raw update,
    as far as its fields are where Telegram puts them."""
    for kind in MESSAGE_KINDS:
        message = raw.get(kind)
        if not isinstance(message, dict):
            continue
        chat = message.get("chat")
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        message_id = message.get("message_id")
        sender = message.get("from")
        user_id = sender.get("id") if isinstance(sender, dict) else None
        ints = [value if isinstance(value, int) and not isinstance(value, bool) else None
                for value in (chat_id, message_id, user_id)]
        private = isinstance(chat, dict) and chat.get("type") == "private"
        return ints[0], ints[1], ints[2], ints[0] is not None and not private
    return None, None, None, False
