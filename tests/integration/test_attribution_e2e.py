"""An alternate's answer is shown under the alternate's name, for whom, on the card, in the report,
in the coordinator's notice and in the transcript's readable copies (issue 16, item 2). The bot
runs on a clock 20 times faster, so the deadline and the escalation come in seconds."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ScaledClock
from bot.config import Settings
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.reports.exporting import export_bundle
from tests.support.e2e import running_bot
from tests.support.paths import EXAMPLE_ROSTER

pytestmark = pytest.mark.slow

COORD, MOHA, MOHA_ALT, NSV = 1001, 3001, 3002, 6001
SPEED = 20.0
ATTRIBUTED = "Ngô Thị Mai (thay Hoàng Văn Dũng, Bộ Nội vụ)"
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture
async def fast_bot(settings: Settings, sandbox: SandboxServer) -> AsyncIterator[BotRunner]:
    async with running_bot(settings, sandbox, EXAMPLE_ROSTER, clock=ScaledClock(SPEED)) as runner:
        yield runner


async def bot_message(client: SandboxClient, chat: int, contains: str, thread: int | None = None,
                      within: float = 30.0) -> dict[str, Any]:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat, thread) if contains in (m.get("text") or "")]
        return found[-1] if found else None
    found: dict[str, Any] = await eventually(probe, within=within, what=f"{contains!r} in chat {chat}")
    return found


async def test_the_alternate_who_answered_is_named_for_whom_everywhere(
        fast_bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, tmp_path: Path) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    await client.send_message(COORD, text="/urgent 2m ascc: Chương trình hợp tác văn hóa")
    nsv = await bot_message(client, NSV, "Tham vấn khẩn #1")
    await client.press_button(NSV, NSV, nsv["message_id"], "a:1:agree")
    await bot_message(client, MOHA, "Tham vấn khẩn #1")  # Hoàng Văn Dũng stays silent

    escalated = await bot_message(client, MOHA_ALT, "#1", within=60)  # at the deadline, to his alternate
    await client.press_button(MOHA_ALT, MOHA_ALT, escalated["message_id"], "a:1:object")

    notice = await bot_message(client, COORD, "có ý kiến phản đối")
    assert notice["text"].endswith(f"\n{ATTRIBUTED}: Phản đối (trễ hạn)")
    thread = (await client.topics(group))[0]["message_thread_id"]

    async def card_attributes() -> Any:
        cards = [m for m in await client.bot_messages(group, thread) if (m.get("text") or "").startswith("📋")]
        return cards and f"✔ {ATTRIBUTED}: Phản đối (trễ hạn)" in cards[0]["text"] and cards[0]
    card = await eventually(card_attributes, within=30, what="the card to name the alternate")
    assert "Hoàng Văn Dũng (Bộ Nội vụ): Phản đối" not in card["text"]

    await client.send_message(COORD, text="/close 1")
    report = await bot_message(client, group, "Kết quả tham vấn #1", thread)
    assert f"  • {ATTRIBUTED}: Phản đối (trễ hạn)" in report["text"]
    assert f"Phản đối:\n  • {ATTRIBUTED}" in report["text"]

    summary = await export_bundle(fast_bot.ctx, 1, tmp_path / "bundle", "auditor-1")
    assert summary is not None
    page = (tmp_path / "bundle" / "transcript.html").read_text()
    assert page.count(ATTRIBUTED) >= 3  # the participants table, the event, the outcome report
    if PDFTOTEXT is not None:
        result = await asyncio.to_thread(subprocess.run, [PDFTOTEXT, "-layout", str(tmp_path / "bundle" /
                                                                                  "transcript.pdf"), "-"],
                                         capture_output=True, text=True, check=True)
        assert " ".join(ATTRIBUTED.split()) in " ".join(result.stdout.split())
