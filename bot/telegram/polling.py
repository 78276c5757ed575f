"""Long polling that never loses an update.

python-telegram-bot's Updater confirms a batch to Telegram as soon as it asks for the next one,
before the batch is processed; a kill in between loses those updates. Here the offset moves past
an update only after it was processed, and an update whose processing failed (disk full, database
locked) is retried rather than skipped. Redelivered updates are recognised by their id
(processed_updates), so processing is exactly-once in effect.
"""

from __future__ import annotations

import asyncio
import logging

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


async def poll(application: Application, stop: asyncio.Event, long_poll_seconds: int = 10) -> None:  # type: ignore[type-arg]
    offset: int | None = None
    backoff = 0.5
    while not stop.is_set():
        try:
            updates = await application.bot.get_updates(
                offset=offset, timeout=long_poll_seconds, allowed_updates=ALLOWED_UPDATES
            )
        except RetryAfter as exc:
            await asyncio.sleep(seconds_of(exc.retry_after))
            continue
        except (NetworkError, TelegramError) as exc:
            log.warning("getUpdates failed (%s); retrying in %.1fs", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = 0.5
        for update in updates:
            if stop.is_set():
                return
            while True:
                application.bot_data.pop(FAILED_KEY, None)
                await application.process_update(update)
                if application.bot_data.get(FAILED_KEY) != update.update_id:
                    break
                log.error("update %s failed to process; retrying in %.1fs", update.update_id, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                if stop.is_set():
                    return
            backoff = 0.5
            offset = update.update_id + 1
        if updates:
            await _head_start()


async def _head_start() -> None:
    for _ in range(HEAD_START_TURNS):
        await asyncio.sleep(0)
