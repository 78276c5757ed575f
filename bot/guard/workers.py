"""Files judged in worker processes, so that reading a scan never holds the event loop.

`await pool.judge_file(name, content, mime)` gives the same verdict as `Guard.scan_document`,
computed in one of a few processes (one per core by default), each with its own guard and its own
Tesseract. Each worker runs one file at a time; a worker that overruns the policy's time limit
(plus a grace) is killed and replaced, and the file is blocked (fail closed); so is a file whose
worker died. Workers start on first use (or `prewarm()`) from a fork server that has already
imported the guard, so a replacement is ready in a fraction of a second; they run at a lower
priority than the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from bot.guard.policy import GuardPolicy
from bot.guard.verdict import GuardAction, Verdict

log = logging.getLogger(__name__)

GRACE_SECONDS = 10.0  # beyond the policy's own limit: start-up of a fresh worker, decoding, the pipe
WORKER_NICENESS = 5
MAX_WORKERS = 4


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def _serve(connection: Connection, policy: GuardPolicy, term_key: bytes | None) -> None:
    """A worker: build a guard, then judge files until the pipe closes."""
    from bot.guard.engine import Guard

    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    guard = Guard(policy, term_key)
    while True:
        try:
            file_name, content, mime_type = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(guard.scan_document(file_name, content, mime_type))


class _Worker:
    def __init__(self, context: Any, policy: GuardPolicy, term_key: bytes | None) -> None:
        ours, theirs = context.Pipe()
        self.connection: Connection = ours
        self.process = context.Process(target=_serve, args=(theirs, policy, term_key), daemon=True,
                                       name="guard-worker")
        self.process.start()
        theirs.close()

    def judge(self, job: tuple[str, bytes, str | None], seconds: float) -> Verdict | str:
        """Blocking (run in a thread): the verdict, or "overran" or "died"."""
        try:
            self.connection.send(job)
            if not self.connection.poll(seconds):
                return "overran"
            verdict: Verdict = self.connection.recv()
            return verdict
        except (EOFError, OSError):
            return "died"

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class GuardPool:
    def __init__(self, policy: GuardPolicy, term_key: bytes | None, workers: int | None = None,
                 grace_seconds: float = GRACE_SECONDS) -> None:
        self.policy = policy
        self.grace_seconds = grace_seconds
        self.term_key = term_key
        self.size = workers or default_workers()
        self._context: Any = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["bot.guard.warm"])
        self._threads = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="guard-pool")
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._workers: list[_Worker] = []
        self.judged = 0

    def _queue(self) -> asyncio.Queue[_Worker | None]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.size):
                self._idle.put_nowait(None)  # a place for a worker, started when first needed
        return self._idle

    async def prewarm(self) -> None:
        """Start every worker now (the bot's start), rather than with the first file."""
        loop = asyncio.get_running_loop()
        queue = self._queue()
        places = [queue.get_nowait() for _ in range(queue.qsize())]
        started = await asyncio.gather(*(loop.run_in_executor(self._threads, self._start) if place is None
                                         else asyncio.sleep(0, place) for place in places))
        for worker in started:
            queue.put_nowait(worker)

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.policy, self.term_key)
        self._workers.append(worker)
        return worker

    async def judge_file(self, file_name: str, content: bytes, mime_type: str | None = None) -> Verdict:
        loop = asyncio.get_running_loop()
        queue = self._queue()
        worker = await queue.get()
        seconds = self.policy.image_limits.seconds_per_file + self.grace_seconds
        started = time.monotonic()
        try:
            if worker is None:
                worker = await loop.run_in_executor(self._threads, self._start)
            verdict = await loop.run_in_executor(self._threads, worker.judge, (file_name, content, mime_type),
                                                 seconds)
            if isinstance(verdict, str):
                log.warning("a guard worker %s after %.1f s; replaced, the file blocked", verdict,
                            time.monotonic() - started)
                await loop.run_in_executor(self._threads, self._retire, worker)
                worker = None
                return self._failed(overran=verdict == "overran")
            self.judged += 1
            return verdict
        except BaseException:
            if worker is not None:  # cancelled or broken midway: the worker's state is unknown
                await asyncio.shield(loop.run_in_executor(self._threads, self._retire, worker))
                worker = None
            raise
        finally:
            queue.put_nowait(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with contextlib.suppress(ValueError):
            self._workers.remove(worker)

    def _failed(self, overran: bool) -> Verdict:
        if overran:
            limit = self.policy.image_limits.seconds_per_file
            return Verdict(GuardAction.BLOCK, None, None, (), "guard-timeout", self.policy.policy_hash,
                           reason=f"the file could not be checked within {limit:g} s; send a smaller file or its text",
                           reason_key="guard.reason.too_slow")
        return Verdict(GuardAction.BLOCK, None, None, (), "guard-error", self.policy.policy_hash,
                       reason="the file could not be checked; send it again, or send its text",
                       reason_key="guard.reason.unreadable_file")

    async def close(self) -> None:
        workers, self._workers = list(self._workers), []
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._threads, w.stop) for w in workers))
        self._threads.shutdown(wait=False)
