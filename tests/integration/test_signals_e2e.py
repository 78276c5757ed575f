"""A stop asked for while the bot starts is honoured (issue 23 §5): SIGTERM while the start keeps
the loop busy — its self-pipe full of other threads' wake-ups, as when 2,000 deadline steps are
re-armed and fired — ends the bot once it is up, rather than being lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from typing import Any

import pytest

from bot.commands.run_commands import _serve_until_signal
from bot.runtime import BotRunner
from bot.sandbox.server import SandboxServer
from bot.scheduling.engine import DeadlineEngine
from bot.services.kernel.context import AppContext
from bot.telegram.endpoint import Endpoint
from tests.support.e2e import TOKEN

pytestmark = pytest.mark.slow


def fill_self_pipe(loop: asyncio.AbstractEventLoop) -> None:
    """What thousands of `call_soon_threadsafe` from aiosqlite's thread do to a busy loop."""
    pipe: socket.socket | None = getattr(loop, "_csock", None)  # the selector loop's self-pipe
    if pipe is None:
        pytest.skip("this event loop has no self-pipe to fill")
    try:
        while True:
            pipe.send(b"\0" * 4096)
    except BlockingIOError:
        pass


async def test_sigterm_while_the_start_keeps_the_loop_busy_stops_the_bot(
        app_context: AppContext, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    rearm = DeadlineEngine.rearm_all
    loop = asyncio.get_running_loop()

    async def rearm_and_be_told_to_stop(self: DeadlineEngine) -> Any:
        fill_self_pipe(loop)
        os.kill(os.getpid(), signal.SIGTERM)  # as systemd does in the middle of the start
        return await rearm(self)

    monkeypatch.setattr(DeadlineEngine, "rearm_all", rearm_and_be_told_to_stop)
    before = signal.getsignal(signal.SIGTERM)
    runner = BotRunner(app_context, Endpoint.for_api_url(TOKEN, sandbox.api_url))
    await asyncio.wait_for(_serve_until_signal(runner), 20)
    assert runner.stop_event.is_set()
    assert signal.getsignal(signal.SIGTERM) == before  # the handlers are given back
