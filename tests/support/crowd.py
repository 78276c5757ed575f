"""A roster of many focal points, and the bot in a process of its own that can be killed for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bot.datafolder import MARKER
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer, SeedPerson

COORD = 1001
FIRST = 20001


def write_roster(path: Path, count: int) -> list[int]:
    ids = list(range(FIRST, FIRST + count))
    lines = ["agencies:", "  - {key: mofa, name: Bộ Ngoại giao}", "  - {key: nsv, name: Ban Thư ký}", "people:",
             "  - {key: coord-1, name: Điều phối viên, agency: mofa, roles: [coordinator], telegram_user_id: 1001}"]
    lines += [f"  - {{key: p{i}, name: Đầu mối {i}, agency: nsv, roles: [secretariat], telegram_user_id: {i}}}"
              for i in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def seed(server: SandboxServer, ids: list[int]) -> int:
    return server.seed_roster([SeedPerson(COORD, "Điều phối viên"), *(SeedPerson(i, f"Đầu mối {i}") for i in ids)])


async def invitations(client: SandboxClient, consultation: int = 1) -> Counter[int]:
    """How many times each chat was sent the invitation successfully."""
    return Counter(c["params"]["chat_id"] for c in await client.log()
                   if c["method"] == "sendMessage" and c["error"] is None
                   and f"Tham vấn khẩn #{consultation}" in c["params"].get("text", ""))


class BotProcess:
    """The bot in its own process, as in production, so it can be killed for real."""

    def __init__(self, sandbox: SandboxServer, roster: Path, group: int, tmp: Path, data_dir: Path) -> None:
        (data_dir / MARKER).write_text("a test's drill\n")  # the bot runs against a sandbox on this folder
        self.args = [sys.executable, "-m", "bot", "run", "--api-url", sandbox.api_url,
                     "--group-chat-id", str(group), "--roster", str(roster), "--data-dir", str(data_dir)]
        self.tmp = tmp
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.tmp / f"bot-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def running(client: SandboxClient, starts: int) -> bool:
    return sum(1 for c in await client.log() if c["method"] == "setMyCommands") >= starts * 2
