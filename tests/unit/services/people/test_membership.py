"""Who gets a join link, and whose join request is approved."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import unit_of_work
from bot.services.people import membership
from tests.support.flow import GROUP, MOHA, MOIT, open_one, outbox_rows, update_ids


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    from tests.support import KeywordGuard

    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


@pytest.mark.parametrize("result,linked", [
    ({"status": "left"}, True),
    ({"status": "restricted", "is_member": False}, True),
    ({"status": "restricted", "is_member": True}, False),
    ({"status": "member"}, False),
    ({"status": "kicked"}, False),  # banned by an administrator: no link
    ({}, False),
])
async def test_a_link_only_for_those_outside_the_group(ctx: AppContext, result: dict[str, object],
                                                       linked: bool) -> None:
    await open_one(ctx)
    async with unit_of_work(ctx) as uow:
        await membership.member_checked(uow, 1, "moit-1", MOIT, GROUP, result)
    links = [r for r in await outbox_rows(ctx) if r["method"] == "createChatInviteLink"]
    assert bool(links) == linked
    if linked:
        assert links[0]["creates_join_request"] is True and "member_limit" not in links[0]


async def test_join_requests_approved_only_for_invitees_of_an_open_consultation(ctx: AppContext) -> None:
    await open_one(ctx)  # aec: moit-1 is invited, moha-1 is not
    for user in (MOIT, MOHA, 424242):
        async with unit_of_work(ctx, next(update_ids)) as uow:
            await membership.join_request(uow, user, GROUP)
    decisions = {r["user_id"]: r["method"] for r in await outbox_rows(ctx) if "JoinRequest" in r["method"]}
    assert decisions == {MOIT: "approveChatJoinRequest", MOHA: "declineChatJoinRequest",
                         424242: "declineChatJoinRequest"}
