"""`/urgent 17h …` through the use case (#26 item 2): a time of day already passed today is
tomorrow's, and the coordinator's reply says so; `8h` is asked back and nothing opens."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.services.consultations import opening
from bot.services.kernel.context import AppContext
from tests.support import KeywordGuard
from tests.support.flow import COORD, GROUP, outbox_rows, person_command

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


@pytest.mark.parametrize(("at", "when", "shown"), [
    (datetime(2026, 12, 5, 18, 0, tzinfo=HANOI), "17h", "17:00 06/12/2026 (ngày mai)"),
    (datetime(2026, 12, 5, 9, 0, tzinfo=HANOI), "17 giờ", "17:00 05/12/2026"),
])
async def test_the_reply_names_the_day_of_a_time_of_day(ctx: AppContext, clock: FakeClock, at: datetime,
                                                        when: str, shown: str) -> None:
    clock.set(at)
    await person_command(opening.open_consultation, COORD, f"{when} aec: Góp ý dự thảo", "/urgent")(ctx)
    reply = next(r for r in await outbox_rows(ctx) if r["chat"] == COORD)
    assert shown in reply["text"], reply["text"]
    assert ("ngày mai" in reply["text"]) == shown.endswith("(ngày mai)")


async def test_a_small_hour_is_asked_and_nothing_opens(ctx: AppContext, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 5, 6, 0, tzinfo=HANOI))
    await person_command(opening.open_consultation, COORD, "8h aec: Góp ý", "/urgent")(ctx)
    rows = await outbox_rows(ctx)
    assert len(rows) == 1 and "08:00" in rows[0]["text"] and "8 tiếng" in rows[0]["text"], rows
    async with ctx.db.reading() as tx:
        assert await tx.fetchval("SELECT count(*) FROM consultations") == 0


async def test_deadlines_are_shown_without_seconds(ctx: AppContext, clock: FakeClock) -> None:
    clock.set(datetime(2026, 12, 5, 14, 3, 27, tzinfo=HANOI))
    await person_command(opening.open_consultation, COORD, "2 giờ aec: Góp ý dự thảo", "/urgent")(ctx)
    reply = next(r for r in await outbox_rows(ctx) if r["chat"] == COORD)
    assert "16:03 05/12/2026" in reply["text"] and "16:03:27" not in reply["text"], reply["text"]
