"""The whole consultation, driven through the sandbox as people would, against the real bot."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.e2e import COORD, JKT, MOF, MOHA, MOIT, NSV, last_bot_text
from tests.support.telegram_schema import assert_calls_valid

# The whole bot on each engine: the same flow must hold on SQLite and on PostgreSQL.
pytestmark = [pytest.mark.slow, pytest.mark.both_engines]


async def test_open_answer_comment_close(bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    await client.send_message(COORD, text="/urgent 2h aec+connectivity: Lập trường về dự thảo tuyên bố chung")
    await last_bot_text(client, COORD, "Đã mở #1")

    # A topic with a pinned status card, and one private invitation per focal point.
    topics = await eventually(client_topics(client, group), what="the topic")
    thread = topics[0]["message_thread_id"]
    assert topics[0]["name"].startswith("#1 Lập trường")
    card = await last_bot_text(client, group, "📋 #1", thread)
    chat = sandbox.state.chat(group)
    assert chat is not None
    await eventually(lambda: _true(chat.pinned == [card["message_id"]]), what="the card to be pinned")
    invited = {}
    for user in (MOIT, NSV, MOF, JKT):
        invitation = await last_bot_text(client, user, "Tham vấn khẩn #1")
        invited[user] = invitation
        assert [b["callback_data"] for row in invitation["reply_markup"]["inline_keyboard"] for b in row
                if "callback_data" in b] == [
            "a:1:agree", "a:1:object", "a:1:more_time"]
    assert await client.bot_messages(MOHA) == []  # not invited to aec+connectivity

    # Answers by button; the card follows.
    query = await client.press_button(MOIT, MOIT, invited[MOIT]["message_id"], "a:1:object")
    await client.press_button(NSV, NSV, invited[NSV]["message_id"], "a:1:agree")
    answered = await eventually(lambda: _answered(client, query), what="the callback answer")
    assert "Phản đối" in answered["answer_text"]

    async def card_shows_both() -> Any:
        cards = [m for m in await client.bot_messages(group, thread) if (m.get("text") or "").startswith("📋")]
        text = cards[0]["text"] if cards else ""
        return "Trần Thị Bình (Bộ Công Thương): Phản đối" in text and "Lý Thành Nam" in text and text
    await eventually(card_shows_both, what="the status card to show both answers")

    # A private reply is a comment, relayed to the topic under the sender's name and agency.
    await client.send_message(MOIT, text="Đề nghị bỏ đoạn 3 về thuế quan.", reply_to=invited[MOIT]["message_id"])
    relayed = await last_bot_text(client, group, "Đề nghị bỏ đoạn 3", thread)
    assert relayed["text"].startswith("💬 Trần Thị Bình (Bộ Công Thương)")

    # Close: the outcome report in the topic and to the coordinator, and the topic closed.
    await client.send_message(COORD, text="/close 1 Trình Thủ tướng phương án sửa đổi")
    report = await last_bot_text(client, group, "Kết quả tham vấn #1", thread)
    assert "Phản đối:\n  • Trần Thị Bình (Bộ Công Thương)" in report["text"]
    assert "Bùi Quang Huy (Bộ Tài chính)" in report["text"].split("Không trả lời:")[1]
    assert "Trình Thủ tướng phương án sửa đổi" in report["text"]
    await last_bot_text(client, COORD, "Kết quả tham vấn #1")
    await eventually(lambda: _topic_closed(client, group), what="the topic to close")

    # Every call the bot made, and every answer the sandbox gave, in Telegram's own terms.
    log = await client.log()
    assert {"getMe", "getUpdates", "setMyCommands", "createForumTopic", "sendMessage", "pinChatMessage",
            "answerCallbackQuery", "editMessageText", "closeForumTopic"} <= {c["method"] for c in log}
    assert_calls_valid(log)


def client_topics(client: SandboxClient, group: int) -> Any:
    async def probe() -> Any:
        return await client.topics(group)
    return probe


async def _true(value: bool) -> bool:
    return value


async def _answered(client: SandboxClient, query: str) -> Any:
    state = await client.callback_state(query)
    return state if state.get("answered") else None


async def _topic_closed(client: SandboxClient, group: int) -> bool:
    return all(t["closed"] for t in await client.topics(group))


async def test_malformed_and_unauthorised_commands(bot: BotRunner, client: SandboxClient) -> None:
    await client.send_message(COORD, text="/urgent tomorrow aec: X")
    await last_bot_text(client, COORD, "Không hiểu thời hạn «tomorrow»")
    await client.send_message(MOIT, text="/urgent 1h aec: X")
    await last_bot_text(client, MOIT, "Anh/chị không có quyền dùng lệnh /urgent")
    await client.add_user(99001, "Người lạ")
    await client.send_message(99001, text="/close 1")
    await last_bot_text(client, 99001, "chưa được đăng ký")


async def test_invitee_who_never_started_the_bot(bot: BotRunner, client: SandboxClient,
                                                 sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    sandbox.state.users[str(JKT)].started = False
    await client.send_message(COORD, text="/urgent 1h connectivity: Kết nối hạ tầng số")
    mention = await last_bot_text(client, group, "chưa nhận được lời mời")
    assert "Tạ Đức Phong" in mention["text"]
    assert "?start=c_1" in mention["text"]
    assert await client.bot_messages(JKT) == []
    await client.send_message(JKT, text="/start c1")
    await last_bot_text(client, JKT, "Tham vấn khẩn #1")


async def test_the_one_line_reply_names_whom_it_went_to_and_the_time_left(
        bot: BotRunner, client: SandboxClient) -> None:
    """#26: the coordinator checks the routing at a glance, and how long the invitees have."""
    await client.send_message(COORD, text="/urgent 2h aec: Ý kiến về dự thảo")
    opened = (await last_bot_text(client, COORD, "Đã mở #1"))["text"]
    assert "Trần Thị Bình (Bộ Công Thương)" in opened
    assert "Lý Thành Nam (Ban Thư ký ASEAN Quốc gia Việt Nam)" in opened
    assert "(còn 2 giờ)" in opened, opened
