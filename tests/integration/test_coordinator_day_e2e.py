"""The coordinator's day (issue 26), through the sandbox against the real bot and a real SQLite
file: replies that say what really happened, errors that say what is wrong."""

from __future__ import annotations

import base64
import io
from typing import Any

import docx
import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.e2e import last_bot_text

pytestmark = pytest.mark.slow

COORD, MOIT, NSV = 1001, 2001, 6001


async def test_a_reply_after_the_close_is_not_called_delivered_nor_reported(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    await client.send_message(COORD, text="/urgent 2h aec: Dự thảo tuyên bố về kinh tế số")
    invitation = await last_bot_text(client, MOIT, "Tham vấn khẩn #1")
    await client.send_message(COORD, text="/close 1")
    await last_bot_text(client, COORD, "Kết quả tham vấn #1")

    await client.send_message(MOIT, reply_to=invitation["message_id"], text="Góp ý muộn về đoạn 3")
    told = await last_bot_text(client, MOIT, "KHÔNG được chuyển")
    assert "đã kết thúc" in told["text"] and "người điều phối" in told["text"]
    assert not [m for m in await client.bot_messages(MOIT) if "Đã chuyển góp ý" in (m.get("text") or "")]

    await client.send_message(COORD, text="/report 1")

    async def document() -> Any:
        found = [m for m in await client.bot_messages(COORD) if m.get("document")]
        return found[-1] if found else None
    sent = await eventually(document, within=30, what="the report DOCX")
    content = base64.b64decode(sandbox.state.files[sent["document"]["file_id"]].content_b64)
    report = docx.Document(io.BytesIO(content))
    whole = "\n".join([p.text for p in report.paragraphs]
                      + [c.text for t in report.tables for row in t.rows for c in row.cells])
    assert "Góp ý muộn về đoạn 3" not in whole
