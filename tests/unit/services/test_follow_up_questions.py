"""The question that follows a press (issue 26, items 4 and 5).

«⏳ Cần thêm thời gian» asks how much, and the coordinator hears the amount with a one-tap
«Gia hạn …» that grants exactly it; before, he heard only that more time was wanted. «Phản đối»
asks for a reason, and the report quotes that reason, not every comment the objector made."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import docx
import pytest

from bot.audit.report_docx import render_report_docx
from bot.domain.callbacks import parse_action, parse_more_time
from bot.services import answering, comments, followups
from bot.services.consultations import coordinator_actions
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.uow import UnitOfWork
from bot.services.reports import reporting
from bot.store.repos import consultations, outbox
from tests.support import KeywordGuard
from tests.support.flow import (
    COORD,
    GROUP,
    MOIT,
    NSV,
    buttons_message,
    deliver_buttons,
    events,
    open_one,
    outbox_rows,
    press,
    run,
    update_ids,
)


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def sent(ctx: AppContext, kind: str, chat: int) -> dict[str, Any]:
    """The latest message of `kind` to `chat`, marked delivered as the delivery service would (its
    outbox id standing in for the message id Telegram gives)."""
    row = [r for r in await outbox_rows(ctx) if r["kind"] == kind and r["chat"] == chat][-1]
    async with ctx.db.transaction() as tx:
        await outbox.mark_sent(tx, int(row["id"]), ctx.clock.now(), int(row["id"]))
    return row


async def choose(ctx: AppContext, user: int, data: str, message_id: int | None) -> None:
    """`user` presses an amount on `message_id` in their private chat, as the handler passes it."""
    the_press = answering.Press(f"cb{next(update_ids)}", user, data, chat_id=user, message_id=message_id)

    async def refuse(uow: UnitOfWork, error: Any, language: str) -> None:
        await answering.refuse_press(uow, the_press, error, language)

    await run(ctx, user, "more time button", lambda uow: followups.how_much(
        uow, the_press.callback_id, user, data, user, message_id), on_error=refuse)


async def tap(ctx: AppContext, user: int, data: str) -> None:
    """A press of a coordinator's one-tap action."""
    the_press = answering.Press(f"cb{next(update_ids)}", user, data, chat_id=user, message_id=1)
    await run(ctx, user, "coordinator button", lambda uow: coordinator_actions.act(uow, the_press))


async def reply(ctx: AppContext, user: int, text: str, to: int) -> None:
    message = Incoming(user, user, next(update_ids), text, reply_to_message_id=to)
    await run(ctx, user, "comment", lambda uow: comments.comment(uow, message))


def told_coordinator(rows: list[dict[str, Any]], contains: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["chat"] == COORD and contains in (r.get("text") or "")]


async def deadline(ctx: AppContext) -> Any:
    async with ctx.db.reading() as tx:
        record, _ = await consultations.get(tx, ctx.keys, 1)
    return record.consultation.deadline_at


# -- «⏳ Cần thêm thời gian» ------------------------------------------------------------------------

async def test_more_time_asks_how_much_and_tells_the_coordinator_it_is_asking(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, MOIT, "a:1:more_time")
    [asked] = [r for r in await outbox_rows(ctx) if r["kind"] == "more-time-ask"]
    assert asked["chat"] == MOIT and asked["text"].startswith("⏳ #1: anh/chị cần thêm bao lâu?")
    buttons = [b for row in asked["reply_markup"]["inline_keyboard"] for b in row]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        ("30 phút", "m:1:30m"), ("1 giờ", "m:1:1h"), ("2 giờ", "m:1:2h"), ("1 ngày", "m:1:1d")]
    [first] = told_coordinator(await outbox_rows(ctx), "thêm thời gian")
    assert "chưa nói bao lâu" in first["text"]


async def test_the_amount_reaches_the_coordinator_with_a_button_that_grants_it(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, MOIT, "a:1:more_time")
    question = await sent(ctx, "more-time-ask", MOIT)
    await choose(ctx, MOIT, "m:1:1h", question["id"])
    [notice] = told_coordinator(await outbox_rows(ctx), "cần thêm 1 giờ")
    assert notice["text"].startswith("⏳ #1: Trần Thị Bình (Bộ Công Thương) cần thêm 1 giờ (hạn hiện tại ")
    [[button]] = notice["reply_markup"]["inline_keyboard"]
    assert (button["text"], button["callback_data"]) == ("Gia hạn 1 giờ", "c:1:extend:1h")
    [marked] = [r for r in await outbox_rows(ctx) if r["method"] == "editMessageReplyMarkup" and r["chat"] == MOIT
                and r["message_id"] == question["id"]]
    assert [b["text"] for row in marked["reply_markup"]["inline_keyboard"] for b in row] == [
        "30 phút", "✓ 1 giờ", "2 giờ", "1 ngày"]
    [recorded] = await events(ctx, "more_time_amount")
    assert json.loads(recorded["data"]) == {"minutes": 60, "principal": "moit-1"}
    assert [r["text"] for r in await outbox_rows(ctx) if r["chat"] == MOIT and r.get("text")][-1].startswith(
        "Đã báo người điều phối: anh/chị cần thêm 1 giờ cho #1.")

    before = await deadline(ctx)
    await tap(ctx, COORD, "c:1:extend:1h")
    assert await deadline(ctx) - before == timedelta(hours=1)


@pytest.mark.parametrize("data", ["m:1:3h", "m:1:60", "m:1:1h:x", "m:01:1h", "m:1:", "m:1:1H", "c:1:extend:45m"])
def test_only_the_offered_amounts_parse(data: str) -> None:
    assert parse_more_time(data) is None and (not data.startswith("c:") or parse_action(data) is None)
    assert parse_more_time("m:1:1d") is not None and parse_more_time("m:1:1d").minutes == 1440  # type: ignore[union-attr]
    assert parse_action("c:1:remind:1h") is None  # an amount goes with «extend» only


async def test_a_forged_or_misplaced_amount_is_refused_and_nobody_is_told(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, MOIT, "a:1:more_time")
    question = await sent(ctx, "more-time-ask", MOIT)
    await choose(ctx, MOIT, "m:1:3h", question["id"])       # an amount never offered
    await choose(ctx, MOIT, "m:1:1h", question["id"] + 99)  # not on the bot's question
    await choose(ctx, NSV, "m:1:1h", question["id"])        # someone the question was not for
    rows = await outbox_rows(ctx)
    assert not told_coordinator(rows, "cần thêm")
    assert not await events(ctx, "more_time_amount")
    refusals = [r for r in rows if r["kind"] == "cbq" and r["chat"] in (MOIT, NSV) and r.get("show_alert")]
    assert len(refusals) == 3, refusals


async def test_an_amount_after_another_answer_is_stale(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, MOIT, "a:1:more_time")
    question = await sent(ctx, "more-time-ask", MOIT)
    await press(ctx, MOIT, "a:1:agree")
    await choose(ctx, MOIT, "m:1:2h", question["id"])
    assert not told_coordinator(await outbox_rows(ctx), "cần thêm 2 giờ")


# -- «Phản đối» -----------------------------------------------------------------------------------

async def test_an_objection_asks_for_a_reason_in_one_reply(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, NSV, "a:1:object")
    [asked] = [r for r in await outbox_rows(ctx) if r["kind"] == "reason-ask"]
    assert asked["chat"] == NSV
    assert asked["text"] == "❌ #1. Lý do phản đối (không bắt buộc): trả lời tin nhắn này trong một câu."
    assert asked["reply_markup"]["force_reply"] is True


async def test_the_same_answer_pressed_again_asks_nothing_again(ctx: AppContext) -> None:
    """A double tap, or a second device still showing the invitation as sent: no news, so no second
    question, no second notice to the coordinator, no second redraw."""
    await open_one(ctx)
    await deliver_buttons(ctx)
    invitation = await buttons_message(ctx, NSV, 1)
    for _ in range(2):
        await press(ctx, NSV, "a:1:object", message_id=invitation)
        await press(ctx, MOIT, "a:1:more_time")
    rows = await outbox_rows(ctx)
    assert len([r for r in rows if r["kind"] == "reason-ask"]) == 1
    assert len([r for r in rows if r["kind"] == "more-time-ask"]) == 1
    assert len([r for r in rows if r["kind"] == "objection"]) == 1
    assert len([r for r in rows if r["kind"] == "spent" and r["chat"] == NSV]) == 1


async def report_text(ctx: AppContext) -> tuple[Any, str]:
    async with ctx.db.reading() as tx:
        built = await reporting.build_report(tx, ctx, 1)
    document = docx.Document(io.BytesIO(render_report_docx(built)))
    return built, "\n".join(p.text for p in document.paragraphs)


async def test_the_reply_is_the_reason_the_report_quotes_and_not_the_other_comments(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    invitation = next(r for r in await outbox_rows(ctx) if r["kind"] == "invite" and r["chat"] == NSV)
    await reply(ctx, NSV, "Chào anh, em đang xem 👀", invitation["id"])  # a chat line, not a reason
    await press(ctx, NSV, "a:1:object")
    question = await sent(ctx, "reason-ask", NSV)
    await reply(ctx, NSV, "Đoạn 3 chưa phù hợp với cam kết hiện hành.", question["id"])
    await reply(ctx, NSV, "Đoạn 3 trái với cam kết WTO của Việt Nam.", question["id"])  # the latest is kept
    rows = await outbox_rows(ctx)
    assert not [r for r in rows if r["kind"] == "relay" and "WTO" in (r.get("text") or "")]  # not a comment
    assert [r.get("text") for r in rows if r["chat"] == NSV][-1].startswith("Đã ghi lý do phản đối của anh/chị cho #1")
    async with ctx.db.reading() as tx:
        stored = await tx.fetchall("SELECT kind, body_enc FROM messages WHERE kind = 'reason'")
    assert len(stored) == 2 and all(b"WTO" not in bytes(r["body_enc"]) for r in stored)  # sealed
    built, text = await report_text(ctx)
    [objector] = built.objectors
    assert objector.reason is not None and objector.reason.text == "Đoạn 3 trái với cam kết WTO của Việt Nam."
    objection = text.split("Ý KIẾN PHẢN ĐỐI")[1].split("CÁC Ý KIẾN GÓP Ý")[0]
    assert "Đoạn 3 trái với cam kết WTO của Việt Nam." in objection
    assert "chưa phù hợp" not in objection and "Chào anh" not in objection
    assert "Chào anh, em đang xem" in text.split("CÁC Ý KIẾN GÓP Ý")[1]  # the chat line stays a comment


async def test_no_reason_given_reads_so_and_a_long_one_is_trimmed(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    invitation = next(r for r in await outbox_rows(ctx) if r["kind"] == "invite" and r["chat"] == NSV)
    await reply(ctx, NSV, "Em không đồng ý đâu ạ", invitation["id"])
    await press(ctx, NSV, "a:1:object")
    _, text = await report_text(ctx)
    objection = text.split("Ý KIẾN PHẢN ĐỐI")[1].split("CÁC Ý KIẾN GÓP Ý")[0]
    assert "Không nêu lý do" in objection and "Em không đồng ý" not in objection
    question = await sent(ctx, "reason-ask", NSV)
    await reply(ctx, NSV, "Lý do dài. " * 200, question["id"])
    built, _ = await report_text(ctx)
    reason = built.objectors[0].reason
    assert reason is not None and len(reason.text) <= 500 and reason.text.endswith("…")


async def test_a_blocked_reason_is_never_stored(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, NSV, "a:1:object")
    question = await sent(ctx, "reason-ask", NSV)
    await reply(ctx, NSV, "TỐI MẬT phương án đàm phán", question["id"])
    async with ctx.db.reading() as tx:
        assert not await tx.fetchall("SELECT id FROM messages WHERE kind = 'reason'")
    _, text = await report_text(ctx)
    assert "phương án đàm phán" not in text and "Không nêu lý do" in text


async def test_a_reply_to_another_persons_question_is_not_their_reason(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, NSV, "a:1:object")
    question = await sent(ctx, "reason-ask", NSV)
    await reply(ctx, MOIT, "Lý do của người khác", question["id"])
    async with ctx.db.reading() as tx:
        assert not await tx.fetchall("SELECT id FROM messages WHERE kind = 'reason'")


def test_the_audit_trail_names_the_amount_and_the_reason() -> None:
    """The events read in the transcript's readable copies as what they are, not «other»."""
    from bot.audit import labels

    names = labels.Names({}, "vi")
    assert labels.event_name("more_time_amount", "vi") == "Cần thêm thời gian"
    assert labels.event_detail({"type": "more_time_amount", "data": {"minutes": 60}}, names, "vi", "UTC") == "60 phút"
    assert labels.event_name("objection_reason", "en") == "Reason for objecting"
