"""`consult run --sandbox` as a person runs it: in a data folder of its own, never a deployment's,
and a restart goes on where it stopped — the first message is answered, and a consultation opened
before the restart closes after it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.datafolder import MARKER
from bot.sandbox.client import SandboxClient, eventually

pytestmark = pytest.mark.slow
COORD, MOIT = 1001, 2001


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SandboxRun:
    """`consult run --sandbox` in its own process, stopped as Ctrl-C would."""

    def __init__(self, data: Path, port: int, logs: Path) -> None:
        self.data, self.port, self.logs = data, port, logs
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.starts += 1
        log = self.logs / f"run-{self.starts}.log"
        self.process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited for below
            [sys.executable, "-m", "bot", "run", "--sandbox", "--port", str(self.port)],
            stdout=log.open("wb"), stderr=subprocess.STDOUT, env={**os.environ, "CONSULT_DATA_DIR": str(self.data)})
        began = time.monotonic()
        while "running; group" not in log.read_text(errors="replace"):
            assert self.process.poll() is None and time.monotonic() - began < 120, log.read_text(errors="replace")
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def run(tmp_path: Path) -> Iterator[SandboxRun]:
    running = SandboxRun(tmp_path / "data", free_port(), tmp_path)
    yield running
    running.stop()


async def bot_text(client: SandboxClient, chat: int, contains: str, after: int = 0) -> dict[str, Any]:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat) if contains in (m.get("text") or "")
                 and m["message_id"] > after]
        return found[-1] if found else None
    result: dict[str, Any] = await eventually(probe, within=30, what=f"{contains!r} in chat {chat}")
    return result


async def test_a_restarted_sandbox_answers_the_first_message_and_closes_what_was_opened(run: SandboxRun) -> None:
    await run.start()
    assert (run.data / "sandbox" / MARKER).is_file()
    assert not (run.data / "consult.db").exists()  # the data folder itself is left alone
    async with SandboxClient(run.base_url) as client:
        await client.send_message(COORD, text="/urgent 2h aec: Lập trường về dự thảo")
        await bot_text(client, COORD, "Đã mở #1")
        invitation = await bot_text(client, MOIT, "#1")
        await client.press_button(MOIT, MOIT, invitation["message_id"], "a:1:object")
        await bot_text(client, MOIT, "Phản đối")
    run.stop()

    await run.start()
    async with SandboxClient(run.base_url) as client:
        before = max(m["message_id"] for m in await client.messages(COORD))
        await client.send_message(COORD, text="/whoami")
        await bot_text(client, COORD, "Nguyễn Văn An", after=before)  # the very first message is answered
        await client.send_message(COORD, text="/close 1 Trình phương án")
        await bot_text(client, COORD, "Kết quả tham vấn #1")
        group = next(c["id"] for c in await client.chats() if c["type"] == "supergroup")

        async def closed() -> bool:
            return all(t["closed"] for t in await client.topics(group))
        await eventually(closed, within=30, what="the topic to close")
        report = await bot_text(client, COORD, "Kết quả tham vấn #1")
        assert "Phản đối:\n  • Trần Thị Bình (Bộ Công Thương)" in report["text"]  # answered before the restart
        failed = [c for c in await client.log() if c["error"] is not None]
        assert failed == [], failed


def test_the_sandbox_never_runs_on_a_deployment_nor_the_bot_on_a_sandbox(settings: Settings) -> None:
    import bot.commands  # noqa: F401 - registers the commands

    cli = CliRunner()
    refused = cli.invoke(app, ["run", "--sandbox", "--data-dir", str(settings.data_dir)])  # holds keys: a deployment
    assert refused.exit_code == 2 and "holds a deployment's data" in refused.output
    sandbox_dir = settings.data_dir.parent / "drill"
    sandbox_dir.mkdir()
    (sandbox_dir / MARKER).write_text("a drill\n")
    telegram = cli.invoke(app, ["run", "--data-dir", str(sandbox_dir)], env={"CONSULT_TELEGRAM_TOKEN": "123:abc"})
    assert telegram.exit_code == 2 and "is a sandbox's data folder" in telegram.output
