"""The coordinator's work beyond one consultation, through the sandbox against the real bot, the
real guard and a real SQLite file (issue 19): the draft report to the Prime Minister as a DOCX, a
notice acknowledged, an away focal point's invitation landing with their alternate, /stats's chart."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import docx
import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from tests.support.e2e import last_bot_text
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow

COORD, AUDITOR, MOIT, MOIT_ALT, NSV = 1001, 1002, 2001, 2002, 6001
TITLE = "Dự thảo tuyên bố về kinh tế số"


async def with_buttons(client: SandboxClient, user: int, contains: str) -> dict[str, Any]:
    """The bot's latest message to `user` holding `contains` and carrying buttons."""
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(user)
                 if contains in (m.get("text") or "") and m.get("reply_markup")]
        return found[-1] if found else None
    found: dict[str, Any] = await eventually(probe, within=20, what=f"a message with buttons for {user}")
    return found


def callbacks(message: dict[str, Any]) -> list[str]:
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
            if "callback_data" in b]  # not the URL button to the topic


async def topic_of(client: SandboxClient, sandbox: SandboxServer) -> tuple[int, int]:
    group = sandbox.group_chat_id
    assert group is not None

    async def topic() -> Any:
        topics = await client.topics(group)
        return topics[0]["message_thread_id"] if topics else None
    return group, int(await eventually(topic, what="the topic"))


async def events_of(ctx: AppContext, event_type: str) -> list[Any]:
    async with ctx.db.reading() as tx:
        return await tx.fetchall("SELECT * FROM events WHERE type = ? ORDER BY seq", (event_type,))


async def test_report_sends_the_coordinator_a_decree_30_docx_that_passed_the_guard(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    await client.send_message(COORD, text=f"/urgent 2h aec: {TITLE}")
    moit = await with_buttons(client, MOIT, "Tham vấn khẩn #1")
    await client.press_button(MOIT, MOIT, moit["message_id"], "a:1:object")
    await client.send_message(MOIT, reply_to=moit["message_id"], text="Đề nghị sửa đoạn 2 về dữ liệu")
    await last_bot_text(client, MOIT, "Đã chuyển góp ý")  # in the topic before it closes (issue 26)
    await client.send_message(MOIT, reply_to=moit["message_id"], text="TỐI MẬT phương án đàm phán B")
    await client.send_message(COORD, text="/close 1 Trình Thủ tướng phương án sửa đoạn 2")
    await last_bot_text(client, COORD, "Kết quả tham vấn #1")

    await client.send_message(MOIT, text="/report 1")
    await last_bot_text(client, MOIT, "không có quyền dùng lệnh /report")
    group, _ = await topic_of(client, sandbox)
    await client.send_message(COORD, group, "/report 1")
    await last_bot_text(client, group, "chỉ dùng trong tin nhắn riêng")
    await client.send_message(COORD, text="/report")
    await last_bot_text(client, COORD, "Cách dùng: /report")
    await client.send_message(COORD, text="/report 1")

    async def document() -> Any:
        found = [m for m in await client.bot_messages(COORD) if m.get("document")]
        return found[-1] if found else None
    sent = await eventually(document, within=30, what="the report DOCX")
    assert sent["document"]["file_name"].endswith(".docx") and sent["caption"].startswith("📄 #1")
    content = base64.b64decode(sandbox.state.files[sent["document"]["file_id"]].content_b64)
    report = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in report.paragraphs]
    cells = [c.text for t in report.tables for row in t.rows for c in row.cells]
    whole = "\n".join(paragraphs + cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in whole and "Độc lập - Tự do - Hạnh phúc" in whole
    assert "BÁO CÁO" in paragraphs and TITLE in whole
    assert "Trần Thị Bình" in whole and "Bộ Công Thương" in whole  # positions by agency
    assert "Đề nghị sửa đoạn 2 về dữ liệu" in whole  # comments in brief
    assert "Lý Thành Nam" in whole  # the non-respondent
    assert "Trình Thủ tướng phương án sửa đoạn 2" in whole and "Nơi nhận" in whole
    assert "phương án đàm phán B" not in whole  # blocked content never appears
    assert report.styles["Normal"].font.name == "Times New Roman"
    reported = await events_of(app_context, "reported")
    assert len(reported) == 1 and reported[0]["consultation_id"] == 1
    assert json.loads(reported[0]["data"])["bytes"] == len(content)
    refused = [json.loads(e["data"])["command"] for e in await events_of(app_context, "refused")]
    assert "/report" in refused
    assert_calls_valid(await client.log())


async def test_a_notice_is_acknowledged_counted_on_the_card_and_listed_in_the_outcome(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    directive = "Thủ tướng chỉ đạo các bộ rà soát cam kết trước Hội nghị cấp cao"
    await client.send_message(MOIT, text=f"/notify 2h aec: {directive}")
    await last_bot_text(client, MOIT, "không có quyền dùng lệnh /notify")
    await client.send_message(COORD, text="/notify 2h aec")
    await last_bot_text(client, COORD, "Cách dùng: /notify")
    await client.send_message(COORD, text=f"/notify 2h aec: {directive}")
    await last_bot_text(client, COORD, "Đã gửi thông báo #1")
    notice = await with_buttons(client, MOIT, "📢 Thông báo #1")
    assert callbacks(notice) == ["a:1:acknowledged"]
    assert notice["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Đã nhận"
    await client.press_button(MOIT, MOIT, notice["message_id"], "a:1:acknowledged")
    await last_bot_text(client, MOIT, "đã nhận thông báo #1")
    group, thread = await topic_of(client, sandbox)
    await last_bot_text(client, group, "Đã nhận (1/2):", thread)  # the pinned card counts it

    await client.send_message(COORD, text="/status 1")
    await last_bot_text(client, COORD, "📢 #1")
    await client.send_message(COORD, text="/close 1")
    outcome = await last_bot_text(client, COORD, "Kết quả thông báo #1")
    acknowledged, _, pending = outcome["text"].partition("Chưa xác nhận:")
    assert "Đã nhận (1/2):" in acknowledged and "Trần Thị Bình (Bộ Công Thương) — " in acknowledged
    assert "Lý Thành Nam" in pending
    assert_calls_valid(await client.log())


async def test_an_away_focal_points_invitation_lands_with_their_alternate_who_answers(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    await client.send_message(MOIT, text="/away")
    await last_bot_text(client, MOIT, "Cách dùng: /away")
    await client.send_message(MOIT, text="/away 3d Đi công tác Jakarta")
    await last_bot_text(client, MOIT, "lời mời và lời nhắc sẽ chuyển thẳng cho Lê Văn Cường")
    await client.send_message(COORD, text=f"/urgent 2h aec: {TITLE}")
    stand_in = await with_buttons(client, MOIT_ALT, "Tham vấn khẩn #1")
    assert stand_in["text"].startswith("👤 Anh/chị nhận thay Trần Thị Bình (Bộ Công Thương), đang vắng đến ")
    assert "Đi công tác Jakarta" in stand_in["text"]
    assert callbacks(stand_in) == ["a:1:agree", "a:1:object", "a:1:more_time"]
    group, thread = await topic_of(client, sandbox)
    await last_bot_text(client, group, "vắng — thay: Lê Văn Cường", thread)  # the card says so
    assert not [m for m in await client.bot_messages(MOIT) if "Tham vấn khẩn #1" in (m.get("text") or "")]

    await client.press_button(MOIT_ALT, MOIT_ALT, stand_in["message_id"], "a:1:agree")
    await last_bot_text(client, group, "Lê Văn Cường (thay Trần Thị Bình, Bộ Công Thương): Đồng ý", thread)
    await client.send_message(MOIT, text="/away off")
    await last_bot_text(client, MOIT, "Đã thôi vắng")
    assert_calls_valid(await client.log())


async def test_an_away_focal_points_old_button_asks_before_replacing_his_alternates_answer(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    """Issue 26, item 6: his press on the invitation he got before leaving silently replaced the
    answer his alternate gave, and the alternate was never told."""
    await client.send_message(COORD, text=f"/urgent 2h aec: {TITLE}")
    own = await with_buttons(client, MOIT, "Tham vấn khẩn #1")
    await client.send_message(MOIT, text="/away 3d")
    stand_in = await with_buttons(client, MOIT_ALT, "Tham vấn khẩn #1")
    await client.press_button(MOIT_ALT, MOIT_ALT, stand_in["message_id"], "a:1:object")
    group, thread = await topic_of(client, sandbox)
    await last_bot_text(client, group, "Lê Văn Cường (thay Trần Thị Bình, Bộ Công Thương): Phản đối", thread)

    await client.press_button(MOIT, MOIT, own["message_id"], "a:1:agree")
    question = await with_buttons(client, MOIT, "Lê Văn Cường đã trả lời thay anh/chị: Phản đối")
    assert callbacks(question) == ["o:1:agree", "o:1:keep"]
    assert [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row] == [
        "Thay câu trả lời của Lê Văn Cường", "Giữ nguyên"]
    assert not [m for m in await client.bot_messages(MOIT_ALT) if "đã tự trả lời" in (m.get("text") or "")]

    await client.press_button(MOIT, MOIT, question["message_id"], "o:1:keep")  # kept: nothing recorded

    async def question_spent() -> Any:
        found = [m for m in await client.bot_messages(MOIT) if m["message_id"] == question["message_id"]]
        rows = (found[0].get("reply_markup") or {}).get("inline_keyboard") or [] if found else []
        return found and not [b for row in rows for b in row if "callback_data" in b]  # the topic's link stays
    await eventually(question_spent, within=20, what="the kept question's buttons removed")
    await last_bot_text(client, group, "Lê Văn Cường (thay Trần Thị Bình, Bộ Công Thương): Phản đối", thread)

    await client.press_button(MOIT, MOIT, own["message_id"], "a:1:agree")  # he presses again, and confirms

    async def asked_again() -> Any:
        found = [m for m in await client.bot_messages(MOIT) if m["message_id"] > question["message_id"]
                 and "đã trả lời thay anh/chị" in (m.get("text") or "")]
        return found[-1] if found else None
    question = await eventually(asked_again, within=20, what="the question asked again")
    await client.press_button(MOIT, MOIT, question["message_id"], "o:1:agree")
    await last_bot_text(client, MOIT_ALT, "Trần Thị Bình đã tự trả lời tham vấn #1: Đồng ý; "
                                          "anh/chị không cần trả lời thay.")

    async def spent() -> Any:
        found = [m for m in await client.bot_messages(MOIT_ALT) if m["message_id"] == stand_in["message_id"]]
        rows = found[0].get("reply_markup", {}).get("inline_keyboard", []) if found else []
        buttons = [b for row in rows for b in row if "url" not in b]  # the topic's link stays live
        return buttons and all("disabled" in b and "callback_data" not in b for b in buttons)
    await eventually(spent, within=20, what="the alternate's buttons drawn spent")
    await last_bot_text(client, group, "Trần Thị Bình (Bộ Công Thương): Đồng ý", thread)  # the card: his own
    async with bot.ctx.db.reading() as tx:
        row = await tx.fetchone("SELECT position, responded_by FROM participants WHERE person_key = 'moit-1'")
    assert (row["position"], row["responded_by"]) == ("agree", "moit-1")
    assert_calls_valid(await client.log())


async def test_stats_sends_a_table_and_a_chart_photo_to_coordinators_and_auditors(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    await client.send_message(COORD, text=f"/urgent 2h aec: {TITLE}")
    moit = await with_buttons(client, MOIT, "Tham vấn khẩn #1")
    await client.press_button(MOIT, MOIT, moit["message_id"], "a:1:agree")
    await last_bot_text(client, MOIT, "Đã ghi nhận")
    await client.send_message(MOIT, text="/stats")
    await last_bot_text(client, MOIT, "không có quyền dùng lệnh /stats")
    await client.send_message(AUDITOR, text="/stats tuần")
    await last_bot_text(client, AUDITOR, "Không đọc được khoảng thời gian")
    await client.send_message(COORD, text="/stats 7d")
    table = await last_bot_text(client, COORD, "📊 Thống kê 7 ngày")
    assert ": 1 cuộc tham vấn" in table["text"]
    row = next(line for line in table["text"].split("\n") if line.startswith("BCT "))  # as routing.yaml writes it
    assert row.split()[1:4] == ["1", "1", "0"]  # received, answered, late
    assert "BCT: Bộ Công Thương" in table["text"]

    async def photo() -> Any:
        found = [m for m in await client.bot_messages(COORD) if m.get("photo")]
        return found[-1] if found else None
    chart = await eventually(photo, within=30, what="the chart photo")
    assert chart["caption"] == "📊 Biểu đồ 7 ngày"
    log = await client.log()
    assert [c for c in log if c["method"] == "sendPhoto" and c["error"] is None]
    assert not [m for m in await client.bot_messages(MOIT) if m.get("photo")]
    assert_calls_valid(log)
