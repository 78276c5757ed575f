"""A marking typed over two messages, through the sandbox and the real bot (issue 24, item 6):
«Độ mật:» then «A», «TỐI» then «MẬT». Each message alone passes; the reader sees one under the
other, so the second is blocked at the level of the two together and the first is removed with it.
Harmless pairs stay."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from tests.support.e2e import NSV, open_topic, stored_messages, visible_ids

pytestmark = pytest.mark.slow


async def blocked_levels(ctx: AppContext) -> list[str | None]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT data FROM events WHERE type = 'blocked' ORDER BY seq")
    return [json.loads(r["data"]).get("level") for r in rows]


async def both_gone(client: SandboxClient, chat: int, thread: int, first: int, second: int) -> None:
    async def gone() -> bool:
        return not {first, second} & await visible_ids(client, chat, thread)
    await eventually(gone, what=f"messages {first} and {second} to be deleted")


@pytest.mark.parametrize(("first", "second", "level"), [("Độ mật:", "A", "tuyet_mat"),
                                                        ("Gửi các anh chị. TỐI", "MẬT", "toi_mat")])
async def test_a_marking_typed_over_two_messages_removes_both_at_the_level_of_the_two(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext,
        first: str, second: str, level: str) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    one = await client.send_message(NSV, group, first, thread_id=thread)
    two = await client.send_message(NSV, group, second, thread_id=thread)
    await both_gone(client, group, thread, one, two)

    async def recorded() -> Any:
        levels = await blocked_levels(app_context)
        return levels or None
    assert await eventually(recorded, what="the block on record") == [level]  # never lowered to «mat»


async def test_harmless_pairs_and_other_senders_lines_are_not_joined(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    sent = [await client.send_message(NSV, group, text, thread_id=thread)
            for text in ("Kết luận:", "đồng ý", "Độ mật:", "không có", "tối", "mai họp nhé")]

    async def all_stored() -> Any:
        return len(await stored_messages(app_context)) >= len(sent) or None
    await eventually(all_stored, what="every harmless line stored")
    assert set(sent) <= await visible_ids(client, group, thread)
    assert await blocked_levels(app_context) == []
