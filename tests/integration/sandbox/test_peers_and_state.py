"""Webhook delivery, state kept across restarts, and aiogram 3's Bot as a second, independent peer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram import Bot

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer, SeedPerson
from tests.support.sandbox import ALICE, BOB, TOKEN


async def test_webhook_delivery_carries_the_secret(ptb: Bot, control: SandboxClient) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        assert await ptb.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t-token")
        assert (await ptb.get_webhook_info()).url.endswith("/hook")
        from telegram.error import Conflict

        try:
            await ptb.get_updates()
            raise AssertionError("getUpdates worked while a webhook was set")
        except Conflict:
            pass
        await control.send_message(ALICE, text="qua webhook")
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.05)
        assert received and received[0][0] == "s3cr3t-token"
        assert received[0][1]["message"]["text"] == "qua webhook"
        assert await ptb.delete_webhook()
    finally:
        await runner.cleanup()


async def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    first = SandboxServer(rate_limits=False, state_file=state)
    await first.start()
    group = first.seed_roster([SeedPerson(ALICE, "Alice")])
    async with Bot(TOKEN, base_url=first.api_url) as bot:
        topic = await bot.create_forum_topic(group, "#1 giữ lại")
        await bot.send_message(ALICE, "còn đó sau khi khởi động lại")
    await first.stop()

    second = SandboxServer(rate_limits=False, state_file=state)
    await second.start()
    try:
        async with SandboxClient(second.base_url) as control:
            assert [m["text"] for m in await control.messages(ALICE)] == ["còn đó sau khi khởi động lại"]
            assert [t["name"] for t in await control.topics(group)] == ["#1 giữ lại"]
        async with Bot(TOKEN, base_url=second.api_url) as bot:
            card = await bot.send_message(group, "card", message_thread_id=topic.message_thread_id)
            assert card.message_id > topic.message_thread_id  # message ids carry on
    finally:
        await second.stop()


async def test_aiogram_parses_every_answer(server: SandboxServer, control: SandboxClient, group: int) -> None:
    """The same calls made through aiogram 3, whose types are generated from Telegram's published
    reference: the sandbox speaks Telegram's shapes, not only what python-telegram-bot tolerates."""
    from aiogram import Bot as AiogramBot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import BotCommand, BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    bot = AiogramBot(TOKEN, session=session)
    try:
        me = await bot.get_me()
        assert me.is_bot
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="OK", callback_data="a:1:agree")]])
        sent = await bot.send_message(ALICE, "Xin chào", reply_markup=markup)
        await bot.edit_message_text("Đã sửa", chat_id=ALICE, message_id=sent.message_id, reply_markup=markup)
        await control.press_button(ALICE, ALICE, sent.message_id, "a:1:agree")
        await control.send_message(BOB, text="/start")
        await control.send_message(ALICE, document=("a.txt", b"abc"))
        updates = await bot.get_updates()
        kinds = {("callback_query" if u.callback_query else "message") for u in updates}
        assert kinds == {"callback_query", "message"}
        query = next(u.callback_query for u in updates if u.callback_query)
        assert await bot.answer_callback_query(query.id, text="ok")
        topic = await bot.create_forum_topic(group, "#2 aiogram")
        card = await bot.send_message(group, "card", message_thread_id=topic.message_thread_id)
        assert await bot.pin_chat_message(group, card.message_id)
        document = await bot.send_document(ALICE, BufferedInputFile(b"Bao cao", filename="bc.txt"))
        assert document.document is not None
        file = await bot.get_file(document.document.file_id)
        assert file.file_path
        link = await bot.create_chat_invite_link(group, member_limit=1)
        assert link.member_limit == 1
        member = await bot.get_chat_member(group, me.id)
        assert member.status == "administrator"
        assert await bot.set_my_commands([BotCommand(command="urgent", description="Mở tham vấn")])
        assert await bot.delete_message(ALICE, sent.message_id)
        assert await bot.close_forum_topic(group, topic.message_thread_id)
    finally:
        await bot.session.close()
