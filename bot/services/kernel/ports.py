"""The ports: what a use case needs of the world beyond its unit of work, each as a small Protocol.

The composition root (bot/composition.py, and bot/runtime/ for the running bot) chooses what
stands behind each port, once, before the context is built. Where nothing runs behind one (the CLI,
unit tests) a stand-in below takes its place and does the same work another way, so use cases
never ask whether a part is there."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from bot.domain.outbox import MessageKind, Outgoing, Policy
from bot.guard.policy import ImageLimits
from bot.guard.verdict import Verdict
from bot.services.kernel.file_checks import SlowNote


class GuardPort(Protocol):
    """What the application needs of the secrets guard (bot/guard): its verdicts, typed, and the
    two settings of its policy the use cases show (the redaction placeholder, the image limits)."""

    def scan_text(self, text: str) -> Verdict: ...

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Verdict: ...

    @property
    def placeholder(self) -> str: ...

    @property
    def image_limits(self) -> ImageLimits: ...


class FileChecksPort(Protocol):
    """A file's verdict away from the event loop (bot/services/kernel/file_checks.py: in the
    guard's worker processes, in each chat's turn); `guard` is the one to judge with when the file
    is judged in this process."""

    async def verdict(self, guard: GuardPort, chat_id: int, file_name: str, content: bytes,
                      mime_type: str | None, on_slow: SlowNote | None = None) -> Verdict: ...


class StepArming(Protocol):
    """Arms a consultation's committed deadline steps in the scheduler."""

    def arm(self, consultation_id: int) -> None: ...


class PressQueue(Protocol):
    """What answering a press may use of the unit of work it is answered in."""

    after_commit: list[Callable[[], object]]

    async def send(self, message: Outgoing, policy: Policy = ...) -> bool: ...


class PressAnswers(Protocol):
    """Stops a pressed button's spinner: with a direct call once the unit of work has committed
    where a bot is connected, else through the outbox like any message."""

    async def answer(self, via: PressQueue, user_id: int, params: Mapping[str, Any]) -> None: ...


class OnAThread:
    """No worker pool: files are judged on a thread of this process (the CLI, tests)."""

    async def verdict(self, guard: GuardPort, chat_id: int, file_name: str, content: bytes,
                      mime_type: str | None, on_slow: SlowNote | None = None) -> Verdict:
        return await asyncio.to_thread(guard.scan_document, file_name, content, mime_type)


class NoScheduler:
    """No scheduler runs (the CLI, unit tests): the steps wait in the database for the next start,
    which arms every pending one."""

    def arm(self, consultation_id: int) -> None:
        return None


class AnswersInOutbox:
    """No bot is connected: a press's answer is queued in the outbox."""

    async def answer(self, via: PressQueue, user_id: int, params: Mapping[str, Any]) -> None:
        await queue_answer(via, user_id, params)


async def queue_answer(via: PressQueue, user_id: int, params: Mapping[str, Any]) -> None:
    await via.send(Outgoing(MessageKind.CALLBACK_ANSWER, (str(params["callback_query_id"]),), user_id,
                            "answerCallbackQuery", dict(params)))


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
