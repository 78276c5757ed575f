"""`/away`: while a focal point is away their invitations and reminders go to their alternate, who
may answer for them; with nobody to stand in the coordinator is told at once; the card says so;
the absence ends by itself; it is an event in the chain."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.services import absence, comments
from bot.services.consultations import managing
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import unit_of_work
from bot.services.sending import rendering
from bot.store.repos import consultations, people
from tests.support import KeywordGuard
from tests.support.flow import (
    AUDITOR,
    COORD,
    GROUP,
    MOIT,
    MOIT_ALT,
    NSV,
    buttons_message,
    deliver_buttons,
    escalate_now,
    events,
    open_one,
    outbox_rows,
    person_command,
    press,
)


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


def clock_of(ctx: AppContext) -> FakeClock:
    assert isinstance(ctx.clock, FakeClock)
    return ctx.clock


async def away(ctx: AppContext, user: int, arguments: str) -> str:
    await person_command(absence.command, user, arguments, "/away")(ctx)
    return str((await outbox_rows(ctx))[-1]["text"])


async def position_of(ctx: AppContext, person_key: str, consultation_id: int = 1) -> tuple[str | None, str | None]:
    async with ctx.db.reading() as tx:
        found = await consultations.participant(tx, consultation_id, person_key)
    assert found is not None
    return (found.position.value if found.position else None), found.responded_by


async def card(ctx: AppContext, consultation_id: int = 1) -> str:
    async with ctx.db.reading() as tx:
        return await rendering.card_text(ctx, tx, consultation_id)


async def test_an_away_focal_points_invitation_goes_to_the_alternate_who_answers_for_them(ctx: AppContext) -> None:
    told = await away(ctx, MOIT, "3d nghỉ phép")
    assert told.startswith("Đã ghi nhận: anh/chị vắng đến ") and "Lê Văn Cường (Bộ Công Thương)" in told
    await open_one(ctx)
    rows = {r["key"]: r for r in await outbox_rows(ctx)}
    assert not any(key.startswith("invite:1:moit-1") for key in rows)
    stand_in = rows["stand-in:1:moit-1:moit-2:invite1"]
    assert stand_in["chat"] == MOIT_ALT
    assert stand_in["text"].startswith("👤 Anh/chị nhận thay Trần Thị Bình (Bộ Công Thương), đang vắng đến ")
    assert "ghi chú: nghỉ phép" in stand_in["text"] and "🔴 Tham vấn khẩn #1" in stand_in["text"]
    assert [b["callback_data"] for line in stand_in["reply_markup"]["inline_keyboard"] for b in line] == [
        "a:1:agree", "a:1:object", "a:1:more_time"]
    assert "vắng — thay: Lê Văn Cường" in await card(ctx)
    await press(ctx, MOIT_ALT, "a:1:object")
    assert await position_of(ctx, "moit-1") == ("object", "moit-2")
    invited = json.loads((await events(ctx, "invited"))[0]["data"])
    assert invited["stand_in"] == "moit-2" and invited["stand_in_name"] == "Lê Văn Cường"
    away_set = await events(ctx, "away_set")
    assert len(away_set) == 1 and "nghỉ phép" not in away_set[0]["data"]
    assert json.loads(away_set[0]["data"])["stand_in"] == "moit-2"
    async with ctx.db.reading() as tx:  # the note is stored only as ciphertext
        assert b"ngh" not in bytes(await tx.fetchval("SELECT away_note_enc FROM people WHERE key = 'moit-1'"))


async def test_reminders_go_to_the_alternate_with_the_buttons(ctx: AppContext) -> None:
    await away(ctx, MOIT, "1d")
    await open_one(ctx)
    await person_command(managing.remind, COORD, "1", "/remind")(ctx)
    rows = await outbox_rows(ctx)
    reminder = next(r for r in rows if r["key"].startswith("stand-in:1:moit-1:moit-2:manual"))
    assert reminder["chat"] == MOIT_ALT and "⏰ Nhắc: #1" in reminder["text"] and "reply_markup" in reminder
    assert not any(r["key"].startswith("remind:1:moit-1:") for r in rows)
    on = await buttons_message(ctx, MOIT_ALT, 1)
    assert on is not None
    await press(ctx, MOIT_ALT, "a:1:agree", message_id=reminder["id"])
    assert await position_of(ctx, "moit-1") == ("agree", "moit-2")


async def test_nobody_to_stand_in_the_coordinator_is_told_at_once_and_the_invitee_still_invited(
        ctx: AppContext) -> None:
    await away(ctx, MOIT_ALT, "2d")  # the alternate is away too
    told = await away(ctx, MOIT, "2d")
    assert told.startswith("⚠️ Đã ghi nhận: anh/chị vắng đến ") and "chưa có người thay" in told
    await open_one(ctx)
    rows = await outbox_rows(ctx)
    notice = next(r for r in rows if r["key"].startswith("uncovered:1:moit-1:"))
    assert notice["chat"] == COORD and "Trần Thị Bình (Bộ Công Thương) đang vắng đến" in notice["text"]
    assert any(r["key"] == "invite:1:moit-1:1" for r in rows)  # nothing lost when they are back
    assert not any(r["key"].startswith("stand-in:") for r in rows)
    assert "vắng — chưa có người thay" in await card(ctx)


async def test_going_away_mid_consultation_hands_it_over_at_once(ctx: AppContext) -> None:
    await open_one(ctx)
    await away(ctx, MOIT, "05/12")
    rows = await outbox_rows(ctx)
    handed = [r for r in rows if r["key"].startswith("stand-in:1:moit-1:moit-2:away")]
    assert len(handed) == 1 and handed[0]["chat"] == MOIT_ALT
    assert len(await events(ctx, "handed_over")) == 1
    assert any(r["key"].startswith("card-edit:1:") for r in rows)


async def test_the_absence_ends_by_itself_and_the_returning_person_gets_their_own_invitation(
        ctx: AppContext) -> None:
    await away(ctx, MOIT, "12h")
    await open_one(ctx, "2d aec: Lập trường về dự thảo")
    clock_of(ctx).advance(timedelta(hours=13))  # no job ran: the absence is simply over
    assert "vắng" not in await card(ctx)
    await person_command(managing.remind, COORD, "1", "/remind")(ctx)
    rows = await outbox_rows(ctx)
    own = next(r for r in rows if r["key"].startswith("invite:1:moit-1:manual"))
    assert own["chat"] == MOIT and own["text"].startswith("🔴 Tham vấn khẩn #1")
    async with ctx.db.reading() as tx:
        moit = await consultations.participant(tx, 1, "moit-1")
    assert moit is not None and moit.invited_via is None
    await deliver_buttons(ctx)  # Telegram took it: a press on it counts for moit-1
    await press(ctx, MOIT, "a:1:agree", message_id=own["id"])
    assert await position_of(ctx, "moit-1") == ("agree", "moit-1")
    assert "Thời gian vắng của anh/chị đã kết thúc" in await away(ctx, MOIT, "off")


async def test_away_off_brings_the_invitations_back_at_once(ctx: AppContext) -> None:
    await away(ctx, MOIT, "3d")
    await open_one(ctx)
    assert await away(ctx, MOIT, "off") == "Đã thôi vắng: lời mời và lời nhắc lại gửi cho anh/chị."
    rows = await outbox_rows(ctx)
    own = next(r for r in rows if r["key"].startswith("invite:1:moit-1:back"))
    assert own["chat"] == MOIT and "reply_markup" in own
    ended = await events(ctx, "away_ended")
    assert len(ended) == 1 and json.loads(ended[0]["data"]) == {"person": "moit-1", "early": True}
    assert await away(ctx, MOIT, "off") == "Anh/chị không ở trạng thái vắng."


async def test_a_reply_to_the_stand_ins_invitation_is_a_comment(ctx: AppContext) -> None:
    from bot.services.kernel.incoming import Incoming
    from tests.support.flow import run

    await away(ctx, MOIT, "1d")
    await open_one(ctx)
    prompt = await buttons_message(ctx, MOIT_ALT, 1)
    assert prompt is not None
    incoming = Incoming(MOIT_ALT, MOIT_ALT, 500, "Bộ Công Thương đề nghị giữ đoạn 4.", reply_to_message_id=prompt)
    await run(ctx, MOIT_ALT, "comment", lambda uow: comments.comment(uow, incoming))
    assert len(await events(ctx, "commented")) == 1


@pytest.mark.parametrize(("arguments", "expected"), [
    ("", "Cách dùng: /away"), ("soon", "Không đọc được “soon”"), ("0h", "“0h” đã qua"),
    ("120d", "“120d” quá xa"), ("2d " + "x" * 201, "Ghi chú quá dài")])
async def test_malformed_away_gets_its_usage_or_reason(ctx: AppContext, arguments: str, expected: str) -> None:
    text = await away(ctx, MOIT, arguments)
    assert text.startswith(expected), text
    async with ctx.db.reading() as tx:
        assert (await people.person_by_key(tx, "moit-1")).away_until is None  # type: ignore[union-attr]


@pytest.mark.parametrize("user", [AUDITOR, 999999])
async def test_away_is_for_focal_points_and_a_refusal_is_logged(ctx: AppContext, user: int) -> None:
    await away(ctx, user, "1d")
    refused = await events(ctx, "refused")
    assert len(refused) == 1 and json.loads(refused[0]["data"])["command"] == "/away"


async def test_an_alternate_may_say_they_are_away_and_a_blocked_note_is_refused(ctx: AppContext) -> None:
    assert "chưa có người thay" in await away(ctx, MOIT_ALT, "1d")  # moit-2 stands in for moit-1, has nobody
    text = await away(ctx, NSV, "1d TỐI MẬT lịch công tác")
    assert "dấu mật" in text
    async with ctx.db.reading() as tx:
        assert (await people.person_by_key(tx, "nsv-1")).away_until is None  # type: ignore[union-attr]
    assert len(await events(ctx, "blocked")) == 1


async def test_the_administrator_sets_an_absence_from_the_command_line(ctx: AppContext) -> None:
    async with unit_of_work(ctx) as uow:
        outcome = await absence.by_administrator(uow, "moit-1", "2d", "công tác nước ngoài")
    assert outcome.alternate is not None and outcome.alternate.key == "moit-2"
    told = (await outbox_rows(ctx))[-1]
    assert told["chat"] == MOIT and told["text"].startswith("Đã ghi nhận: anh/chị vắng đến ")
    assert json.loads((await events(ctx, "away_set"))[0]["data"])["person"] == "moit-1"
    assert (await events(ctx, "away_set"))[0]["actor"] == "cli"
    async with unit_of_work(ctx) as uow:
        back = await absence.by_administrator(uow, "moit-1", "off")
    assert back.until is None and back.was_away


async def test_an_alternate_removed_from_the_roster_gets_no_escalation(ctx: AppContext) -> None:
    """Escalation, like a stand-in, reaches only an alternate who can receive: one deactivated
    (gone from the roster file) would be sent the consultation and buttons that refuse them."""
    await open_one(ctx)
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE people SET active = 0 WHERE key = 'nsv-2'")
    await escalate_now(ctx)
    rows = await outbox_rows(ctx)
    assert not any(r["key"].startswith("escalate:1:nsv-1:") for r in rows)
    # the coordinator still hears that nsv-1 has not answered
    assert any(r["chat"] == COORD and "Lý Thành Nam" in str(r.get("text", "")) for r in rows)


async def test_away_to_a_date_is_said_to_the_end_of_that_day(ctx: AppContext) -> None:
    """`/away 05/12` covers all of 5 December: said «hết ngày 05/12/…», not «đến 00:00 06/12/…»."""
    told = await away(ctx, MOIT, "05/12")
    assert "vắng đến hết ngày 05/12/" in told and "00:00" not in told, told


async def test_an_alternate_who_never_enrolled_is_named_as_such(ctx: AppContext) -> None:
    """The roster names moit-2 as moit-1's alternate, but moit-2 never enrolled: «chưa có người
    thay» was untrue and left the agency not knowing whom to have enrol (issue 26, item 6)."""
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE people SET telegram_user_id = NULL WHERE key = 'moit-2'")
    told = await away(ctx, MOIT, "2d")
    assert "Người thay theo danh sách là Lê Văn Cường (Bộ Công Thương), nhưng người này chưa đăng ký" in told
    assert "chưa có người thay" not in told
    await open_one(ctx)
    assert "vắng — người thay Lê Văn Cường chưa đăng ký với bot" in await card(ctx)


async def test_the_deadline_notice_says_where_each_issue_went(ctx: AppContext) -> None:
    """At the deadline the coordinator learned who had not answered, but not whether it went to an
    alternate, nor that an alternate cannot be reached (issue 26, item 5)."""
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE people SET telegram_user_id = NULL WHERE key = 'moit-2'")
    await open_one(ctx)
    await escalate_now(ctx)
    notice = next(r for r in await outbox_rows(ctx) if r["key"].startswith("escalate:1:coordinator:"))
    assert "Trần Thị Bình (Bộ Công Thương) — người thay Lê Văn Cường không liên lạc được (chưa đăng ký với bot)" \
        in notice["text"]
    assert "— đã chuyển cho người thay " in notice["text"]
    labels = [b["text"] for row in notice["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Nhắc", "Gia hạn 30 phút", "Kết thúc"]
