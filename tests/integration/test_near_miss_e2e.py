"""Errors that say what is wrong and who may (issue 26, item 6), through the sandbox against the
real bot (a typo's answer is tested in test_language_e2e.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually

pytestmark = pytest.mark.slow

COORD, MOIT = 1001, 2001


async def _answer(client: SandboxClient, chat: int, user: int, text: str, contains: str) -> str:
    before = max((m["message_id"] for m in await client.messages(chat)), default=0)
    await client.send_message(user, None if chat == user else chat, text)

    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat)
                 if contains in (m.get("text") or "") and m["message_id"] > before]
        return found[-1]["text"] if found else None
    answer: str = await eventually(probe, within=20, what=f"{contains!r} in chat {chat}")
    return answer


async def test_a_refusal_says_who_may_use_the_command(bot: BotRunner, client: SandboxClient) -> None:
    answer = await _answer(client, MOIT, MOIT, "/urgent 1h aec: X", "/urgent")
    assert answer.endswith(" Lệnh /urgent dành cho: Điều phối viên — Nguyễn Văn An.")
    answer = await _answer(client, MOIT, MOIT, "/export 1", "/export")
    assert "Lệnh /export dành cho: Kiểm tra, giám sát (xuất biên bản)" in answer


async def test_each_missing_part_of_urgent_gets_its_own_answer(bot: BotRunner, client: SandboxClient) -> None:
    """An empty title, a missing deadline and an unknown unit each say what to type (issue 26, item 6)."""
    assert await _answer(client, COORD, COORD, "/urgent 2 giờ aec:", "Thiếu") == (
        "Thiếu tiêu đề: anh/chị gõ tiêu đề sau dấu hai chấm, ví dụ: "
        "/urgent 2 giờ aec: Lập trường về dự thảo tuyên bố")
    assert (await _answer(client, COORD, COORD, "/urgent aec: Lập trường", "Thiếu")).startswith(
        "Thiếu thời hạn: anh/chị gõ thời hạn trước phạm vi, ví dụ: /urgent 2 giờ aec: <tiêu đề>")
    assert (await _answer(client, COORD, COORD, "/urgent 2 tuần aec: Lập trường", "«2 tuần»")).startswith(
        "Không hiểu thời hạn «2 tuần».")


async def test_remind_says_whom_it_nudged(bot: BotRunner, client: SandboxClient) -> None:
    """/remind names those it reminded, not only how many (issue 26, item 5)."""
    await _answer(client, COORD, COORD, "/urgent 2 giờ aec: Lập trường", "Đã mở #1")
    answer = await _answer(client, COORD, COORD, "/remind 1", "Đã nhắc")
    assert answer == "Đã nhắc 2 người chưa trả lời #1.\nĐã nhắc: Trần Thị Bình, Lý Thành Nam."
