"""A real 40-second consultation: reminders, escalation and the coordinator's notice on time."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import from_iso
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from tests.support.e2e import COORD, MOIT, NSV, last_bot_text

pytestmark = pytest.mark.slow
NSV_ALTERNATE = 6002


async def sends_to(client: SandboxClient, chat: int, contains: str) -> list[dict[str, Any]]:
    return [c for c in await client.log() if c["method"] == "sendMessage" and c["error"] is None
            and c["params"].get("chat_id") == chat and contains in c["params"].get("text", "")]


async def test_forty_second_consultation(bot: BotRunner, client: SandboxClient, sandbox: SandboxServer,
                                         app_context: AppContext) -> None:
    await client.send_message(COORD, text="/urgent 40s aec: Ý kiến nhanh về đoạn 12")
    invitation = await last_bot_text(client, MOIT, "Tham vấn khẩn #1")
    await client.press_button(MOIT, MOIT, invitation["message_id"], "a:1:agree")
    async with app_context.db.reading() as tx:
        opened = from_iso(await tx.fetchval("SELECT opened_at FROM consultations WHERE id = 1")).timestamp()

    alternate = await eventually(lambda: _first(client, NSV_ALTERNATE, "#1"), within=50,
                                 what="the escalation to the alternate")
    assert "Lý Thành Nam" in alternate["params"]["text"]
    assert "a:1:agree" in str(alternate["params"]["reply_markup"])
    notice = await last_bot_text(client, COORD, "Đã hết hạn #1")
    assert "Lý Thành Nam" in notice["text"] and "Trần Thị Bình" not in notice["text"]

    reminders = await sends_to(client, NSV, "#1 Ý kiến nhanh") + await sends_to(client, NSV, "KHẨN")
    reminders = [r for r in reminders if "Tham vấn khẩn" not in r["params"]["text"]]
    assert len(reminders) == 2, [r["params"]["text"] for r in reminders]
    assert [round(r["time"] - opened) for r in sorted(reminders, key=lambda r: r["time"])] in ([20, 32], [20, 33])
    for reminder, due in zip(sorted(reminders, key=lambda r: r["time"]), (20, 32), strict=True):
        assert 0 <= reminder["time"] - opened - due < 1.0
    assert 0 <= alternate["time"] - opened - 40 < 1.0
    assert await sends_to(client, MOIT, "Nhắc") == []  # the one who answered is left alone
    assert await sends_to(client, MOIT, "Đề nghị trả lời") == []

    # The alternate answers for the agency; the card shows it.
    message = next(m for m in await client.bot_messages(NSV_ALTERNATE) if "#1" in (m.get("text") or ""))
    await client.press_button(NSV_ALTERNATE, NSV_ALTERNATE, message["message_id"], "a:1:object")
    responded_by = await eventually(lambda: _position(app_context, "nsv-1"), what="the alternate's answer")
    assert responded_by == "nsv-2"


async def _first(client: SandboxClient, chat: int, contains: str) -> Any:
    found = await sends_to(client, chat, contains)
    return found[0] if found else None


async def _position(ctx: AppContext, person: str) -> Any:
    async with ctx.db.reading() as tx:
        return await tx.fetchval(
            "SELECT responded_by FROM participants WHERE consultation_id = 1 AND person_key = ? AND late = 1",
            (person,))
