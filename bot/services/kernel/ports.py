"""The ports: what a use case needs of the world beyond its unit of work, each as a small Protocol.

The composition root (bot/composition.py, and bot/runtime.py for the running bot) chooses what
stands behind each port, once, before the context is built. Where nothing runs behind one (the CLI,
unit tests) a stand-in below takes its place, so use cases never ask whether a part is there."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

from bot.services.kernel.file_checks import SlowNote


class GuardPort(Protocol):
    """What the application needs of the secrets guard (bot/guard)."""

    def scan_text(self, text: str) -> Any: ...

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Any: ...


class FileChecksPort(Protocol):
    """Files judged away from the event loop, one at a time per chat (bot/services/kernel/file_checks.py)."""

    @property
    def pooled(self) -> bool:
        """False: nothing runs the checks, and a file is judged on a thread of this process."""
        ...

    async def verdict(self, chat_id: int, file_name: str, content: bytes, mime_type: str | None,
                      on_slow: SlowNote | None = None) -> Any: ...


class StepArming(Protocol):
    """Arms a consultation's committed deadline steps in the scheduler."""

    def arm(self, consultation_id: int) -> None: ...


class PressAnswers(Protocol):
    """Stops a pressed button's spinner with a direct call, where a bot is connected."""

    @property
    def live(self) -> bool:
        """False: no bot to call, so the answer waits in the outbox like any message."""
        ...

    def answer(self, params: Mapping[str, Any]) -> None: ...


class OnAThread:
    """No worker pool: files are judged on a thread of this process (the CLI, tests)."""

    pooled = False

    async def verdict(self, chat_id: int, file_name: str, content: bytes, mime_type: str | None,
                      on_slow: SlowNote | None = None) -> Any:
        raise RuntimeError("no pool judges files here; judge them on a thread")


class NoScheduler:
    """No scheduler runs (the CLI, unit tests): the steps wait in the database for the next start,
    which arms every pending one."""

    def arm(self, consultation_id: int) -> None:
        return None


class AnswersInOutbox:
    """No bot is connected: a press's answer is queued in the outbox."""

    live = False

    def answer(self, params: Mapping[str, Any]) -> None:
        raise RuntimeError("no bot to answer a press directly; queue the answer in the outbox")


class Doorbell:
    """Rung after a commit that queued messages, so the sender need not wait for its next poll."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    @property
    def rung(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> None:
        await self._event.wait()


ON_A_THREAD = OnAThread()
NO_SCHEDULER = NoScheduler()
ANSWERS_IN_OUTBOX = AnswersInOutbox()
