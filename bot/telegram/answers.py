"""A press's answer (`answerCallbackQuery`) as a direct call: the PressAnswers port of the running bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot.services.kernel.ports import PressQueue, queue_answer
from bot.telegram.ratelimit import seconds_of

log = logging.getLogger(__name__)


class DirectAnswers:
    """A press's answer as a direct call to the connected bot, right after the commit
    (bot/services/kernel/uow.py says why); once the bot stops, answers wait in the outbox again."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._stopped = False
        self._calls: set[asyncio.Task[None]] = set()

    def stop(self) -> None:
        """The bot is stopping: answers from now on wait in the outbox for the next run."""
        self._stopped = True

    async def answer(self, via: PressQueue, user_id: int, params: Mapping[str, Any]) -> None:
        if self._stopped:
            await queue_answer(via, user_id, params)
        else:
            via.after_commit.append(lambda: self._call(params))

    def _call(self, params: Mapping[str, Any]) -> None:
        task = asyncio.create_task(self._send(dict(params)))
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)

    async def _send(self, params: dict[str, Any]) -> None:
        for attempt in range(3):
            try:
                await self.bot.do_api_request("answerCallbackQuery", api_kwargs=params)
                return
            except RetryAfter as exc:
                await asyncio.sleep(min(seconds_of(exc.retry_after), 5.0))
            except (TimedOut, NetworkError):
                await asyncio.sleep(0.2 * (attempt + 1))
            except TelegramError as exc:  # too old, already answered: nothing left to do
                log.info("callback answer refused: %s", exc.message)
                return
