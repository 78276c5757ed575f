"""The officers' digest (#29): its counts are the cases', an agency officer's only their agency's,
once a day (re-armed from the database), and nothing of any blocked content in it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.domain.guard_tally import CaseFacts, precision_by_rule, tally
from bot.services import comments
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.officer import digest
from tests.support import KeywordGuard
from tests.support.flow import COORD, GROUP, NSV, outbox_rows, run

MOFA_OFFICER, NATIONAL_OFFICER = 1005, 9101
CANARY = "TỐI MẬT digest-canary-41"


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def _block(ctx: AppContext, user_id: int, message_id: int) -> None:
    message = Incoming(user_id, GROUP, message_id, CANARY)
    await run(ctx, user_id, "comment", lambda uow: comments.comment(uow, message), chat_id=GROUP)


async def _digests(ctx: AppContext, chat: int) -> list[dict[str, object]]:
    return [r for r in await outbox_rows(ctx) if r["chat"] == chat and str(r["key"]).startswith("guard-desk:digest:")]


async def test_the_digest_counts_the_cases_each_officer_may_see_once_a_day(ctx: AppContext) -> None:
    assert isinstance(ctx.clock, FakeClock)  # 09:00 in Hà Nội: the 08:00 digest is due
    for message_id in (1, 2, 3):
        await _block(ctx, NSV, message_id)
    await _block(ctx, COORD, 4)
    assert await digest.send_due(ctx) == 2
    [national] = await _digests(ctx, NATIONAL_OFFICER)
    [agency] = await _digests(ctx, MOFA_OFFICER)
    assert "4 lượt chặn" in str(national["text"]) and "Lý Thành Nam (Ban Thư ký ASEAN Quốc gia Việt Nam): 3" \
        in str(national["text"])
    assert "1 lượt chặn" in str(agency["text"]) and "Lý Thành Nam" not in str(agency["text"])
    charts = [r for r in await outbox_rows(ctx) if str(r["key"]).startswith("guard-desk:digest-chart:")]
    assert len(charts) == 2
    assert await digest.send_due(ctx) == 0  # never twice a day
    ctx.clock.advance(timedelta(hours=23))  # 08:00 the next day: the blocks are within its 24 hours
    assert await digest.send_due(ctx) == 2
    ctx.clock.advance(timedelta(days=1))  # a quiet day after
    assert await digest.send_due(ctx) == 0
    for row in await outbox_rows(ctx):
        assert "digest-canary" not in str(row.get("text")) and "digest-canary" not in str(row.get("caption"))


async def test_no_digest_before_its_time(ctx: AppContext) -> None:
    assert isinstance(ctx.clock, FakeClock)
    ctx.clock.set(datetime(2026, 11, 23, 0, 30, tzinfo=UTC))  # 07:30 in Hà Nội
    assert await digest.send_due(ctx) == 0
    assert digest.next_due(ctx.clock.now(), "Asia/Ho_Chi_Minh", "08:00") == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_precision_is_upheld_over_decided_by_rule() -> None:
    at = datetime(2026, 11, 23, tzinfo=UTC)

    def case(rule: str, decision: str | None) -> CaseFacts:
        return CaseFacts(at, "a", "mofa", rule, None, "file", decision is not None, decision)
    cases = [case("unreadable-image", "released"), case("unreadable-image", "upheld"),
             case("unreadable-image", "released"), case("marking-alone-on-line", "upheld"), case("x", None)]
    precision = precision_by_rule(cases)
    assert precision["unreadable-image"] == (1, 2, pytest.approx(1 / 3))
    assert precision["marking-alone-on-line"] == (1, 0, 1.0) and precision["x"] == (0, 0, None)
    figures = tally(cases, "Asia/Ho_Chi_Minh")
    assert (figures.blocks, figures.upheld, figures.released, figures.reports_open) == (5, 2, 2, 0)
    assert figures.repeated == {"a": 5}


async def test_a_quiet_day_sends_no_digest(ctx: AppContext) -> None:
    assert await digest.send_due(ctx) == 0
    assert await _digests(ctx, NATIONAL_OFFICER) == []
