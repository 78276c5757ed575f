"""«⏳ Cần thêm thời gian» is a request to the coordinator: he is told at once, with the command
that grants it (issue 26, item 5). Before, it was filed as an answer and nobody was told."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.services.kernel.context import AppContext
from tests.support import KeywordGuard
from tests.support.flow import COORD, GROUP, MOIT, deliver_buttons, open_one, outbox_rows, press


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def test_the_coordinator_hears_of_a_request_for_more_time(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, MOIT, "a:1:more_time")
    told = [r["text"] for r in await outbox_rows(ctx) if r["chat"] == COORD and "thêm thời gian" in (r["text"] or "")]
    assert len(told) == 1
    assert told[0].startswith("⏳ #1: Trần Thị Bình (Bộ Công Thương) đề nghị thêm thời gian (hạn hiện tại ")
    assert told[0].endswith("Để gia hạn, anh/chị gõ: /extend 1 30 phút")


async def test_other_answers_do_not_tell_it(ctx: AppContext) -> None:
    await open_one(ctx)
    await deliver_buttons(ctx)
    await press(ctx, MOIT, "a:1:agree")
    assert not [r for r in await outbox_rows(ctx) if r["chat"] == COORD and "thêm thời gian" in (r["text"] or "")]
