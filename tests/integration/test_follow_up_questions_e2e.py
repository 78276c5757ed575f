"""The question after a press (issue 26, items 4 and 5), through the sandbox against the real bot:
«⏳ Cần thêm thời gian» → «1 giờ» → the coordinator told the amount with «Gia hạn 1 giờ», which
extends by an hour; «Phản đối» → a reply to the bot's question → the reason the report quotes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow

COORD, MOIT, NSV = 1001, 2001, 6001


async def _with_button(client: SandboxClient, chat: int, data: str) -> dict[str, Any]:
    async def probe() -> Any:
        for message in reversed(await client.bot_messages(chat)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            if any(b.get("callback_data") == data for row in rows for b in row):
                return message
        return None
    found: dict[str, Any] = await eventually(probe, within=20, what=f"a button {data!r} in chat {chat}")
    return found


async def _said(client: SandboxClient, chat: int, contains: str) -> dict[str, Any]:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat) if contains in (m.get("text") or "")]
        return found[-1] if found else None
    said: dict[str, Any] = await eventually(probe, within=20, what=f"{contains!r} in chat {chat}")
    return said


async def test_more_time_asks_how_much_and_the_coordinator_grants_it_in_one_tap(
        bot: BotRunner, client: SandboxClient) -> None:
    await client.send_message(COORD, text="/urgent 2 giờ aec: Lập trường về dự thảo")
    invitation = await _with_button(client, MOIT, "a:1:more_time")
    await client.press_button(MOIT, MOIT, invitation["message_id"], "a:1:more_time")
    first = await _said(client, COORD, "đề nghị thêm thời gian")
    assert "chưa nói bao lâu" in first["text"]
    question = await _with_button(client, MOIT, "m:1:1h")
    labels = [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["30 phút", "1 giờ", "2 giờ", "1 ngày"]
    await client.press_button(MOIT, MOIT, question["message_id"], "m:1:1h")
    notice = await _with_button(client, COORD, "c:1:extend:1h")
    assert "Trần Thị Bình (Bộ Công Thương) cần thêm 1 giờ" in notice["text"]
    assert [b["text"] for row in notice["reply_markup"]["inline_keyboard"] for b in row] == ["Gia hạn 1 giờ"]
    await client.press_button(COORD, COORD, notice["message_id"], "c:1:extend:1h")
    assert (await _said(client, COORD, "Đã gia hạn"))["text"].startswith("Đã gia hạn #1 đến ")
    assert_calls_valid(await client.log())  # the question's and the notice's keyboards as the Bot API has them


async def test_the_reply_to_the_reason_question_is_kept_as_the_reason(bot: BotRunner, client: SandboxClient) -> None:
    await client.send_message(COORD, text="/urgent 2 giờ aec: Lập trường về dự thảo")
    invitation = await _with_button(client, NSV, "a:1:object")
    await client.press_button(NSV, NSV, invitation["message_id"], "a:1:object")
    question = await _said(client, NSV, "Lý do phản đối (không bắt buộc)")
    await client.send_message(NSV, text="Đoạn 3 trái với cam kết hiện hành.", reply_to=question["message_id"])
    await _said(client, NSV, "Đã ghi lý do phản đối")
    async with bot.ctx.db.reading() as tx:
        assert await tx.fetchval("SELECT count(*) FROM messages WHERE kind = 'reason'") == 1
    assert_calls_valid(await client.log())  # force_reply and its placeholder as the Bot API has them
