"""Every Bot API method the bot uses, and each refusal, through python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from tests.support.sandbox import ALICE, BOB, STRANGER, TOKEN


async def test_get_me_and_token_form(ptb: Bot, server: SandboxServer) -> None:
    me = await ptb.get_me()
    assert me.id == 5000000001 and me.is_bot and me.username == "rapid_consult_bot"
    with pytest.raises(InvalidToken):
        async with Bot("not-a-token", base_url=server.api_url) as broken:
            await broken.get_me()


async def test_send_message_and_its_refusals(ptb: Bot, control: SandboxClient, group: int) -> None:
    sent = await ptb.send_message(ALICE, "Xin chào")
    assert sent.chat.id == ALICE and sent.from_user is not None and sent.from_user.is_bot
    assert [m["text"] for m in await control.messages(ALICE)] == ["Xin chào"]
    for text, error in [("", "message text is empty"), ("x" * 4097, "message is too long")]:
        with pytest.raises(BadRequest, match="(?i)" + error):
            await ptb.send_message(ALICE, text)
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await ptb.send_message(ALICE, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)reserved"):
        await ptb.send_message(ALICE, "1.5", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await ptb.send_message(999999, "x")
    await control.add_user(STRANGER, "Stranger", started=False)
    with pytest.raises(Forbidden, match="(?i)bot can't initiate conversation with a user"):
        await ptb.send_message(STRANGER, "x")
    await control.send_message(STRANGER, text="/start")
    assert (await ptb.send_message(STRANGER, "now it works")).text == "now it works"
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await ptb.send_message(ALICE, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("b", callback_data="x" * 65)]]))
    with pytest.raises(BadRequest, match="(?i)message thread not found"):
        await ptb.send_message(group, "x", message_thread_id=424242)


async def test_edits_and_deletes(ptb: Bot, control: SandboxClient) -> None:
    sent = await ptb.send_message(ALICE, "v1")
    edited = await ptb.edit_message_text("v2", chat_id=ALICE, message_id=sent.message_id)
    assert edited.text == "v2" and edited.edit_date is not None  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await ptb.edit_message_text("v2", chat_id=ALICE, message_id=sent.message_id)
    own = await control.send_message(ALICE, text="mine")
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await ptb.edit_message_text("hijack", chat_id=ALICE, message_id=own)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await ptb.edit_message_text("x", chat_id=ALICE, message_id=9999)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])
    with_buttons = await ptb.edit_message_reply_markup(chat_id=ALICE, message_id=sent.message_id, reply_markup=markup)
    assert with_buttons.reply_markup == markup  # type: ignore[union-attr]
    assert await ptb.delete_message(ALICE, sent.message_id) is True
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await ptb.delete_message(ALICE, sent.message_id)
    assert sent.message_id not in [m["message_id"] for m in await control.messages(ALICE)]


async def test_callback_queries(ptb: Bot, control: SandboxClient) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Đồng ý", callback_data="a:1:agree")]])
    sent = await ptb.send_message(ALICE, "Q?", reply_markup=markup)
    from bot.sandbox.client import SandboxClientError

    with pytest.raises(SandboxClientError, match="(?i)no button"):
        await control.press_button(ALICE, ALICE, sent.message_id, "a:1:forged")
    query_id = await control.press_button(ALICE, ALICE, sent.message_id, "a:1:agree")
    updates = await ptb.get_updates(timeout=1)
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id and query.data == "a:1:agree"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await ptb.answer_callback_query(query_id, text="Đã ghi nhận") is True
    assert (await control.callback_state(query_id))["answer_text"] == "Đã ghi nhận"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await ptb.answer_callback_query(query_id)


async def test_documents_upload_and_download(ptb: Bot, control: SandboxClient) -> None:
    sent = await ptb.send_document(ALICE, document=b"Bao cao", filename="bc.txt", caption="tệp")
    assert sent.document is not None and sent.document.file_name == "bc.txt" and sent.caption == "tệp"
    file = await ptb.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"Bao cao"
    again = await ptb.send_document(BOB, document=sent.document.file_id)  # by file_id, as Telegram allows
    assert again.document is not None and again.document.file_unique_id == sent.document.file_unique_id
    await control.send_message(ALICE, document=("to-bot.pdf", b"%PDF-1.4 ..."))
    incoming = (await ptb.get_updates(timeout=1))[-1].message
    assert incoming is not None and incoming.document is not None
    downloaded = await (await ptb.get_file(incoming.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF-1.4 ..."
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await ptb.get_file("nope")


async def test_photos_as_telegram_keeps_them(ptb: Bot, control: SandboxClient, group: int) -> None:
    import io

    from PIL import Image

    from bot.sandbox.client import SandboxClientError

    picture = io.BytesIO()
    Image.new("RGB", (3000, 2000), (200, 30, 30)).save(picture, "PNG")
    await control.send_message(ALICE, text="Ảnh", photo=picture.getvalue())
    incoming = (await ptb.get_updates(timeout=1))[-1].message
    assert incoming is not None and incoming.caption == "Ảnh" and incoming.text is None
    sizes = [(p.width, p.height) for p in incoming.photo]
    assert sizes == [(90, 60), (320, 213), (800, 533), (1280, 853), (2560, 1707)]  # no side over 2560
    largest = await (await ptb.get_file(incoming.photo[-1].file_id)).download_as_bytearray()
    assert Image.open(io.BytesIO(bytes(largest))).size == (2560, 1707)
    relayed = await ptb.send_photo(group, photo=incoming.photo[-1].file_id, caption="chuyển tiếp")
    assert [p.file_id for p in relayed.photo] == [p.file_id for p in incoming.photo]
    assert relayed.caption == "chuyển tiếp"
    uploaded = await ptb.send_photo(BOB, photo=picture.getvalue())
    assert uploaded.photo[-1].width == 2560
    with pytest.raises(SandboxClientError, match="not a picture"):
        await control.send_message(ALICE, photo=b"not an image")
    with pytest.raises(BadRequest, match="(?i)image_process_failed"):
        await ptb.send_photo(BOB, photo=b"not an image")


async def test_forum_topics_pins_and_threads(ptb: Bot, control: SandboxClient, group: int) -> None:
    topic = await ptb.create_forum_topic(group, "#1 Dự thảo")
    assert topic.name == "#1 Dự thảo" and topic.message_thread_id > 0
    card = await ptb.send_message(group, "📋", message_thread_id=topic.message_thread_id)
    assert card.message_thread_id == topic.message_thread_id and card.is_topic_message
    assert await ptb.pin_chat_message(group, card.message_id, disable_notification=True)
    await control.send_message(ALICE, group, "ý kiến", thread_id=topic.message_thread_id)
    message = (await ptb.get_updates(timeout=1))[-1].message
    assert message is not None and message.message_thread_id == topic.message_thread_id
    assert await ptb.close_forum_topic(group, topic.message_thread_id)
    with pytest.raises(BadRequest, match="(?i)TOPIC_NOT_MODIFIED"):
        await ptb.close_forum_topic(group, topic.message_thread_id)
    with pytest.raises(BadRequest, match="(?i)TOPIC_CLOSED"):
        await ptb.send_message(group, "late", message_thread_id=topic.message_thread_id)
    with pytest.raises(BadRequest, match="(?i)the chat is not a forum"):
        await control.add_chat(-100777, "plain", [ALICE], is_forum=False)
        await ptb.create_forum_topic(-100777, "x")


async def test_invite_links_join_requests_and_members(ptb: Bot, control: SandboxClient, group: int) -> None:
    await control.add_user(STRANGER, "Stranger")
    one = await ptb.create_chat_invite_link(group, member_limit=1, name="for one")
    assert one.member_limit == 1 and not one.creates_join_request
    assert (await control.join_request(STRANGER, one.invite_link))["joined"]
    await control.add_user(STRANGER + 1, "Second")
    from bot.sandbox.client import SandboxClientError

    with pytest.raises(SandboxClientError, match="(?i)member limit"):
        await control.join_request(STRANGER + 1, one.invite_link)
    with pytest.raises(BadRequest):
        await ptb.create_chat_invite_link(group, member_limit=1, creates_join_request=True)
    approval = await ptb.create_chat_invite_link(group, creates_join_request=True)
    await control.join_request(STRANGER + 1, approval.invite_link)
    request = (await ptb.get_updates(timeout=1))[-1].chat_join_request
    assert request is not None and request.from_user.id == STRANGER + 1
    assert await ptb.approve_chat_join_request(group, STRANGER + 1)
    with pytest.raises(BadRequest, match="(?i)HIDE_REQUESTER_MISSING"):
        await ptb.approve_chat_join_request(group, STRANGER + 1)
    assert (await ptb.get_chat_member(group, STRANGER + 1)).status == ChatMemberStatus.MEMBER
    me = await ptb.get_chat_member(group, 5000000001)
    assert me.status == ChatMemberStatus.ADMINISTRATOR
    assert me.can_delete_messages and me.can_manage_topics and me.can_invite_users  # type: ignore[attr-defined]
    await control.add_user(STRANGER + 2, "Outsider")
    assert (await ptb.get_chat_member(group, STRANGER + 2)).status == ChatMemberStatus.LEFT


async def test_set_my_commands(ptb: Bot) -> None:
    assert await ptb.set_my_commands([BotCommand("urgent", "Mở tham vấn khẩn")], language_code="en")
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await ptb.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_get_updates_offset_semantics_and_long_polling(ptb: Bot, control: SandboxClient) -> None:
    for text in ("one", "two", "three"):
        await control.send_message(ALICE, text=text)
    first = await ptb.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    again = await ptb.get_updates()  # nothing confirmed yet: the same three
    assert [u.update_id for u in again] == [u.update_id for u in first]
    rest = await ptb.get_updates(offset=first[1].update_id)  # confirms the first only
    assert [u.message.text for u in rest if u.message] == ["two", "three"]
    assert await ptb.get_updates(offset=first[-1].update_id + 1) == ()
    started = time.monotonic()
    assert await ptb.get_updates(offset=first[-1].update_id + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3
    waiting = asyncio.create_task(ptb.get_updates(offset=first[-1].update_id + 1, timeout=10))
    await asyncio.sleep(0.3)
    await control.send_message(BOB, text="wake up")
    woken = await asyncio.wait_for(waiting, 5)
    assert [u.message.text for u in woken if u.message] == ["wake up"]


async def test_flood_limits_answer_429_with_retry_after() -> None:
    server = SandboxServer(rate_limits=True)
    await server.start()
    try:
        from bot.sandbox.server import SeedPerson

        group = server.seed_roster([SeedPerson(ALICE, "Alice")])
        async with Bot(TOKEN, base_url=server.api_url) as bot:
            for _ in range(3):  # a short burst in a private chat is tolerated
                await bot.send_message(ALICE, "burst")
            with pytest.raises(RetryAfter) as private:
                await bot.send_message(ALICE, "one too many")
            assert 1 <= private.value.retry_after.total_seconds() <= 2  # type: ignore[union-attr]
            for index in range(20):
                await bot.send_message(group, f"group {index}")
            with pytest.raises(RetryAfter) as in_group:
                await bot.send_message(group, "21st in a minute")
            assert in_group.value.retry_after.total_seconds() > 30  # type: ignore[union-attr]
    finally:
        await server.stop()


async def test_injected_faults(ptb: Bot, control: SandboxClient) -> None:
    from telegram.error import NetworkError

    await control.inject_fault(500, 1, method="sendMessage")
    with pytest.raises(NetworkError):
        await ptb.send_message(ALICE, "x")
    await control.inject_fault(429, 1, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await ptb.send_message(ALICE, "x")
    assert caught.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    await control.inject_fault("drop", 1, method="getMe")
    with pytest.raises(NetworkError):
        await ptb.get_me()
    assert (await ptb.send_message(ALICE, "fine again")).text == "fine again"
    log = await control.log()
    assert [c["error"]["error_code"] for c in log if c["error"]][-3:] == [500, 429, 0]
