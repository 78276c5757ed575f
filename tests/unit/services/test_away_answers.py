"""An away invitee's own press while his alternate stands in (issue 26, item 6): over an answer the
alternate gave it is asked first, in a message with two buttons, and only the confirming press
records it; whenever his own answer replaces or comes before the alternate's, the alternate is told
and the buttons he was sent for it are drawn spent."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.audit import labels
from bot.domain.outbox import MessageKind
from bot.services import absence, answering, answering_away
from bot.services.consultations import managing
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import consultations, prompts
from tests.support import KeywordGuard
from tests.support.flow import (
    COORD,
    GROUP,
    MOIT,
    MOIT_ALT,
    NSV,
    deliver_buttons,
    events,
    open_one,
    outbox_rows,
    person_command,
    press,
    run,
    update_ids,
)


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def position_of(ctx: AppContext, person_key: str = "moit-1") -> tuple[str | None, str | None]:
    async with ctx.db.reading() as tx:
        found = await consultations.participant(tx, 1, person_key)
    assert found is not None
    return (found.position.value if found.position else None), found.responded_by


async def handed_over(ctx: AppContext) -> tuple[int, int]:
    """Consultation #1 opened, moit-1 invited, then away: (his own invitation, the alternate's prompt)."""
    await open_one(ctx)
    await deliver_buttons(ctx)
    await person_command(absence.command, MOIT, "1d", "/away")(ctx)
    await deliver_buttons(ctx)
    rows = await outbox_rows(ctx)
    own = next(r["id"] for r in rows if r["key"].startswith("invite:1:moit-1"))
    stand_in = next(r["id"] for r in rows if r["key"].startswith("stand-in:1:moit-1:moit-2"))
    return own, stand_in


async def asked(ctx: AppContext) -> dict[str, Any]:
    """The question sent to the invitee, delivered (Telegram took it: a press on it is checked)."""
    row = next(r for r in await outbox_rows(ctx) if r["kind"] == MessageKind.OVERRIDE_ASK)
    async with ctx.db.transaction() as tx:
        await prompts.record(tx, row["chat"], row["id"], 1, str(row["person_key"]), str(row["for_person_key"]))
    return row


async def confirm(ctx: AppContext, user: int, data: str, message_id: int) -> None:
    the_press = answering.Press(f"cb{next(update_ids)}", user, data, chat_id=user, message_id=message_id)

    async def refuse(uow: UnitOfWork, error: Any, language: str) -> None:
        await answering.refuse_press(uow, the_press, error, language)

    answer_with = answering.confirmed(the_press)
    await run(ctx, user, "override button", lambda uow: answering_away.confirm(uow, the_press, answer_with),
              on_error=refuse)


def of_kind(rows: list[dict[str, Any]], kind: MessageKind) -> list[dict[str, Any]]:
    return [r for r in rows if r["kind"] == kind]


async def test_a_press_over_the_alternates_answer_is_asked_first_and_replaces_it_once_confirmed(
        ctx: AppContext) -> None:
    own, stand_in = await handed_over(ctx)
    await press(ctx, MOIT_ALT, "a:1:object", message_id=stand_in)
    await press(ctx, MOIT, "a:1:agree", message_id=own)
    assert await position_of(ctx) == ("object", "moit-2")  # not replaced silently
    question = await asked(ctx)
    assert question["chat"] == MOIT and question["method"] == "sendMessage"
    assert "Lê Văn Cường đã trả lời thay anh/chị: Phản đối" in question["text"]
    buttons = [b for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        ("Thay câu trả lời của Lê Văn Cường", "o:1:agree"), ("Giữ nguyên", "o:1:keep")]
    assert not of_kind(await outbox_rows(ctx), MessageKind.RELIEVED)

    await confirm(ctx, MOIT, "o:1:agree", question["id"])
    assert await position_of(ctx) == ("agree", "moit-1")
    rows = await outbox_rows(ctx)
    told = of_kind(rows, MessageKind.RELIEVED)
    assert len(told) == 1 and told[0]["chat"] == MOIT_ALT
    assert told[0]["text"] == ("Trần Thị Bình đã tự trả lời tham vấn #1: Đồng ý; "
                               "anh/chị không cần trả lời thay.")
    spent = [r for r in of_kind(rows, MessageKind.SPENT) if r["message_id"] == stand_in]
    assert spent[-1]["chat"] == MOIT_ALT  # the last edit of his prompt: every button disabled
    assert all("disabled" in b for row in spent[-1]["reply_markup"]["inline_keyboard"] for b in row)


async def test_keeping_the_alternates_answer_records_nothing(ctx: AppContext) -> None:
    own, stand_in = await handed_over(ctx)
    await press(ctx, MOIT_ALT, "a:1:object", message_id=stand_in)
    await press(ctx, MOIT, "a:1:agree", message_id=own)
    question = await asked(ctx)
    await confirm(ctx, MOIT, "o:1:keep", question["id"])
    assert await position_of(ctx) == ("object", "moit-2")
    rows = await outbox_rows(ctx)
    assert not of_kind(rows, MessageKind.RELIEVED)
    assert any(r["method"] == "editMessageReplyMarkup" and r["message_id"] == question["id"]
               and r["reply_markup"] == {"inline_keyboard": []} for r in rows)


async def test_before_the_alternate_answers_his_own_answer_counts_at_once_and_the_alternate_is_told(
        ctx: AppContext) -> None:
    own, stand_in = await handed_over(ctx)
    await press(ctx, MOIT, "a:1:agree", message_id=own)
    assert await position_of(ctx) == ("agree", "moit-1")
    rows = await outbox_rows(ctx)
    assert not of_kind(rows, MessageKind.OVERRIDE_ASK)
    told = of_kind(rows, MessageKind.RELIEVED)
    assert len(told) == 1 and told[0]["chat"] == MOIT_ALT and "anh/chị không cần trả lời thay" in told[0]["text"]
    assert any(r["message_id"] == stand_in and r["chat"] == MOIT_ALT for r in of_kind(rows, MessageKind.SPENT))
    await press(ctx, MOIT, "a:1:object", message_id=own)  # changing his own mind is no news to the alternate
    assert await position_of(ctx) == ("object", "moit-1")
    assert len(of_kind(await outbox_rows(ctx), MessageKind.RELIEVED)) == 1


async def test_the_confirmation_is_checked_against_who_presses_and_the_consultation(ctx: AppContext) -> None:
    own, stand_in = await handed_over(ctx)
    await press(ctx, MOIT_ALT, "a:1:object", message_id=stand_in)
    await press(ctx, MOIT, "a:1:agree", message_id=own)
    question = await asked(ctx)
    await confirm(ctx, NSV, "o:1:agree", question["id"])  # someone else, the same data
    await confirm(ctx, MOIT_ALT, "o:1:agree", stand_in)  # the alternate, on his own prompt
    await confirm(ctx, MOIT, "o:1:agree:x", question["id"])  # malformed
    assert await position_of(ctx) == ("object", "moit-2")
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    await confirm(ctx, MOIT, "o:1:agree", question["id"])  # too late
    assert await position_of(ctx) == ("object", "moit-2")
    refusals = [r for r in await outbox_rows(ctx) if r["kind"] == MessageKind.CALLBACK_ANSWER]
    assert len(refusals) >= 4


async def test_the_coordinator_hears_the_alternate_is_not_enrolled_not_that_there_is_none(ctx: AppContext) -> None:
    """The roster names moit-2 as moit-1's alternate but moit-2 never enrolled: the coordinator was
    told «không có người thay», which was untrue and hid whom the agency should have enrol."""
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE people SET telegram_user_id = NULL WHERE key = 'moit-2'")
    await person_command(absence.command, MOIT, "1d", "/away")(ctx)
    await open_one(ctx)
    notice = next(r for r in await outbox_rows(ctx) if r["kind"] == MessageKind.UNCOVERED)
    assert notice["chat"] == COORD
    assert "Người thay theo danh sách là Lê Văn Cường, nhưng người này chưa đăng ký với bot" in notice["text"]
    assert "không có người thay" not in notice["text"]
    invited = next(e for e in await events(ctx, "invited") if e["actor"] == "moit-1")
    said = labels.event_detail({"type": "invited", "data": json.loads(invited["data"])}, labels.Names({}, "vi"), "vi",
                               ctx.zone)
    assert said == "vắng; người thay Lê Văn Cường chưa đăng ký với bot"


async def test_a_notice_acknowledged_by_both_is_not_asked_and_the_alternate_is_told_in_a_notices_words(
        ctx: AppContext) -> None:
    from bot.services.consultations import notices

    await person_command(notices.notify, COORD, "2h aec: Thủ tướng chỉ đạo triển khai ngay", "/notify")(ctx)
    await deliver_buttons(ctx)
    await person_command(absence.command, MOIT, "1d", "/away")(ctx)
    await deliver_buttons(ctx)
    rows = await outbox_rows(ctx)
    own = next(r["id"] for r in rows if r["key"].startswith("invite:1:moit-1"))
    stand_in = next(r["id"] for r in rows if r["key"].startswith("stand-in:1:moit-1:moit-2"))
    await press(ctx, MOIT_ALT, "a:1:acknowledged", message_id=stand_in)
    await press(ctx, MOIT, "a:1:acknowledged", message_id=own)  # the same answer: nothing to ask
    assert await position_of(ctx) == ("acknowledged", "moit-1")
    rows = await outbox_rows(ctx)
    assert not of_kind(rows, MessageKind.OVERRIDE_ASK)
    told = of_kind(rows, MessageKind.RELIEVED)
    assert [r["text"] for r in told] == [
        "Trần Thị Bình đã tự xác nhận thông báo #1; anh/chị không cần xác nhận thay."]


async def test_a_confirmed_answer_shows_on_the_invitation_first_pressed(ctx: AppContext) -> None:
    own, stand_in = await handed_over(ctx)
    async with ctx.db.transaction() as tx:  # as delivery records it once Telegram took the invitation
        await consultations.set_invitation_message(tx, 1, "moit-1", own)
    await press(ctx, MOIT_ALT, "a:1:object", message_id=stand_in)
    await press(ctx, MOIT, "a:1:agree", message_id=own)
    question = await asked(ctx)
    await confirm(ctx, MOIT, "o:1:agree", question["id"])
    redrawn = [r for r in of_kind(await outbox_rows(ctx), MessageKind.SPENT) if r["message_id"] == own]
    assert redrawn and redrawn[-1]["chat"] == MOIT
    shown = [b for row in redrawn[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert any("disabled" in b and "Đồng ý" in b["text"] for b in shown)  # the answer given, not pressable
