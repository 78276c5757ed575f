"""`/notify`: a notice routed, numbered, carded, reminded and escalated like a consultation, whose one
answer is the acknowledgement; its text guarded; its outcome listing who acknowledged and when."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.domain.consultation import Kind
from bot.services.consultations import managing, notices
from bot.services.kernel.context import AppContext
from bot.services.sending import rendering
from bot.store.repos import consultations
from tests.support import KeywordGuard
from tests.support.flow import (
    AUDITOR,
    COORD,
    GROUP,
    MOIT,
    NSV,
    NSV_ALT,
    escalate_now,
    events,
    open_one,
    outbox_rows,
    person_command,
    press,
)

DIRECTIVE = "Thủ tướng chỉ đạo các bộ rà soát cam kết trước Hội nghị cấp cao ASEAN"


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def notify(ctx: AppContext, arguments: str = f"2h aec: {DIRECTIVE}", user: int = COORD) -> None:
    await person_command(notices.notify, user, arguments, "/notify")(ctx)


def buttons(row: dict[str, object]) -> list[str]:
    markup = row["reply_markup"]
    assert isinstance(markup, dict)
    return [b["callback_data"] for line in markup["inline_keyboard"] for b in line]


async def test_a_notice_is_routed_numbered_and_carded_like_a_consultation_with_one_button(ctx: AppContext) -> None:
    await open_one(ctx)  # #1: a consultation; the notice shares the numbering
    await notify(ctx)
    rows = {r["key"]: r for r in await outbox_rows(ctx)}
    assert rows["topic:2"]["name"].startswith("📢 #2 Thủ tướng chỉ đạo")
    invitation = rows["invite:2:moit-1:1"]
    assert invitation["chat"] == MOIT and invitation["text"].startswith(f"📢 Thông báo #2\n{DIRECTIVE}")
    assert buttons(invitation) == ["a:2:acknowledged"]
    assert invitation["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Đã nhận"
    assert "invite:2:nsv-1:1" in rows and "card:2" in rows and "pin:2" in rows
    reply = next(r for r in rows.values() if r["chat"] == COORD and "#2" in r.get("text", ""))
    assert reply["text"].startswith(f"Đã gửi thông báo #2: {DIRECTIVE}")
    opened = json.loads((await events(ctx, "opened"))[-1]["data"])
    assert opened["kind"] == "notice"
    async with ctx.db.reading() as tx:
        record, _ = await consultations.get(tx, ctx.keys, 2)
        card = await rendering.card_text(ctx, tx, 2)
    assert record.consultation.kind is Kind.NOTICE and record.consultation.title == DIRECTIVE
    assert card.startswith(f"📢 #2 {DIRECTIVE}") and "Đã nhận (0/2):" in card and "Chưa xác nhận:" in card


async def test_the_acknowledgement_is_the_only_answer_and_is_counted(ctx: AppContext) -> None:
    await notify(ctx)
    await press(ctx, MOIT, "a:1:agree")  # a consultation's answer on a notice: refused
    await press(ctx, MOIT, "a:1:acknowledged")
    async with ctx.db.reading() as tx:
        moit = await consultations.participant(tx, 1, "moit-1")
        card = await rendering.card_text(ctx, tx, 1)
    assert moit is not None and moit.position is not None and moit.position.value == "acknowledged"
    acks = [r for r in await outbox_rows(ctx) if r["method"] == "answerCallbackQuery"]
    assert acks[0]["show_alert"] is True and "không còn hiệu lực" in acks[0]["text"]
    assert acks[1]["text"] == "Đã ghi nhận: đã nhận thông báo #1."
    assert "Đã nhận (1/2):\n  ✔ Trần Thị Bình (Bộ Công Thương): Đã nhận" in card


async def test_an_acknowledgement_is_refused_on_a_consultation(ctx: AppContext) -> None:
    await open_one(ctx)
    await press(ctx, MOIT, "a:1:acknowledged")
    async with ctx.db.reading() as tx:
        moit = await consultations.participant(tx, 1, "moit-1")
    assert moit is not None and moit.position is None


async def test_the_outcome_lists_who_acknowledged_and_when_and_who_did_not(ctx: AppContext) -> None:
    clock = ctx.clock
    assert isinstance(clock, FakeClock)
    await notify(ctx)
    clock.advance(timedelta(minutes=20))
    await press(ctx, MOIT, "a:1:acknowledged")
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    rows = {r["key"]: r for r in await outbox_rows(ctx)}
    report = rows["report:1"]["text"]
    acknowledged_at = clock.now().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M %d/%m/%Y")
    assert report.startswith(f"📄 Kết quả thông báo #1: {DIRECTIVE}")
    assert f"Đã nhận (1/2):\n  • Trần Thị Bình (Bộ Công Thương) — {acknowledged_at}\n" in report
    assert "Chưa xác nhận:\n  • Lý Thành Nam (Ban Thư ký ASEAN Quốc gia Việt Nam)" in report
    assert "Phản đối" not in report  # a notice asks for no position


async def test_reminders_and_escalation_ask_for_the_acknowledgement(ctx: AppContext) -> None:
    await notify(ctx)
    await person_command(managing.remind, COORD, "1", "/remind")(ctx)
    await escalate_now(ctx)
    rows = await outbox_rows(ctx)
    reminder = next(r for r in rows if r["key"].startswith("remind:1:moit-1:"))
    assert reminder["text"].startswith("⏰ Nhắc: đề nghị xác nhận đã nhận thông báo #1")
    assert any(r["text"].startswith("Đã nhắc 2 người chưa xác nhận thông báo #1.\nĐã nhắc: ") for r in rows
               if r["chat"] == COORD)
    escalation = next(r for r in rows if r["key"] == "escalate:1:nsv-1:nsv-2")
    assert "chưa xác nhận đã nhận" in escalation["text"] and buttons(escalation) == ["a:1:acknowledged"]
    await press(ctx, NSV_ALT, "a:1:acknowledged")  # the alternate acknowledges for the agency
    async with ctx.db.reading() as tx:
        nsv = await consultations.participant(tx, 1, "nsv-1")
    assert nsv is not None and nsv.responded_by == "nsv-2"


async def test_the_text_is_guarded_blocked_refused_redacted_stored_redacted(ctx: AppContext) -> None:
    await notify(ctx, "2h aec: TỐI MẬT phương án đàm phán")
    refusal = (await outbox_rows(ctx))[-1]
    assert refusal["chat"] == COORD and "dấu mật" in refusal["text"]
    blocked = await events(ctx, "blocked")
    assert len(blocked) == 1 and "phương án" not in blocked[0]["data"]
    await notify(ctx, "2h aec: Chỉ đạo [MẬT]mức trần nội bộ")
    async with ctx.db.reading() as tx:
        assert await tx.fetchval("SELECT count(*) FROM consultations") == 1
        record, _ = await consultations.get(tx, ctx.keys, 1)
    assert record.consultation.title == "Chỉ đạo [đã lược bỏ: Mật]"
    assert all("mức trần" not in str(r.get("text", "")) for r in await outbox_rows(ctx))
    await notify(ctx, "2h aec: [MẬT]toàn bộ")
    assert "không có gì để gửi" in (await outbox_rows(ctx))[-1]["text"]
    async with ctx.db.reading() as tx:
        assert await tx.fetchval("SELECT count(*) FROM consultations") == 1


@pytest.mark.parametrize(("arguments", "expected"), [
    ("", "Cách dùng: /notify"), ("2h aec", "Cách dùng: /notify"), ("2h aec: " + "x" * 1001, "Cách dùng: /notify"),
    ("soon aec: X", "Không hiểu thời hạn «soon»"), ("2h trade: X", "Không có phạm vi «trade»")])
async def test_malformed_notify_gets_its_usage(ctx: AppContext, arguments: str, expected: str) -> None:
    await notify(ctx, arguments)
    rows = await outbox_rows(ctx)
    assert len(rows) == 1 and rows[0]["text"].startswith(expected), rows[0]["text"]


@pytest.mark.parametrize("user", [MOIT, AUDITOR, 999999])
async def test_only_a_coordinator_may_notify_and_a_refusal_is_logged(ctx: AppContext, user: int) -> None:
    await notify(ctx, user=user)
    refused = await events(ctx, "refused")
    assert len(refused) == 1 and json.loads(refused[0]["data"])["command"] == "/notify"
    async with ctx.db.reading() as tx:
        assert await tx.fetchval("SELECT count(*) FROM consultations") == 0


async def test_status_lists_a_notice_as_one(ctx: AppContext) -> None:
    await notify(ctx)
    await person_command(managing.status, COORD, "", "/status")(ctx)
    assert (await outbox_rows(ctx))[-1]["text"].startswith(f"📢 #1 {DIRECTIVE} — hạn ")
    await person_command(managing.status, NSV, "1", "/status")(ctx)
    assert (await outbox_rows(ctx))[-1]["text"].startswith(f"📢 #1 {DIRECTIVE}\n")
