"""A marking typed a letter a message, through the sandbox and the real bot (issue 24, item 6, by
other hands): «M», «Ậ», «T» in three messages are a column a reader reads down. The last is blocked,
the letters before it are removed with it, and the greeting typed before them stays."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from tests.support.e2e import NSV, open_topic, visible_ids

pytestmark = pytest.mark.slow


async def test_a_marking_typed_a_letter_a_message_is_removed_whole(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    greeting = await client.send_message(NSV, group, "Chào các anh chị", thread_id=thread)
    letters = [await client.send_message(NSV, group, letter, thread_id=thread)
               for letter in ("T", "Ố", "I", "M", "Ậ", "T")]

    async def gone() -> bool:
        return not set(letters) & await visible_ids(client, group, thread)
    await eventually(gone, what="every letter of the column to be deleted")

    async def recorded() -> Any:
        async with app_context.db.reading() as tx:
            rows = await tx.fetchall("SELECT data FROM events WHERE type = 'blocked' ORDER BY seq")
        return [json.loads(r["data"]).get("level") for r in rows] or None
    assert await eventually(recorded, what="the block on record") == ["toi_mat"]  # TỐI MẬT, not MẬT
    assert greeting in await visible_ids(client, group, thread)
