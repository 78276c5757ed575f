"""One-tap coordinator actions (issue 26, item 5) through the sandbox against the real bot: the
objection notice carries «Nhắc», «Gia hạn 30 phút», «Kết thúc»; each does what its command does,
for the coordinator of that consultation only (tests/unit/test_coordinator_actions.py: the
sandbox refuses data a message does not carry, so a forged press is tried there)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually

pytestmark = pytest.mark.slow

COORD, MOIT = 1001, 2001


async def _with_button(client: SandboxClient, chat: int, data: str, after: int = 0) -> dict[str, Any]:
    async def probe() -> Any:
        for message in reversed([m for m in await client.bot_messages(chat) if m["message_id"] > after]):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            if any(b.get("callback_data") == data for row in rows for b in row):
                return message
        return None
    found: dict[str, Any] = await eventually(probe, within=20, what=f"a button {data!r} in chat {chat}")
    return found


async def _said(client: SandboxClient, chat: int, contains: str, after: int) -> str:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat)
                 if contains in (m.get("text") or "") and m["message_id"] > after]
        return found[-1]["text"] if found else None
    text: str = await eventually(probe, within=20, what=f"{contains!r} in chat {chat}")
    return text


async def test_the_objection_notice_carries_one_tap_actions(bot: BotRunner, client: SandboxClient) -> None:
    await client.send_message(COORD, text="/urgent 2 giờ aec: Lập trường về dự thảo")
    invitation = await _with_button(client, MOIT, "a:1:object")
    await client.press_button(MOIT, MOIT, invitation["message_id"], "a:1:object")
    notice = await _with_button(client, COORD, "c:1:extend")
    labels = [b["text"] for row in notice["reply_markup"]["inline_keyboard"] for b in row if "callback_data" in b]
    assert labels == ["Nhắc", "Gia hạn 30 phút", "Kết thúc"]

    last_coord = max(m["message_id"] for m in await client.messages(COORD))
    await client.press_button(COORD, COORD, notice["message_id"], "c:1:remind")
    assert (await _said(client, COORD, "Đã nhắc", after=last_coord)).startswith("Đã nhắc 1 người chưa trả lời #1.")
    await client.press_button(COORD, COORD, notice["message_id"], "c:1:extend")
    assert (await _said(client, COORD, "Đã gia hạn", after=last_coord)).startswith("Đã gia hạn #1 đến ")
    await client.press_button(COORD, COORD, notice["message_id"], "c:1:close")
    await _said(client, COORD, "Kết quả tham vấn #1", after=last_coord)


async def test_a_reminder_carries_the_answer_buttons(bot: BotRunner, client: SandboxClient) -> None:
    """The reminder is where the invitee is now: an answer from it counts (issue 26, item 5)."""
    await client.send_message(COORD, text="/urgent 2 giờ aec: Lập trường về dự thảo")
    invitation = await _with_button(client, MOIT, "a:1:agree")
    await client.send_message(COORD, text="/remind 1")
    reminder = await _with_button(client, MOIT, "a:1:agree", after=invitation["message_id"])
    assert "Nhắc" in reminder["text"]
    await client.press_button(MOIT, MOIT, reminder["message_id"], "a:1:agree")
    await _said(client, MOIT, "Đồng ý", after=reminder["message_id"])
    await client.send_message(COORD, text="/remind 1")
    assert "Trần Thị Bình" not in await _said(client, COORD, "Đã nhắc 1 người", after=0)
