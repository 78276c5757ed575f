"""Telegram's flood limits as the sandbox enforces them, and injected faults."""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass, replace

COUNTED = frozenset({"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup",
                     "copyMessage", "forwardMessage", "sendMediaGroup"})


@dataclass
class FloodLimits:
    """Defaults from Telegram's FAQ: 30 messages a second in all, about 1 a second in a private chat
    (a short burst of 3 tolerated), 20 a minute in a group."""

    global_per_second: int = 30
    private_burst: int = 3
    private_per_second: float = 1.0
    group_per_minute: int = 20


class FloodControl:
    def __init__(self, limits: FloodLimits | None = None) -> None:
        self.limits = limits or FloodLimits()
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)

    def check(self, method: str, chat_id: int | None) -> int | None:
        """None if the call may go, else the retry_after seconds Telegram would answer with."""
        if method not in COUNTED or chat_id is None:
            return None
        now = time.monotonic()
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        if len(self._global) >= self.limits.global_per_second:
            return 1
        if chat_id < 0:
            window = self._groups.setdefault(chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= self.limits.group_per_minute:
                return max(1, int(window[0] + 60.0 - now) + 1)
            window.append(now)
        else:
            tokens, at = self._private.get(chat_id, (float(self.limits.private_burst), now))
            tokens = min(float(self.limits.private_burst), tokens + (now - at) * self.limits.private_per_second)
            if tokens < 1.0:
                self._private[chat_id] = (tokens, now)
                return max(1, int((1.0 - tokens) / self.limits.private_per_second + 0.999))
            self._private[chat_id] = (tokens - 1.0, now)
        self._global.append(now)
        return None


@dataclass
class Fault:
    status: int | str  # 429, 500, "drop", or "mixed" (one of the three, at random, each time)
    count: int
    method: str | None = None
    retry_after: int = 1
    rate: float = 1.0  # the share of matching calls it hits; below 1, at random (seeded)

    def applies_to(self, method: str) -> bool:
        if self.method is not None:
            return self.method == method
        return method != "getUpdates"  # a fault without a method spares polling, so tests stay deterministic


class Faults:
    def __init__(self, seed: int = 47) -> None:
        self.pending: list[Fault] = []
        self._random = random.Random(seed)  # seeded: a failing run can be replayed

    def add(self, fault: Fault) -> None:
        self.pending.append(fault)

    def take(self, method: str) -> Fault | None:
        for fault in self.pending:
            if fault.count > 0 and fault.applies_to(method):
                if fault.rate < 1.0 and self._random.random() >= fault.rate:
                    continue
                fault.count -= 1
                if fault.count == 0:
                    self.pending.remove(fault)
                if fault.status == "mixed":
                    kinds: list[int | str] = [429, 500, "drop"]
                    return replace(fault, status=self._random.choice(kinds))
                return fault
        return None
