"""What people see is complete: the outcome report, relayed comments, comment counts and notices,
driven through the sandbox against the real bot (issue 16, items 1 and 3)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.textparts import length
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.e2e import forge_press
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow

COORD, MOIT, NSV, MOF, JKT = 1001, 2001, 6001, 4001, 7001
NSV_LABEL = "Lý Thành Nam (Ban Thư ký ASEAN Quốc gia Việt Nam)"


async def texts_in(client: SandboxClient, chat: int, contains: str, thread: int | None = None,
                   count: int = 1, within: float = 20.0) -> list[str]:
    """The bot's messages in a chat holding `contains`, once there are at least `count` of them."""
    async def probe() -> list[str] | None:
        found = [m.get("text") or m.get("caption") or "" for m in await client.bot_messages(chat, thread)]
        found = [text for text in found if contains in text]
        return found if len(found) >= count else None
    return await eventually(probe, within=within, what=f"{count} bot message(s) with {contains!r} in chat {chat}")


async def open_consultation(client: SandboxClient, sandbox: SandboxServer, command: str) -> tuple[int, int]:
    """(group, topic) of consultation #1, opened by the coordinator."""
    group = sandbox.group_chat_id
    assert group is not None
    await client.send_message(COORD, text=command)
    await texts_in(client, COORD, "Đã mở #1")

    async def topic() -> Any:
        return await client.topics(group)
    topics = await eventually(topic, what="the topic")
    return group, int(topics[0]["message_thread_id"])


async def invitation(client: SandboxClient, user: int) -> dict[str, Any]:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(user) if "Tham vấn khẩn #1" in (m.get("text") or "")]
        return found[-1] if found else None
    found: dict[str, Any] = await eventually(probe, what=f"the invitation of {user}")
    return found


def comment(index: int) -> str:
    sentence = f"Đề nghị rà soát lại đoạn {index} về thương mại điện tử và dữ liệu xuyên biên giới. "
    return f"Góp ý số {index}: " + sentence * 8  # about 700 characters


async def test_a_long_report_is_sent_whole_in_numbered_parts_with_its_conclusion_first(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group, thread = await open_consultation(client, sandbox, "/urgent 2h aec+connectivity: Dự thảo tuyên bố chung")
    moit = await invitation(client, MOIT)
    await client.press_button(MOIT, MOIT, moit["message_id"], "a:1:object")
    for index in range(1, 8):  # seven ordinary comments of ~700 characters, in the topic
        await client.send_message(NSV, group, comment(index), thread_id=thread)
    await texts_in(client, group, "Trần Thị Bình (Bộ Công Thương): Phản đối", thread)  # the card caught up
    summary = "Trình Thủ tướng phương án sửa đổi đoạn 3 và đoạn 5"
    await client.send_message(COORD, text=f"/close 1 {summary}")

    for chat, where in ((group, thread), (COORD, None)):  # in the topic and in the coordinator's copy
        parts = await texts_in(client, chat, "Kết quả tham vấn #1", where, count=2)
        count = len(parts)
        assert [p.split("\n", 1)[0] for p in parts] == [
            f"📄 Kết quả tham vấn #1: Dự thảo tuyên bố chung — phần {i}/{count}" for i in range(1, count + 1)]
        assert all(length(p) <= 4096 for p in parts)
        first = parts[0]
        assert f"Tóm tắt của điều phối viên: {summary}" in first  # the conclusion comes first
        assert "Không trả lời:" in first and "Bùi Quang Huy (Bộ Tài chính)" in first.split("Không trả lời:")[1]
        assert "Phản đối:\n  • Trần Thị Bình (Bộ Công Thương)" in "\n".join(parts)
        whole = "\n".join(parts)
        assert "Góp ý (7):" in whole
        for index in range(1, 8):  # every comment, whole
            assert f"{NSV_LABEL}: {comment(index)}" in whole, index
        assert "…" not in whole
    assert_calls_valid(await client.log())


async def test_a_long_private_comment_is_relayed_in_parts_and_its_sender_told(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group, thread = await open_consultation(client, sandbox, "/urgent 2h aec: Dự thảo tuyên bố chung")
    nsv = await invitation(client, NSV)
    long_comment = ("Ý kiến chi tiết về phụ lục 📎 và các bảng số liệu kèm theo. " * 68).strip()
    assert length(long_comment) <= 4096 < length(f"💬 {NSV_LABEL}:\n{long_comment}")
    await client.send_message(NSV, text=long_comment, reply_to=nsv["message_id"])
    parts = await texts_in(client, group, f"💬 {NSV_LABEL} — phần", thread, count=2)
    assert [p.split("\n", 1)[0] for p in parts] == [f"💬 {NSV_LABEL} — phần 1/2:", f"💬 {NSV_LABEL} — phần 2/2:"]
    assert "".join(p.split("\n", 1)[1] for p in parts) == long_comment  # nothing cut, nothing added
    told = await texts_in(client, NSV, "Đã chuyển góp ý")
    assert "thành 2 phần" in told[-1]


async def test_blocked_posts_are_counted_apart_multiline_comments_stay_in_their_bullet_and_an_emptied_one_is_not_posted(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group, thread = await open_consultation(client, sandbox, "/urgent 2h aec: Dự thảo tuyên bố chung")
    moit = await invitation(client, MOIT)
    for _ in range(2):
        await client.send_message(NSV, group, "TỐI MẬT\nPhương án dự phòng", thread_id=thread)
    await client.send_message(NSV, group, "Hai ý:\n- bỏ đoạn 3\n- sửa đoạn 5", thread_id=thread)
    # Redacted to nothing but its placeholder: there is nothing to post, and its sender hears so.
    await client.send_message(MOIT, text="[MẬT]Lập trường đàm phán của đoàn[/MẬT]", reply_to=moit["message_id"])
    told = await texts_in(client, MOIT, "Toàn bộ tin nhắn của anh/chị (#1) mang dấu mật")
    assert "không có gì được chuyển vào chủ đề" in told[0]
    await texts_in(client, group, "đã bị xóa vì mang dấu mật", thread)  # (the second is told a minute on)
    await client.send_message(COORD, text="/close 1")
    report = (await texts_in(client, group, "Kết quả tham vấn #1", thread))[0]
    relayed = [m.get("text") or "" for m in await client.bot_messages(group, thread)]
    assert not any("[đã lược bỏ: Mật]" in text and text.startswith("💬") for text in relayed)
    assert "Góp ý (1):\n" in report  # the one real comment, not the blocked or the emptied ones
    assert f"  • {NSV_LABEL}: Hai ý:\n    - bỏ đoạn 3\n    - sửa đoạn 5" in report
    assert "(2 tin bị chặn vì mang dấu mật; nội dung không được lưu)" in report
    assert "(1 tin bị lược bỏ toàn bộ vì mang dấu mật)" in report
    assert "[một tin nhắn bị chặn" not in report and "Phương án dự phòng" not in report


async def test_an_objection_reaches_the_coordinator_at_once_and_close_and_cancel_reach_every_invitee(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    await open_consultation(client, sandbox, "/urgent 2h aec: Dự thảo tuyên bố chung")
    moit = await invitation(client, MOIT)
    await client.press_button(MOIT, MOIT, moit["message_id"], "a:1:object")
    notice = await texts_in(client, COORD, "có ý kiến phản đối")  # before any deadline or close
    assert notice[0] == "❌ #1 Dự thảo tuyên bố chung: có ý kiến phản đối.\nTrần Thị Bình (Bộ Công Thương): Phản đối"
    # The same again is no news: pressed on another device that still shows the first keyboard (this
    # one already shows «✓ … Phản đối» on a disabled button).
    await forge_press(sandbox, MOIT, moit["message_id"], "a:1:object")
    await texts_in(client, MOIT, "Đã ghi nhận ý kiến cho #1: Phản đối", count=2)
    await client.send_message(COORD, text="/close 1")
    closed = await texts_in(client, MOIT, "#1 Dự thảo tuyên bố chung đã kết thúc")
    assert len(await texts_in(client, COORD, "có ý kiến phản đối")) == 1
    assert "Ý kiến đã ghi nhận: Trần Thị Bình (Bộ Công Thương): Phản đối" in closed[0]
    unanswered = await texts_in(client, NSV, "#1 Dự thảo tuyên bố chung đã kết thúc")
    assert "chưa có (anh/chị không trả lời trước khi kết thúc)" in unanswered[0]

    await client.send_message(COORD, text="/urgent 2h aec: Lần hai")
    await texts_in(client, COORD, "Đã mở #2")
    await texts_in(client, MOIT, "Tham vấn khẩn #2")
    await client.send_message(COORD, text="/cancel 2")
    for user in (MOIT, NSV):
        await texts_in(client, user, "#2 Lần hai đã bị hủy")
