"""One-tap coordinator actions: the button's data is untrusted, so whoever presses is checked —
the coordinator of that consultation only (issue 26, item 5)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.domain.callbacks import action_data, parse_action
from bot.services import answering
from bot.services.consultations import coordinator_actions
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import consultations
from tests.support import KeywordGuard
from tests.support.flow import COORD, GROUP, MOIT, open_one, outbox_rows, run, update_ids


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def tap(ctx: AppContext, user: int, data: str) -> None:
    the_press = answering.Press(f"cb{next(update_ids)}", user, data, chat_id=user, message_id=1)

    async def refuse(uow: UnitOfWork, error: Any, language: str) -> None:
        await answering.refuse_press(uow, the_press, error, language)

    await run(ctx, user, "coordinator button", lambda uow: coordinator_actions.act(uow, the_press), on_error=refuse)


async def deadline(ctx: AppContext) -> Any:
    async with ctx.db.reading() as tx:
        record, _ = await consultations.get(tx, ctx.keys, 1)
    return record.consultation.deadline_at


@pytest.mark.parametrize("data", ["c:1:extend", "c:01:extend", "c:1:delete", "c:1:extend:9", "c:1", "a:1:extend", ""])
def test_only_well_formed_data_parses(data: str) -> None:
    assert (parse_action(data) is not None) == (data == "c:1:extend")


def test_the_data_round_trips() -> None:
    for action in ("remind", "extend", "close"):
        parsed = parse_action(action_data(7, action))
        assert parsed is not None and (parsed.consultation_id, parsed.action) == (7, action)
    with pytest.raises(ValueError):
        action_data(7, "delete")


async def test_someone_not_the_coordinator_is_refused_and_nothing_changes(ctx: AppContext) -> None:
    await open_one(ctx)
    before = await deadline(ctx)
    await tap(ctx, MOIT, "c:1:extend")
    assert await deadline(ctx) == before
    rows = await outbox_rows(ctx)
    assert not [r for r in rows if "Đã gia hạn" in (r.get("text") or "")]


async def test_the_coordinator_extends_by_thirty_minutes(ctx: AppContext) -> None:
    await open_one(ctx)
    before = await deadline(ctx)
    await tap(ctx, COORD, "c:1:extend")
    assert (await deadline(ctx) - before).total_seconds() == 30 * 60
    await tap(ctx, COORD, "c:9:extend")  # no such consultation: a stale button, nothing else
    assert (await deadline(ctx) - before).total_seconds() == 30 * 60
