"""Callback data is whatever a client sends. A modified client of an alternate, before any
escalation, sends answer data the bot never sent them: it must count for nobody."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.e2e import COORD, forge_press, last_bot_text

pytestmark = pytest.mark.slow
MOIT, MOIT_ALT = 2001, 2002


async def test_a_forged_press_before_escalation_counts_for_nobody(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    await client.send_message(COORD, text="/urgent 2h aec: Lập trường về dự thảo")
    await last_bot_text(client, COORD, "Đã mở #1")
    invitation = await last_bot_text(client, MOIT, "#1")
    await client.send_message(MOIT_ALT, text="/whoami")
    own = await last_bot_text(client, MOIT_ALT, "Lê Văn Cường")

    for data in ("a:1:more_time", "a:1:agree\n"):
        query_id = await forge_press(sandbox, MOIT_ALT, own["message_id"], data)

        async def answered(query_id: str = query_id) -> dict[str, Any] | None:
            state = await client.callback_state(query_id)
            return state if state.get("answered") else None
        state = await eventually(answered, what="the forged press to be answered")
        assert state["show_alert"] is True
    async with bot.ctx.db.reading() as tx:
        row = await tx.fetchone("SELECT position, responded_by FROM participants WHERE person_key = 'moit-1'")
        assert row is not None and row["position"] is None and row["responded_by"] is None
        refused = await tx.fetchval("SELECT count(*) FROM events WHERE type = 'refused' AND actor = 'moit-2'")
        assert refused == 1  # the malformed one is refused as stale data, the other as not theirs

    # The invitee's own press on the invitation the bot sent her still counts.
    await client.press_button(MOIT, MOIT, invitation["message_id"], "a:1:agree")

    async def recorded() -> bool:
        async with bot.ctx.db.reading() as tx:
            return await tx.fetchval("SELECT position FROM participants WHERE person_key = 'moit-1'") == "agree"
    await eventually(recorded, what="moit-1's own answer")
