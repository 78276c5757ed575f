"""Long polling that never loses an update and never waits behind one.

python-telegram-bot's Updater confirms a batch to Telegram as soon as it asks for the next one,
before the batch is processed; a kill in between loses those updates. Here getUpdates is fetched
raw and each update parsed on its own (one python-telegram-bot cannot read is set aside by id, never
logged: bot/telegram/lanes.py), handed to the lanes at once, and the offset moves past an update
only once the lanes acknowledge it: a quick update when handled or set aside, a file update as
soon as it is held in the database (its read goes on, and a stop meanwhile is resumed from there).
So only what is in flight is held back — at most a window of getUpdates — and polling keeps
reading however long a file takes. Redelivered updates are recognised by their id.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.telegram.lanes import Lanes
from bot.telegram.ratelimit import seconds_of

log = logging.getLogger(__name__)

# Turns of the event loop given to what an update started after its commit (a press's answer)
# before the next getUpdates is built: building one holds the loop for about a millisecond, and
# the answer's request takes a dozen turns (connection pool, locks) to reach the wire. Idle, the
# turns cost next to nothing (docs/performance.md, press to answer).
HEAD_START_TURNS = 20
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "chat_join_request", "my_chat_member"]
# While updates are in flight (a slow command: /report, /export), how often new ones are looked
# for: getUpdates cannot wait for new ones while an unconfirmed one is there to be returned.
RECHECK_SECONDS = 0.1
DRAIN_SECONDS = 5.0


async def poll(application: Application, stop: asyncio.Event, lanes: Lanes,  # type: ignore[type-arg]
               long_poll_seconds: int = 10) -> None:
    offset: int | None = None
    backoff = 0.5
    unacked: dict[int, asyncio.Future[None]] = {}  # handed to the lanes, not yet to be confirmed
    dispatched: set[int] = set()  # ids handed to the lanes at or above what Telegram was told
    try:
        while not stop.is_set():
            lanes.changed.clear()  # what settles from now on ends the wait below at once
            confirm = min(unacked) if unacked else offset
            if confirm is not None:
                dispatched = {i for i in dispatched if i >= confirm}
            try:
                raws = await fetch(application, confirm, 0 if unacked else long_poll_seconds)
            except RetryAfter as exc:
                await asyncio.sleep(seconds_of(exc.retry_after))
                continue
            except (NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed (%s); retrying in %.1fs", type(exc).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
            fresh = 0
            for raw in raws:
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id in dispatched:
                    continue
                if stop.is_set():
                    return
                fresh += 1
                dispatched.add(update_id)
                acked = _hand_over(application, lanes, raw)
                if not acked.done():
                    unacked[update_id] = acked
                    acked.add_done_callback(functools.partial(_settled, unacked, update_id))
                offset = max(offset or 0, update_id + 1)
            if fresh:
                await _head_start()
            elif unacked:
                # Unconfirmed updates come back at once: wait for one to settle (or a new update).
                await lanes.wait(RECHECK_SECONDS)
    finally:
        await lanes.drain(DRAIN_SECONDS)


async def fetch(application: Application, offset: int | None, wait_seconds: int) -> list[Any]:  # type: ignore[type-arg]
    """getUpdates, unparsed: python-telegram-bot's `get_updates` parses the whole batch at once, so
    one update it cannot read would fail every call and stop polling for good. `Bot._post` is the
    call `get_updates` makes (on its own request object, with the long read timeout); a test
    (tests/unit/telegram/test_lanes.py) fails if it disappears."""
    params: dict[str, Any] = {"timeout": wait_seconds, "allowed_updates": ALLOWED_UPDATES}
    if offset is not None:
        params["offset"] = offset
    result = await application.bot._post("getUpdates", params, read_timeout=wait_seconds + 20)
    return result if isinstance(result, list) else []


def _hand_over(application: Application, lanes: Lanes, raw: dict[str, Any]) -> asyncio.Future[None]:  # type: ignore[type-arg]
    try:
        update = Update.de_json(raw, application.bot)
    except Exception as error:  # whatever the library raises, the update is set aside
        return lanes.unparseable(raw, error)
    return lanes.submit(update)


def _settled(unacked: dict[int, asyncio.Future[None]], update_id: int, done: asyncio.Future[None]) -> None:
    if not done.cancelled():  # a cancelled one was not handled (a stop): it stays unconfirmed
        unacked.pop(update_id, None)


async def _head_start() -> None:
    for _ in range(HEAD_START_TURNS):
        await asyncio.sleep(0)
