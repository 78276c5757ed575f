"""The ports' stand-ins do the work another way instead of raising, so no use case asks whether a
part is there (#27 item 4): files are judged on a thread with the guard given, a press's answer is
queued in the outbox, and the guard's verdict reaches the use cases typed."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.domain.outbox import Outgoing, Policy
from bot.guard.verdict import GuardAction, Verdict
from bot.services.kernel.ports import ANSWERS_IN_OUTBOX, ON_A_THREAD
from tests.support import KeywordGuard


def test_a_file_is_judged_on_a_thread_by_the_guard_given() -> None:
    judged = asyncio.run(ON_A_THREAD.verdict(KeywordGuard(), 1, "a.txt", b"x", None))
    assert isinstance(judged, Verdict) and judged.action is GuardAction.BLOCK


def test_without_a_bot_a_press_is_answered_through_the_outbox() -> None:
    class Queue:
        def __init__(self) -> None:
            self.after_commit: list[Any] = []
            self.sent: list[Outgoing] = []

        async def send(self, message: Outgoing, policy: Policy = Policy.KEEP) -> bool:
            self.sent.append(message)
            return True

    queue = Queue()
    asyncio.run(ANSWERS_IN_OUTBOX.answer(queue, 42, {"callback_query_id": "q1", "text": "Đã ghi nhận"}))
    said = [(m.method, m.chat_id, m.payload["text"]) for m in queue.sent]
    assert said == [("answerCallbackQuery", 42, "Đã ghi nhận")]
    assert queue.after_commit == []
