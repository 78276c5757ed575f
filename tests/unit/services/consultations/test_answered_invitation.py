"""An answered invitation shows the answer given (issue 26, item 5): its buttons are redrawn with
the answer on a disabled button and the other answers live below it, so it no longer looks as if
nothing had been answered; a change of mind redraws it again, the latest winning."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.services.kernel.context import AppContext
from tests.support import KeywordGuard
from tests.support.flow import GROUP, MOIT, deliver_buttons, open_one, outbox_rows, press


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


def edits(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [r for r in rows if r["method"] == "editMessageReplyMarkup" and r["chat"] == MOIT]


async def test_the_pressed_invitation_shows_the_answer_and_keeps_the_others_live(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, MOIT, "a:1:agree")
    [edit] = edits(await outbox_rows(ctx))
    rows = edit["reply_markup"]["inline_keyboard"]  # type: ignore[index]
    assert rows[0][0]["text"].startswith("✓ Ý kiến của anh/chị: Đồng ý (") and rows[0][0]["disabled"] == {}
    assert [b["callback_data"] for b in rows[1]] == ["a:1:object", "a:1:more_time"]
    await press(ctx, MOIT, "a:1:object")  # a change of mind: the same message, redrawn
    latest = edits(await outbox_rows(ctx))[-1]
    rows = latest["reply_markup"]["inline_keyboard"]  # type: ignore[index]
    assert rows[0][0]["text"].startswith("✓ Ý kiến của anh/chị: Phản đối (")
    assert [b["callback_data"] for b in rows[1]] == ["a:1:agree", "a:1:more_time"]


async def test_an_extension_redraws_each_invitation_with_the_new_deadline(ctx: AppContext) -> None:
    """After /extend an invitation no longer shows the deadline it was sent with: it is redrawn with
    the one in force, and its buttons as they stand (an answer given still shows)."""
    from bot.services.consultations import managing
    from bot.services.presentation.formatting import local_time
    from bot.store.repos import consultations
    from tests.support.flow import COORD, NSV, person_command

    await open_one(ctx)
    await deliver_buttons(ctx)
    invites = [row for row in await outbox_rows(ctx) if row["kind"] == "invite"]
    async with ctx.db.transaction() as tx:
        for row in invites:
            await consultations.set_invitation_message(tx, 1, str(row["person_key"]), int(row["id"]))
    await press(ctx, MOIT, "a:1:agree")
    await person_command(managing.extend, COORD, "1 3h", "/extend")(ctx)
    redrawn = {r["chat"]: r for r in await outbox_rows(ctx) if r["method"] == "editMessageText"
               and r["kind"] == "invite-edit"}
    assert {MOIT, NSV} <= set(redrawn)
    async with ctx.db.transaction() as tx:
        record, _ = await consultations.get(tx, ctx.keys, 1)
    shown = local_time(record.consultation.deadline_at, ctx.zone)
    original = next(r for r in await outbox_rows(ctx) if r["kind"] == "invite" and r["chat"] == MOIT)
    assert shown not in str(original["text"]) and shown in str(redrawn[MOIT]["text"])
    assert redrawn[MOIT]["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("✓ Ý kiến của anh/chị: Đồng ý")
    assert [b["callback_data"] for b in redrawn[NSV]["reply_markup"]["inline_keyboard"][0]] == ["a:1:agree",
                                                                                                "a:1:object"]
