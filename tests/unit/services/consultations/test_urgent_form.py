"""The guided /urgent form's use cases: its steps, and presses that do not fit them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.domain.callbacks import parse_form
from bot.services import answering, comments
from bot.services.consultations import urgent_form
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation.formatting import local_time
from bot.store.repos import consultations
from tests.support import KeywordGuard
from tests.support.flow import COORD, GROUP, MOIT, events, outbox_rows, person_command, run, update_ids


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def typed(ctx: AppContext, user: int, text: str) -> None:
    message = Incoming(user, user, next(update_ids), text)
    await run(ctx, user, "comment", lambda uow: comments.text(uow, message))


async def press(ctx: AppContext, user: int, data: str) -> None:
    pressed = answering.Press(f"cb{next(update_ids)}", user, data)

    async def refuse(uow: UnitOfWork, error: object, language: str) -> None:
        await answering.refuse_press(uow, pressed, error, language)  # type: ignore[arg-type]

    await run(ctx, user, "/urgent form", lambda uow: urgent_form.press(uow, pressed, 7), on_error=refuse)


async def form_row(ctx: AppContext) -> dict[str, object] | None:
    async with ctx.db.reading() as tx:
        row = await tx.fetchone("SELECT id, step, scopes, deadline, title_enc FROM urgent_forms")
    return None if row is None else dict(row)


async def opened(ctx: AppContext) -> int:
    async with ctx.db.reading() as tx:
        return int(await tx.fetchval("SELECT count(*) FROM consultations"))


async def test_form_steps_to_an_opened_consultation(ctx: AppContext) -> None:
    await person_command(urgent_form.command, COORD, "", "/urgent")(ctx)
    assert (await form_row(ctx) or {})["step"] == "title"
    await typed(ctx, COORD, "Góp ý dự thảo tuyên bố")
    row = await form_row(ctx)
    assert row is not None and row["step"] == "scopes"
    assert b"tuy" not in bytes(row["title_enc"])  # type: ignore[arg-type]  # ciphertext only
    await press(ctx, COORD, "f:1:s:aec")
    await press(ctx, COORD, "f:1:next")
    await press(ctx, COORD, "f:1:d:2h")
    assert (await form_row(ctx) or {})["step"] == "confirm"
    assert await opened(ctx) == 0
    await press(ctx, COORD, "f:1:ok")
    assert await opened(ctx) == 1 and await form_row(ctx) is None
    assert any(r["method"] == "createForumTopic" for r in await outbox_rows(ctx))


@pytest.mark.parametrize("user,data", [
    (MOIT, "f:1:next"),          # not a coordinator: refused, and the refusal is an event
    (COORD, "f:2:s:aec"),        # another form's id
    (COORD, "f:1:s:nowhere"),    # no such scope
    (COORD, "f:1:d:2h"),         # a deadline while scopes are asked
    (COORD, "f:1:ok"),           # confirming before the end
    (COORD, "f:1:s"),            # malformed
    (COORD, "f:01:next"),
    (COORD, "f:1:next:extra"),
    (COORD, "f:1:next"),         # next with nothing ticked
])
async def test_presses_that_do_not_fit_change_nothing(ctx: AppContext, user: int, data: str) -> None:
    await person_command(urgent_form.command, COORD, "", "/urgent")(ctx)
    await typed(ctx, COORD, "Góp ý dự thảo")
    before = await form_row(ctx)
    await press(ctx, user, data)
    assert await form_row(ctx) == before and await opened(ctx) == 0
    ack = (await outbox_rows(ctx))[-1]
    assert ack["method"] == "answerCallbackQuery" and ack["show_alert"] is True
    if user == MOIT:
        assert (await events(ctx, "refused"))[-1]["actor"] == "moit-1"


def test_parse_form_is_strict() -> None:
    assert parse_form("f:3:s:aec") is not None
    for data in ("f:3:s:AEC", "f:3:d", "f:3:ok:1", "f:0:ok", "f:3:zz", "a:3:agree", None, "f:3:s:" + "a" * 40):
        assert parse_form(data) is None, data


async def test_a_private_reply_to_an_invitation_stays_a_comment_during_a_form(ctx: AppContext) -> None:
    await person_command(urgent_form.command, COORD, "", "/urgent")(ctx)
    await typed(ctx, MOIT, "Không có biểu mẫu nào của tôi")  # MOIT has no form: an ordinary message
    assert "không gắn với cuộc tham vấn" in (await outbox_rows(ctx))[-1]["text"]
    assert (await form_row(ctx) or {})["step"] == "title"


async def test_ok_opens_with_the_deadline_the_confirmation_showed_or_shows_it_again(
        ctx: AppContext, clock: FakeClock) -> None:
    await person_command(urgent_form.command, COORD, "", "/urgent")(ctx)
    await typed(ctx, COORD, "Góp ý dự thảo")
    await press(ctx, COORD, "f:1:s:aec")
    await press(ctx, COORD, "f:1:next")
    await press(ctx, COORD, "f:1:d:2h")
    shown = clock.now() + timedelta(hours=2)
    confirm = next(r for r in reversed(await outbox_rows(ctx)) if "Vui lòng kiểm tra" in r.get("text", ""))
    assert f"Thời hạn: {local_time(shown, ctx.zone)}" in confirm["text"]
    clock.advance(timedelta(seconds=20))  # the coordinator reads before pressing
    await press(ctx, COORD, "f:1:ok")
    async with ctx.db.reading() as tx:
        record, _ = await consultations.get(tx, ctx.keys, 1)
    assert record.consultation.deadline_at == shown  # not 20 s later

    await person_command(urgent_form.command, COORD, "", "/urgent")(ctx)
    await typed(ctx, COORD, "Lần hai")
    await press(ctx, COORD, "f:2:s:aec")
    await press(ctx, COORD, "f:2:next")
    await press(ctx, COORD, "f:2:d:2h")
    clock.advance(timedelta(hours=3))  # the confirmed deadline has passed: confirm again, from now
    await press(ctx, COORD, "f:2:ok")
    assert await opened(ctx) == 1 and (await form_row(ctx) or {})["step"] == "confirm"
    rows = await outbox_rows(ctx)
    assert "đã tính lại từ bây giờ" in next(r for r in reversed(rows) if r["method"] == "answerCallbackQuery")["text"]
    again = next(r for r in reversed(rows) if "Vui lòng kiểm tra" in r.get("text", ""))
    assert f"Thời hạn: {local_time(clock.now() + timedelta(hours=2), ctx.zone)}" in again["text"]
    await press(ctx, COORD, "f:2:ok")
    assert await opened(ctx) == 2
