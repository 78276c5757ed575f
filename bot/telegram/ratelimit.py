"""Keeping under Telegram's limits before it has to tell us (429).

Sliding windows, per the Bot API FAQ: about 30 messages a second in all, about one a second in a
private chat, 20 a minute in a group. A window is asked how long until it has room, so the sender
can serve other chats meanwhile instead of sleeping on one.

Telegram counts a message when it arrives; we cannot see arrivals, only when a call left and when
its answer came back, and the arrival lies between. So a call holds its place in a window from
the moment it is allowed until one period after its answer: whatever Telegram counted in the
period before a new call arrives was then either still in flight or answered within the period,
and both are counted here. That is safe at the published figure itself, with no margin, and costs
only a round trip per period (about 29.5 a second instead of 30 at a 15 ms round trip).
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


# When every place is held by a call still in flight: ask again soon (its answer also wakes the sender).
IN_FLIGHT_WAIT = 0.005


class Window:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.in_flight = 0
        self.answered: deque[float] = deque()  # when answers came back, oldest first

    def wait(self, now: float) -> float:
        while self.answered and self.answered[0] <= now - self.period:
            self.answered.popleft()
        if self.in_flight + len(self.answered) < self.limit:
            return 0.0
        if not self.answered:
            return IN_FLIGHT_WAIT
        # Never 0 when full: in floating point `a + period - now` can round to 0 although
        # `a <= now - period` was false a line above, and 0 means "go".
        return max(1e-6, self.answered[0] + self.period - now)

    def take(self) -> None:
        self.in_flight += 1

    def release(self, now: float) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.answered.append(now)

    def cancel(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)


class RateLimiter:
    def __init__(self, limits: Limits | None = None, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self._monotonic = monotonic
        self._global = Window(self.limits.global_per_second, 1.0)
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
        """0 and the call is counted (call `release` when its answer is back); otherwise the
        seconds to wait before asking again."""
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
        self._global.take()
        chat.take()
        return 0.0

    def release(self, chat_id: int, method: str) -> None:
        """The answer to a call `try_acquire` allowed is back (or the call failed, or never left)."""
        if method in UNCOUNTED:
            return
        now = self._monotonic()
        self._global.release(now)
        self._chat_window(chat_id).release(now)

    def cancel(self, chat_id: int, method: str) -> None:
        """A call `try_acquire` allowed never left (its row was not ready: it waits for what it
        depends on): its place is given back without counting, so the chat's window is not spent on
        nothing (a private chat would wait a second for a message never sent)."""
        if method in UNCOUNTED:
            return
        self._global.cancel()
        self._chat_window(chat_id).cancel()

    def penalise(self, chat_id: int | None, retry_after: float) -> None:
        """Telegram said 429: hold that chat (or everything, for None) for as long as it asked."""
        until = self._monotonic() + retry_after
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)


def seconds_of(retry_after: int | float | timedelta) -> float:
    """python-telegram-bot gives retry_after as seconds or as a timedelta, by version and setting."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
