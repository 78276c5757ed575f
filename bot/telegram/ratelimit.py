"""Keeping under Telegram's limits before it has to tell us (429).

Sliding windows, per the Bot API FAQ: about 30 messages a second in all, about one a second in a
private chat, 20 a minute in a group. A window is asked how long until it has room, so the sender
can serve other chats meanwhile instead of sleeping on one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

# Calls that are not messages (answers to button presses, lookups) are not counted by Telegram.
UNCOUNTED = frozenset({"answerCallbackQuery", "getChatMember", "getMe", "getFile", "setMyCommands",
                       "approveChatJoinRequest", "declineChatJoinRequest", "createChatInviteLink",
                       "deleteMessage"})


@dataclass(frozen=True)
class Limits:
    global_per_second: int = 30
    private_per_second: int = 1
    group_per_minute: int = 20


class Window:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.stamps: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.stamps and self.stamps[0] <= now - self.period:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.period - now

    def take(self, now: float) -> None:
        self.stamps.append(now)


class RateLimiter:
    def __init__(self, limits: Limits | None = None, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self._monotonic = monotonic
        # A little under the published figure: Telegram counts arrivals, we count departures, and
        # with several sends in flight the two windows differ by the spread of round trips.
        self._global = Window(max(1, self.limits.global_per_second - 2), 1.0)
        self._chats: dict[int, Window] = {}
        self._paused_until: dict[int | None, float] = {}

    def _chat_window(self, chat_id: int) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            if chat_id > 0:
                window = Window(self.limits.private_per_second, 1.0)
            else:
                window = Window(self.limits.group_per_minute, 60.0)
            self._chats[chat_id] = window
        return window

    def try_acquire(self, chat_id: int, method: str) -> float:
        """0 and the call is counted; otherwise the seconds to wait before asking again."""
        now = self._monotonic()
        paused = max(self._paused_until.get(None, 0.0), self._paused_until.get(chat_id, 0.0)) - now
        if paused > 0:
            return paused
        if method in UNCOUNTED:
            return 0.0
        chat = self._chat_window(chat_id)
        wait = max(self._global.wait(now), chat.wait(now))
        if wait > 0:
            return wait
        self._global.take(now)
        chat.take(now)
        return 0.0

    def penalise(self, chat_id: int | None, retry_after: float) -> None:
        """Telegram said 429: hold that chat (or everything, for None) for as long as it asked."""
        until = self._monotonic() + retry_after
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)


def seconds_of(retry_after: int | float | timedelta) -> float:
    """python-telegram-bot gives retry_after as seconds or as a timedelta, by version and setting."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
