"""Invitees outside the coordination group get a link of their own; only invitees are let in."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.e2e import COORD, MOHA, MOIT, NSV, last_bot_text
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow


async def test_outsider_invitee_gets_a_link_and_only_invitees_get_in(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    chat = sandbox.state.chat(group)
    assert chat is not None
    chat.members = [m for m in chat.members if m not in (MOIT, MOHA)]

    await client.send_message(COORD, text="/urgent 2h aec: Lập trường về dự thảo")
    await last_bot_text(client, MOIT, "Tham vấn khẩn #1")
    invite = await last_bot_text(client, MOIT, "Đường dẫn này chỉ dành cho anh/chị")
    button = invite["reply_markup"]["inline_keyboard"][0][0]
    link = button["url"]
    assert link.startswith("https://t.me/+")
    assert sandbox.state.invite_links[link].creates_join_request is True

    # Members already in the group get no link.
    await last_bot_text(client, NSV, "Tham vấn khẩn #1")
    members_checked = await eventually(lambda: _calls(client, "getChatMember", 2), what="membership checks")
    assert {c["params"]["user_id"] for c in members_checked} >= {MOIT, NSV}
    assert not [m for m in await client.bot_messages(NSV) if "Đường dẫn" in (m.get("text") or "")]

    # A stranger and an enrolled person not invited (MOHA) are declined; the invitee is approved.
    await client.add_user(99001, "Người lạ")
    await client.join_request(99001, link)
    await client.join_request(MOHA, link)
    await client.join_request(MOIT, link)
    await eventually(lambda: _true(MOIT in chat.members), what="the invitee to be let in")
    await eventually(lambda: _calls(client, "declineChatJoinRequest", 2), what="two declines")
    assert 99001 not in chat.members and MOHA not in chat.members
    assert sandbox.state.join_requests.get(str(group)) == []

    async with bot.ctx.db.reading() as tx:
        refused = await tx.fetchall("SELECT actor FROM events WHERE type = 'refused'")
        joined = await tx.fetchall("SELECT actor FROM events WHERE type = 'joined_group'")
        links = await tx.fetchall("SELECT actor FROM events WHERE type = 'join_link_sent'")
    assert sorted(r["actor"] for r in refused) == ["moha-1", "tg:99001"]
    assert [r["actor"] for r in joined] == ["moit-1"] and [r["actor"] for r in links] == ["moit-1"]
    assert_calls_valid(await client.log())


async def _calls(client: SandboxClient, method: str, at_least: int) -> Any:
    found = [c for c in await client.log() if c["method"] == method and c["error"] is None]
    return found if len(found) >= at_least else None


async def _true(value: bool) -> bool:
    return value
