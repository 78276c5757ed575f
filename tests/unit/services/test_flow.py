"""The consultation use cases, run through the same dispatcher the handlers use, without Telegram."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.domain.chain import check_log
from bot.services import answering, comments, enrollment
from bot.services.consultations import managing, opening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.store.datakeys import load_data_key
from bot.store.events import all_events
from bot.store.repos import consultations
from tests.support import KeywordGuard
from tests.support.flow import (
    AUDITOR,
    COORD,
    GROUP,
    MOHA,
    MOIT,
    MOIT_ALT,
    NSV,
    NSV_ALT,
    buttons_message,
    escalate_now,
    events,
    open_one,
    outbox_rows,
    person_command,
    press,
    run,
)


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def test_open_queues_topic_card_pin_and_invitations(ctx: AppContext) -> None:
    await open_one(ctx)
    rows = await outbox_rows(ctx)
    keys = [r["key"] for r in rows]
    assert keys[:3] == ["topic:1", "card:1", "pin:1"]
    assert "invite:1:moit-1:1" in keys and "invite:1:nsv-1:1" in keys
    invite = next(r for r in rows if r["key"] == "invite:1:moit-1:1")
    assert invite["chat"] == MOIT and "Lập trường về dự thảo" in invite["text"]
    assert [b["callback_data"] for row in invite["reply_markup"]["inline_keyboard"] for b in row] == [
        "a:1:agree", "a:1:object", "a:1:more_time"]
    reply = rows[3]  # the coordinator hears first, not after a fan-out of hundreds
    assert reply["chat"] == COORD and "#1" in reply["text"] and "2 đầu mối" in reply["text"]
    assert all(k.startswith(("invite:", "member:")) for k in keys[4:]), keys
    assert len(await events(ctx, "invited")) == 2
    # Written in bulk at the end of the opening: every payload above opened under its own row id
    # (outbox_rows decrypts with it), and the chain has no hole.
    async with ctx.db.reading() as tx:
        assert check_log(await all_events(tx)) == []


async def test_unenrolled_invitee_is_mentioned_not_messaged(ctx: AppContext) -> None:
    await open_one(ctx, "1h connectivity: Kết nối")  # jkt-1 enrolled; mof-1, nsv-1 too
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE people SET telegram_user_id = NULL WHERE key = 'mof-1'")
    await open_one(ctx, "1h connectivity: Lần hai")
    rows = await outbox_rows(ctx)
    assert not any(r["key"].startswith("invite:2:mof-1") for r in rows)
    mention = next(r for r in rows if r["key"] == "unreachable:2:mof-1")
    assert mention["depends_on"] == "topic" and mention["consultation_id"] == 2 and "Bùi Quang Huy" in mention["text"]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [("", "Cách dùng: /urgent"), ("2h aec", "Cách dùng: /urgent"), ("soon aec: X", "Không hiểu thời hạn «soon»"),
     ("2h trade: X", "Không có phạm vi «trade»"), ("9d aec: X", "Thời hạn «9d» quá dài"),
     ("2h aec+Trade: X", "Không có phạm vi «Trade»"), ("25:00 aec: X", "«25:00» không phải là giờ trong ngày")],
)
async def test_malformed_urgent_gets_usage_and_opens_nothing(ctx: AppContext, arguments: str, expected: str) -> None:
    await open_one(ctx, arguments)
    rows = await outbox_rows(ctx)
    assert len(rows) == 1 and rows[0]["text"].startswith(expected), rows[0]["text"]
    async with ctx.db.reading() as tx:
        assert await tx.fetchval("SELECT count(*) FROM consultations") == 0


AUTHORISATION = [
    # (command use case, arguments, user, allowed)
    (opening.open_consultation, "1h aec: X", COORD, True),
    (opening.open_consultation, "1h aec: X", MOIT, False),
    (opening.open_consultation, "1h aec: X", AUDITOR, False),
    (managing.extend, "1 1h", COORD, True),
    (managing.extend, "1 1h", MOIT, False),
    (managing.remind, "1", COORD, True),
    (managing.remind, "1", NSV, False),
    (managing.close, "1", COORD, True),
    (managing.close, "1", AUDITOR, False),
    (managing.cancel, "1", COORD, True),
    (managing.cancel, "1", MOIT, False),
    (managing.status, "1", MOIT, True),      # a participant
    (managing.status, "1", AUDITOR, True),
    (managing.status, "1", MOHA, False),     # not invited to an aec consultation
]


@pytest.mark.parametrize(("use_case", "arguments", "user", "allowed"), AUTHORISATION,
                         ids=[f"{u.__name__}-{user}" for u, _, user, _ in AUTHORISATION])
async def test_authorisation_matrix(ctx: AppContext, use_case: Any, arguments: str, user: int, allowed: bool) -> None:
    await open_one(ctx)
    refusals_before = len(await events(ctx, "refused"))
    await person_command(use_case, user, arguments, f"/{use_case.__name__}")(ctx)
    refusals = len(await events(ctx, "refused")) - refusals_before
    assert refusals == (0 if allowed else 1)


async def test_stranger_is_refused_and_logged_by_telegram_id(ctx: AppContext) -> None:
    await person_command(opening.open_consultation, 999999, "1h aec: X", "/urgent")(ctx)
    refused = await events(ctx, "refused")
    assert refused[-1]["actor"] == "tg:999999"
    assert "chưa được đăng ký" in (await outbox_rows(ctx))[-1]["text"]


async def positions(ctx: AppContext) -> dict[str, tuple[str | None, str | None, bool]]:
    async with ctx.db.reading() as tx:
        parts = await consultations.participants(tx, 1)
    return {p.person_key: (p.position.value if p.position else None, p.responded_by, p.late) for p in parts}


async def test_answers_last_counts_alternate_may_answer_late_is_marked(ctx: AppContext) -> None:
    clock = ctx.clock
    assert isinstance(clock, FakeClock)
    await open_one(ctx)
    await press(ctx, MOIT, "a:1:agree")
    await press(ctx, MOIT, "a:1:object")
    clock.advance(timedelta(hours=3))
    await press(ctx, MOIT_ALT, "a:1:agree")  # moit-1 answered: their alternate has no say
    assert await positions(ctx) == {"moit-1": ("object", "moit-1", False), "nsv-1": (None, None, False)}
    await escalate_now(ctx)  # nsv-1 did not answer: their alternate gets the buttons, and answers
    await press(ctx, NSV_ALT, "a:1:more_time")
    assert await positions(ctx) == {"moit-1": ("object", "moit-1", False), "nsv-1": ("more_time", "nsv-2", True)}
    rows = await outbox_rows(ctx)
    acks = [r for r in rows if r["method"] == "answerCallbackQuery"]
    assert len(acks) == 4 and "Phản đối" in acks[1]["text"] and acks[2].get("show_alert") is True
    assert "trễ hạn" in acks[3]["text"]
    # Card edits are coalesced: one pending edit however many answers arrived.
    assert sum(1 for r in rows if r["key"].startswith("card-edit:1:")) == 1


@pytest.mark.parametrize("data", ["a:1:maybe", "a:99:agree", "a:0:agree", "x", "", "a:1:agree:extra", "a:01:agree"])
async def test_forged_callback_data_changes_nothing(ctx: AppContext, data: str) -> None:
    await open_one(ctx)
    await press(ctx, MOIT, data)
    assert (await positions(ctx))["moit-1"] == (None, None, False)
    ack = (await outbox_rows(ctx))[-1]
    assert ack["method"] == "answerCallbackQuery" and ack["show_alert"] is True


async def test_presses_by_outsiders_and_after_close_are_refused(ctx: AppContext) -> None:
    await open_one(ctx)
    await press(ctx, MOHA, "a:1:agree")  # not invited, nobody's alternate here
    await press(ctx, 424242, "a:1:agree")  # not enrolled at all
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    await press(ctx, MOIT, "a:1:agree")
    assert (await positions(ctx))["moit-1"] == (None, None, False)
    texts = [r["text"] for r in await outbox_rows(ctx) if r["method"] == "answerCallbackQuery"]
    assert "không phải đầu mối" in texts[0] and "chưa được đăng ký" in texts[1]
    # It says when it ended, not only that the button is spent (issue 26, item 5).
    assert re.fullmatch(r"#1 đã kết thúc lúc \d\d:\d\d \d\d/\d\d/\d{4}; không nhận thêm ý kiến\.", texts[2])


async def test_a_press_after_a_cancelling_says_it_was_cancelled_and_when(ctx: AppContext) -> None:
    await open_one(ctx)
    await person_command(managing.cancel, COORD, "1", "/cancel")(ctx)
    await press(ctx, MOIT, "a:1:agree")
    [text] = [r["text"] for r in await outbox_rows(ctx) if r["method"] == "answerCallbackQuery"]
    assert re.fullmatch(r"#1 đã bị hủy lúc \d\d:\d\d \d\d/\d\d/\d{4}; không nhận ý kiến\.", text)


async def test_a_press_counts_only_on_a_message_the_bot_sent_that_person(ctx: AppContext) -> None:
    """The alternate, before any escalation, sends data the bot never sent them — on their own
    message, on the invitee's, with no message — and an invitee presses on someone else's: none count."""
    await open_one(ctx)
    invitation = await buttons_message(ctx, MOIT, 1)
    assert invitation is not None
    for user, on in [(MOIT_ALT, None), (MOIT_ALT, invitation), (MOIT_ALT, 1), (NSV, invitation)]:
        await press(ctx, user, "a:1:more_time", message_id=on if on is not None else -1)
    assert {k: v[0] for k, v in (await positions(ctx)).items()} == {"moit-1": None, "nsv-1": None}
    refused = await events(ctx, "refused")
    assert len(refused) == 4 and all('"error.not_participant"' in r["data"] for r in refused)
    await press(ctx, MOIT, "a:1:more_time", message_id=invitation)
    assert (await positions(ctx))["moit-1"] == ("more_time", "moit-1", False)


@pytest.mark.parametrize("data", ["a:1:agree\n", "a:1:agree\r\n", "f:1:ok\n", " a:1:agree"])
def test_callback_parsers_take_only_a_full_match(data: str) -> None:
    from bot.domain.callbacks import parse_answer, parse_form

    assert parse_answer(data) is None and parse_form(data) is None


async def test_replayed_update_is_processed_once(ctx: AppContext) -> None:
    await open_one(ctx)
    invitation = await buttons_message(ctx, MOIT, 1)
    the_press = answering.Press("cb-replay", MOIT, "a:1:agree", chat_id=MOIT, message_id=invitation)
    for _ in range(3):
        await run(ctx, MOIT, "button", lambda uow: answering.answer(uow, the_press), update_id=777)
    assert len(await events(ctx, "answered")) == 1


async def test_private_reply_is_a_comment_relayed_to_the_topic(ctx: AppContext) -> None:
    await open_one(ctx)
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE participants SET invitation_message_id = 55 WHERE person_key = 'moit-1'")
    for text, message_id in [("Bộ Công Thương đồng ý về nguyên tắc.", 60), ("Ý kiến [MẬT] chi tiết", 61),
                             ("TỐI MẬT phương án", 62)]:
        incoming = Incoming(MOIT, MOIT, message_id, text, reply_to_message_id=55)
        await run(ctx, MOIT, "comment", lambda uow, m=incoming: comments.comment(uow, m))
    async with ctx.db.reading() as tx:
        stored = await consultations.messages(tx, await load_data_key(tx, ctx.keys, 1), 1)
    assert [(m.text, m.guard_action) for m in stored] == [
        ("Bộ Công Thương đồng ý về nguyên tắc.", "allow"), ("Ý kiến [đã lược bỏ: Mật]", "redact"), (None, "block")]
    rows = {r["key"]: r for r in await outbox_rows(ctx)}
    assert "Trần Thị Bình (Bộ Công Thương)" in rows[f"relay:{MOIT}:60"]["text"]
    assert "[đã lược bỏ: Mật]" in rows[f"relay:{MOIT}:61"]["text"]
    assert f"relay:{MOIT}:62" not in rows and "bị chặn" in rows[f"blocked-notice:{MOIT}:0:moit-1:1"]["text"]
    assert "Tối mật" in rows[f"blocked-notice:{MOIT}:0:moit-1:1"]["text"]
    blocked = await events(ctx, "blocked")
    assert len(blocked) == 1 and "TỐI MẬT" not in blocked[0]["data"]
    assert json.loads(blocked[0]["data"])["where"] == "private" and blocked[0]["actor"] == "moit-1"


async def test_blocked_text_in_topic_is_deleted_with_a_notice(ctx: AppContext) -> None:
    await open_one(ctx)
    async with ctx.db.transaction() as tx:
        await consultations.set_thread(tx, 1, GROUP, 77)
    incoming = Incoming(NSV, GROUP, 90, "TỐI MẬT kế hoạch", thread_id=77)
    await run(ctx, NSV, "comment", lambda uow: comments.comment(uow, incoming), chat_id=GROUP)
    rows = {r["key"]: r for r in await outbox_rows(ctx)}
    assert rows[f"delete:{GROUP}:90"]["message_id"] == 90
    notice = rows[f"blocked-notice:{GROUP}:77:nsv-1:1"]
    assert "Lý Thành Nam" not in notice["text"] and notice["message_thread_id"] == 77  # the group learns only that
    assert "kế hoạch" not in notice["text"]
    in_place = rows[f"blocked-ephemeral:{GROUP}:90"]  # the sender is told where the post vanished, alone
    assert in_place["message_thread_id"] == 77 and "Tối mật" in in_place["text"] and "kế hoạch" not in in_place["text"]


async def test_close_posts_the_outcome_report(ctx: AppContext) -> None:
    await open_one(ctx, "2h aec+connectivity: Dự thảo tuyên bố chung")
    await press(ctx, MOIT, "a:1:object")
    await press(ctx, NSV, "a:1:agree")
    await person_command(managing.close, COORD, "1 Thống nhất trình Thủ tướng", "/close", chat_id=GROUP)(ctx)
    rows = {r["key"]: r for r in await outbox_rows(ctx)}
    report = rows["report:1"]["text"]
    assert "Ý kiến theo cơ quan:\n  • Trần Thị Bình (Bộ Công Thương): Phản đối" in report
    assert "Không trả lời:" in report and "Bùi Quang Huy (Bộ Tài chính)" in report  # mof-1 never answered
    assert "Thống nhất trình Thủ tướng" in report
    assert rows["report-coordinator:1"]["chat"] == COORD
    assert rows["topic-close:1"]["method"] == "closeForumTopic"
    async with ctx.db.reading() as tx:
        record, _ = await consultations.get(tx, ctx.keys, 1)
    assert record.consultation.state == "closed" and record.outcome == report


async def test_extend_tells_invitees_and_cancel_is_final(ctx: AppContext) -> None:
    await open_one(ctx)
    await person_command(managing.extend, COORD, "1 1h", "/extend")(ctx)
    rows = await outbox_rows(ctx)
    assert sum(1 for r in rows if r["key"].startswith("extend:1:")) == 2
    await person_command(managing.cancel, COORD, "1", "/cancel")(ctx)
    await person_command(managing.extend, COORD, "1 1h", "/extend")(ctx)
    assert (await outbox_rows(ctx))[-1]["text"] == "#1 đã bị hủy; không thể thực hiện lệnh này nữa."


async def test_enrollment_then_held_invitation_is_delivered(ctx: AppContext) -> None:
    from bot.store.repos import enrollments

    await open_one(ctx, "1h connectivity: Kết nối")
    async with ctx.db.transaction() as tx:
        await consultations.set_reachable(tx, 1, "jkt-1", False)
        await tx.execute("UPDATE people SET telegram_user_id = NULL WHERE key = 'jkt-1'")
        token = await enrollments.create_token(tx, "jkt-1", ctx.clock.now(), timedelta(hours=1))
    await run(ctx, 7777, "/start", lambda uow: enrollment.start(uow, 7777, token, "vi"))
    rows = await outbox_rows(ctx)
    assert any(r["key"] == "invite:1:jkt-1:2" and r["chat"] == 7777 for r in rows)
    await run(ctx, 8888, "/start", lambda uow: enrollment.start(uow, 8888, token, "vi"))
    assert "đã được dùng" in (await outbox_rows(ctx))[-1]["text"]
