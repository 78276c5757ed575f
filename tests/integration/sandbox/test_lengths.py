"""The sandbox measures text as Telegram does (UTF-16 code units, after markup), and its control
API gives every refusal a stable reason the web page words in Vietnamese."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox.client import SandboxClient, SandboxClientError
from bot.sandbox.server import SandboxServer
from tests.support.sandbox import ALICE


async def test_emoji_count_twice_toward_the_limit(ptb: Bot) -> None:
    await ptb.send_message(ALICE, "📋" * 2048)  # 2,048 characters, 4,096 units: the limit exactly
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await ptb.send_message(ALICE, "📋" * 2049)  # 2,049 characters: under 4,096 for len(), over for Telegram
    await ptb.send_message(ALICE, "Đ" * 4096)  # a precomposed Vietnamese letter is one unit


async def test_markup_does_not_count_but_what_it_shows_does(ptb: Bot) -> None:
    await ptb.send_message(ALICE, "<b>" + "x" * 4090 + "</b> &amp;", parse_mode="HTML")  # 4,092 shown
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await ptb.send_message(ALICE, "<b>" + "x" * 4097 + "</b>", parse_mode="HTML")


async def test_captions_and_pop_ups_are_counted_in_units(ptb: Bot, server: SandboxServer, group: int) -> None:
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await ptb.send_document(ALICE, b"x", filename="a.txt", caption="👍" * 513)
    await ptb.send_document(ALICE, b"x", filename="a.txt", caption="👍" * 512)


async def test_control_refusals_carry_a_reason(control: SandboxClient) -> None:
    with pytest.raises(SandboxClientError) as refused:
        await control.send_message(ALICE, text="📋" * 2049)
    assert refused.value.status == 400 and "4096" in refused.value.description
    with pytest.raises(SandboxClientError) as missing:
        await control.send_message(ALICE, -4242, "x")
    assert missing.value.status == 404
    raw = await control.request_raw("POST", "/sandbox/messages", {"from": ALICE, "chat_id": ALICE, "text": "x" * 4097})
    assert raw == {"ok": False, "error_code": 400, "description": "text is longer than 4096 characters",
                   "reason": "text_too_long", "length": 4097, "limit": 4096}
