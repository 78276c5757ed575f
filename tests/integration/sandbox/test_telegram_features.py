"""Today's Telegram in the sandbox — ephemeral messages, date_time entities, coloured and disabled
buttons, protected content — checked as Telegram checks them, recorded, and driven through
aiogram 3 too, whose types are generated from the published Bot API: a second reading of the API
that the sandbox is held to."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from tests.support.sandbox import ALICE, BOB, TOKEN
from tests.support.telegram_schema import assert_calls_valid

STRANGER = 4242


async def _raw(ptb: Bot, method: str, **params: Any) -> Any:
    return await ptb.do_api_request(method, api_kwargs=params)


async def test_an_ephemeral_message_is_seen_by_its_receiver_alone(
        ptb: Bot, control: SandboxClient, group: int) -> None:
    sent = await _raw(ptb, "sendMessage", chat_id=group, text="Chỉ Alice thấy",
                      ephemeral_message_parameters={"receiver_user_id": ALICE})
    assert sent["message_id"] == 0 and sent["ephemeral_message_id"] >= 1
    assert sent["receiver_user"]["id"] == ALICE
    # Nobody's view of the chat holds it but the receiver's.
    assert "Chỉ Alice thấy" not in [m.get("text") for m in await control.messages(group)]
    seen_by = {}
    for viewer in (ALICE, BOB):
        shown = await control.request_raw("GET", f"/sandbox/chats/{group}/messages?viewer={viewer}")
        seen_by[viewer] = [m.get("text") for m in shown]
    assert "Chỉ Alice thấy" in seen_by[ALICE] and "Chỉ Alice thấy" not in seen_by[BOB]
    # Removed only by deleteEphemeralMessage, and only by its receiver's id.
    with pytest.raises(BadRequest, match="(?i)not found"):
        await _raw(ptb, "deleteEphemeralMessage", chat_id=group, receiver_user_id=BOB,
                   ephemeral_message_id=sent["ephemeral_message_id"])
    assert await _raw(ptb, "deleteEphemeralMessage", chat_id=group, receiver_user_id=ALICE,
                      ephemeral_message_id=sent["ephemeral_message_id"]) is True
    shown = await control.request_raw("GET", f"/sandbox/chats/{group}/messages?viewer={ALICE}")
    assert "Chỉ Alice thấy" not in [m.get("text") for m in shown]


async def test_ephemeral_messages_follow_telegrams_rules(
        ptb: Bot, control: SandboxClient, server: SandboxServer, group: int) -> None:
    with pytest.raises(BadRequest, match="(?i)group chats"):
        await _raw(ptb, "sendMessage", chat_id=ALICE, text="x",
                   ephemeral_message_parameters={"receiver_user_id": ALICE})
    await control.add_user(STRANGER, "Người ngoài")
    with pytest.raises(BadRequest, match="(?i)user_not_participant"):
        await _raw(ptb, "sendMessage", chat_id=group, text="x",
                   ephemeral_message_parameters={"receiver_user_id": STRANGER})
    # A bot that is not an administrator answers only what the person did in the last 15 seconds.
    chat = server.state.chat(group)
    assert chat is not None
    chat.bot_admin = False
    with pytest.raises(BadRequest, match="(?i)not enough rights"):
        await _raw(ptb, "sendMessage", chat_id=group, text="x", ephemeral_message_parameters={"receiver_user_id": BOB})
    await control.send_message(BOB, group, "Xin chào")
    assert (await _raw(ptb, "sendMessage", chat_id=group, text="x",
                       ephemeral_message_parameters={"receiver_user_id": BOB}))["message_id"] == 0
    for message in server.state.messages[str(group)].values():  # the same, 16 seconds on
        message["date"] = int(time.time()) - 16
    with pytest.raises(BadRequest, match="(?i)not enough rights"):
        await _raw(ptb, "sendMessage", chat_id=group, text="x", ephemeral_message_parameters={"receiver_user_id": BOB})


async def test_an_older_server_posts_an_ephemeral_message_for_everyone(
        ptb: Bot, control: SandboxClient, group: int) -> None:
    await control.request_raw("POST", "/sandbox/features", {"ephemeral": False})
    sent = await _raw(ptb, "sendMessage", chat_id=group, text="Ai cũng thấy",
                      ephemeral_message_parameters={"receiver_user_id": ALICE})
    assert sent["message_id"] > 0 and "ephemeral_message_id" not in sent
    assert "Ai cũng thấy" in [m.get("text") for m in await control.messages(group)]


async def test_entities_buttons_and_protection_are_checked_and_kept(
        ptb: Bot, control: SandboxClient, group: int) -> None:
    text = "🕔 Hạn: 17:00 05/12/2026"
    moment = {"type": "date_time", "offset": 8, "length": 16, "unix_time": 1796464800, "date_time_format": "dt"}
    keyboard = {"inline_keyboard": [[{"text": "Đồng ý", "callback_data": "a:1:agree", "style": "success"},
                                     {"text": "Phản đối", "callback_data": "a:1:object", "style": "danger"}],
                                    [{"text": "Đã hết hạn", "disabled": {}}]]}
    sent = await _raw(ptb, "sendMessage", chat_id=ALICE, text=text, entities=[moment], reply_markup=keyboard,
                      protect_content=True)
    assert sent["entities"] == [moment] and sent["has_protected_content"] is True
    assert [b.get("style") for b in sent["reply_markup"]["inline_keyboard"][0]] == ["success", "danger"]
    # A disabled button carries no data: pressing it is refused like any button that is not there.
    with pytest.raises(Exception, match="no button"):
        await control.press_button(ALICE, ALICE, sent["message_id"], "")
    refusals = {
        "an entity past the end": {"entities": [{**moment, "offset": 20}]},  # 20 + 16 > 24 units (🕔 is 2)
        "a date_time without a valid format": {"entities": [{**moment, "date_time_format": "tw"}]},
        "a date_time too far ahead": {"entities": [{**moment, "unix_time": int(time.time()) + 1100 * 86400}]},
        "an unknown entity": {"entities": [{**moment, "type": "sparkle"}]},
        "entities with a parse_mode": {"entities": [moment], "parse_mode": "HTML"},
        "an unknown button colour": {"reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "x",
                                                                            "style": "pink"}]]}},
    }
    for what, params in refusals.items():
        with pytest.raises(BadRequest):
            await _raw(ptb, "sendMessage", chat_id=ALICE, text=text, **params)
            pytest.fail(f"{what} was accepted")


@pytest.fixture
async def aiogram_bot(server: SandboxServer) -> AsyncIterator[Any]:
    from aiogram import Bot as AiogramBot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    bot = AiogramBot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url)))
    try:
        yield bot
    finally:
        await bot.session.close()


async def test_aiogram_sends_and_reads_each_of_them(
        aiogram_bot: Any, control: SandboxClient, group: int) -> None:
    from aiogram.types import (
        DisabledButton,
        EphemeralMessageParameters,
        InlineKeyboardButton,
        InlineKeyboardMarkup,
        MessageEntity,
    )

    text = "Hạn: 17:00 05/12/2026"
    moment = MessageEntity(type="date_time", offset=5, length=16, unix_time=1796464800, date_time_format="dt")
    markup = InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text="Đồng ý", callback_data="a:1:agree", style="success"),
        InlineKeyboardButton(text="Phản đối", callback_data="a:1:object", style="danger"),
        InlineKeyboardButton(text="Hết hạn", disabled=DisabledButton())]])
    sent = await aiogram_bot.send_message(ALICE, text, entities=[moment], reply_markup=markup, protect_content=True)
    assert sent.has_protected_content and sent.entities and sent.entities[0].unix_time is not None
    assert sent.reply_markup.inline_keyboard[0][0].style == "success"
    assert sent.reply_markup.inline_keyboard[0][2].disabled is not None
    ephemeral = await aiogram_bot.send_message(
        group, "Chỉ Alice thấy", ephemeral_message_parameters=EphemeralMessageParameters(receiver_user_id=ALICE))
    assert ephemeral.message_id == 0 and ephemeral.ephemeral_message_id
    assert ephemeral.receiver_user is not None and ephemeral.receiver_user.id == ALICE
    assert await aiogram_bot.delete_ephemeral_message(chat_id=group, receiver_user_id=ALICE,
                                                      ephemeral_message_id=ephemeral.ephemeral_message_id)
    assert_calls_valid(await control.log())
