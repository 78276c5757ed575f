"""The guard's worker processes and the per-chat file lane: same verdicts as in process, a worker
that overruns or dies is replaced and its file blocked, one chat's files judged in order."""

from __future__ import annotations

import asyncio
import io
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.guard.engine import Guard
from bot.guard.policy import ImageLimits
from bot.guard.workers import GuardPool
from bot.services.kernel.file_checks import FileChecks

KEY = b"test-term-key-0123456789abcdef!!"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.slow
async def test_the_pool_judges_as_the_guard_and_replaces_a_worker_that_overruns_or_dies(guard: Guard) -> None:
    pool = GuardPool(guard.policy, KEY, workers=1)
    try:
        verdict = await pool.judge_file("ghi-chu.txt", "TỐI MẬT\nnội dung".encode())
        expected = guard.scan_document("ghi-chu.txt", "TỐI MẬT\nnội dung".encode())
        assert (verdict.action, verdict.level, verdict.rule) == (expected.action, expected.level, expected.rule)
        assert (await pool.judge_file("ghi-chu.txt", "Kính gửi".encode())).action.value == "allow"
        first = pool._workers[0].process.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)  # a crash in a decoder: fail closed, then carry on
        died = await pool.judge_file("ghi-chu.txt", b"hello")
        assert died.action.value == "block" and died.rule == "guard-error"
        assert (await pool.judge_file("ghi-chu.txt", b"hello")).action.value == "allow"
        assert pool._workers[0].process.pid != first
    finally:
        await pool.close()
    hurried = GuardPool(guard.policy.model_copy(update={"image_limits": ImageLimits(seconds_per_file=0.01)}), KEY,
                        workers=1, grace_seconds=0.0)
    try:
        overran = await hurried.judge_file("photo.png", png())
        assert overran.action.value == "block" and overran.rule == "guard-timeout"
        assert overran.reason_key == "guard.reason.too_slow"
        assert not any(worker.process.is_alive() for worker in hurried._workers[:-1])
    finally:
        await hurried.close()


class Recorder:
    def __init__(self) -> None:
        self.order: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}

    async def judge_file(self, file_name: str, content: bytes, mime_type: str | None = None) -> Any:
        self.order.append(f"start {file_name}")
        await self.gates.setdefault(file_name, asyncio.Event()).wait()
        self.order.append(f"end {file_name}")
        return file_name


async def test_one_chat_waits_its_turn_other_chats_do_not_and_a_slow_file_gets_a_note() -> None:
    judge = Recorder()
    checks = FileChecks(judge, note_after=0.05)
    shown: list[str] = []

    async def note() -> Any:
        shown.append("shown")

        async def remove() -> None:
            shown.append("removed")
        return remove

    first = asyncio.create_task(checks.verdict(None, 1, "a", b"", None, on_slow=note))
    second = asyncio.create_task(checks.verdict(None, 1, "b", b"", None))
    other = asyncio.create_task(checks.verdict(None, 2, "c", b"", None))
    await asyncio.sleep(0.1)
    assert judge.order == ["start a", "start c"]  # b waits for a; c (another chat) does not
    assert shown == ["shown"]
    judge.gates["a"].set()
    assert await first == "a" and shown == ["shown", "removed"]
    judge.gates["b"].set()
    judge.gates["c"].set()
    assert await second == "b" and await other == "c"
    quick = FileChecks(judge, note_after=5)
    judge.gates["d"] = asyncio.Event()
    judge.gates["d"].set()
    assert await quick.verdict(None, 3, "d", b"", None, on_slow=note) == "d" and shown == ["shown", "removed"]
    assert not checks._lanes and not quick._lanes  # lanes of idle chats are forgotten


def test_guard_pool_needs_no_process_until_used(tmp_path: Path, guard: Guard) -> None:
    pool = GuardPool(guard.policy, KEY)
    assert pool._workers == [] and pool.size >= 1
