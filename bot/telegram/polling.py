"""Long polling that never loses an update.

python-telegram-bot's Updater confirms a batch to Telegram as soon as it asks for the next one,
before the batch is processed; a kill in between loses those updates. Here the offset moves past
an update only after it was processed, and an update whose processing failed (disk full, database
locked) is retried rather than skipped. Redelivered updates are recognised by their id
(processed_updates), so processing is exactly-once in effect. An update carrying a file is
processed in the background (see InFlight), and confirmed only once it is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.telegram.ratelimit import seconds_of

log = logging.getLogger(__name__)

# Turns of the event loop given to what an update started after its commit (a press's answer)
# before the next getUpdates is built: building one holds the loop for about a millisecond, and
# the answer's request takes a dozen turns (connection pool, locks) to reach the wire. Idle, the
# turns cost about 0.1 ms.
HEAD_START_TURNS = 20
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "chat_join_request", "my_chat_member"]
FAILED_KEY = "failed_update_id"
RECHECK_SECONDS = 0.5  # while a file is being read, how often new updates are looked for
DRAIN_SECONDS = 5.0


async def poll(application: Application, stop: asyncio.Event, long_poll_seconds: int = 10) -> None:  # type: ignore[type-arg]
    offset: int | None = None
    backoff = 0.5
    background = InFlight(application)
    try:
        while not stop.is_set():
            confirm = background.watermark(offset)
            try:
                updates = await application.bot.get_updates(
                    offset=confirm, timeout=0 if background.busy else long_poll_seconds,
                    allowed_updates=ALLOWED_UPDATES)
            except RetryAfter as exc:
                await asyncio.sleep(seconds_of(exc.retry_after))
                continue
            except (NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed (%s); retrying in %.1fs", type(exc).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
            fresh = [update for update in updates if not background.seen(update.update_id)]
            for update in fresh:
                if stop.is_set():
                    return
                if not background.take(update) and not await _process(application, update, stop):
                    return
                offset = update.update_id + 1
            if fresh:
                await _head_start()
            elif background.busy:
                # Unconfirmed updates come back at once: wait for a check to end (or a new update).
                await background.wait(RECHECK_SECONDS)
    finally:
        await background.drain()


async def _process(application: Application, update: Update, stop: asyncio.Event) -> bool:  # type: ignore[type-arg]
    """Process one update, retrying while it fails; False if told to stop meanwhile."""
    backoff = 0.5
    while True:
        await application.process_update(update)
        if application.bot_data.get(FAILED_KEY) != update.update_id:
            return True
        application.bot_data.pop(FAILED_KEY, None)
        log.error("update %s failed to process; retrying in %.1fs", update.update_id, backoff)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, 30.0)
        if stop.is_set():
            return False


class InFlight:
    """Updates carrying a file, processed in the background while the others go on.

    Reading a file (OCR of a photo or a scan) takes seconds; one chat's file must not hold up every
    other chat. Such an update, and every later update of the same chat (order within a chat is
    kept), runs as a task. None of them is confirmed to Telegram until it is done: getUpdates is
    sent with the oldest unfinished update as its offset, so a crash meanwhile gets it delivered
    again (it is then judged again; processed ones are recognised by their id and skipped)."""

    def __init__(self, application: Application) -> None:  # type: ignore[type-arg]
        self.application = application
        self.tasks: dict[int, asyncio.Task[None]] = {}  # update id -> its task
        self.by_chat: dict[int, asyncio.Task[None]] = {}  # chat -> its latest task
        self.dispatched: set[int] = set()  # ids taken since the watermark, in the background or not
        self.done = asyncio.Event()
        self.stop = asyncio.Event()

    @property
    def busy(self) -> bool:
        return bool(self.tasks)

    def watermark(self, offset: int | None) -> int | None:
        if not self.tasks:
            self.dispatched.clear()
            return offset
        oldest = min(self.tasks)
        self.dispatched = {i for i in self.dispatched if i >= oldest}
        return oldest

    def seen(self, update_id: int) -> bool:
        return update_id in self.dispatched

    def take(self, update: Update) -> bool:
        """Start `update` in the background if it carries a file or its chat is busy; False: do it now."""
        self.dispatched.add(update.update_id)
        chat = update.effective_chat.id if update.effective_chat is not None else None
        before = self.by_chat.get(chat) if chat is not None else None
        if before is None and not _carries_file(update):
            return False
        task = asyncio.create_task(self._run(update, before), name=f"update-{update.update_id}")
        self.tasks[update.update_id] = task
        if chat is not None:
            self.by_chat[chat] = task
        task.add_done_callback(lambda _: self._finished(update.update_id, chat, task))
        return True

    async def _run(self, update: Update, before: asyncio.Task[None] | None) -> None:
        if before is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await before
        await _process(self.application, update, self.stop)

    def _finished(self, update_id: int, chat: int | None, task: asyncio.Task[None]) -> None:
        self.tasks.pop(update_id, None)
        if chat is not None and self.by_chat.get(chat) is task:
            del self.by_chat[chat]
        if not task.cancelled() and task.exception() is not None:
            log.error("update %s failed in the background", update_id, exc_info=task.exception())
        self.done.set()

    async def wait(self, seconds: float) -> None:
        self.done.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.done.wait(), seconds)

    async def drain(self) -> None:
        """On stop: let what runs finish its current try, then end; unfinished ones come back next run."""
        self.stop.set()
        tasks = list(self.tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
        for task in tasks:
            task.cancel()


def _carries_file(update: Update) -> bool:
    message = update.effective_message
    return message is not None and (message.document is not None or bool(message.photo))


async def _head_start() -> None:
    for _ in range(HEAD_START_TURNS):
        await asyncio.sleep(0)
