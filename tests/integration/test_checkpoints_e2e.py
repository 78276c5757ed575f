"""Checkpoints leave the server (issue 25 item 2), end to end: the closing of a consultation run
through the sandbox publishes a signed note to the auditors' chat, beside the database and in the
log, and what the chat received verifies a bundle as a witness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.audit import trust as trusting
from bot.audit.verify import verify_bundle
from bot.config import Settings
from bot.domain import note
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.services.kernel.context import AppContext
from bot.services.reports.exporting import export_bundle
from bot.store import published
from tests.support.consultation import published as published_signers
from tests.support.e2e import COORD, MOIT, last_bot_text

pytestmark = pytest.mark.slow
AUDITOR = 1002  # auditor-1 of the example roster: a chat the auditors are in


async def run_consultation(client: SandboxClient) -> None:
    await client.send_message(COORD, text="/urgent 2h aec: Dự thảo tuyên bố về kinh tế số")
    moit = await last_bot_text(client, MOIT, "Tham vấn khẩn #1")
    await client.press_button(MOIT, MOIT, moit["message_id"], "a:1:agree")
    await client.send_message(COORD, text="/close 1")
    await last_bot_text(client, COORD, "Kết quả tham vấn #1")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"auditors_chat_id": AUDITOR})


async def test_a_closing_posts_its_checkpoint_to_the_auditors_and_it_witnesses_the_bundle(
        client: SandboxClient, bot: BotRunner, app_context: AppContext, tmp_path: Path) -> None:
    await run_consultation(client)

    async def posted() -> Any:
        notes = [m["text"] for m in await client.bot_messages(AUDITOR) if "\n\n\u2014 " in (m.get("text") or "")]
        return notes or None
    received = await eventually(posted, within=20, what="a checkpoint in the auditors' chat")
    key = app_context.keys.signing_key().public_key()
    last = note.parse(received[-1])
    assert last.signed_by(last.checkpoint.origin, key)
    beside = note.parse_many(published.path_beside(app_context.settings.db_path).read_text())
    assert beside[-1][1].text() == received[-1] or received[-1] in [n.text() for _, n in beside]

    witness = tmp_path / "what-the-chat-received.txt"
    witness.write_text("\n".join(received))
    out = tmp_path / "bundle"
    await export_bundle(app_context, 1, out, "auditor-1", pdf=False)
    checks = verify_bundle(out, trusting.from_file(published_signers(app_context, tmp_path)), witness=witness)
    assert all(c.ok for c in checks), [str(c) for c in checks]
    assert "consistent" in str(checks[-1]) or "own tree" in str(checks[-1]), str(checks[-1])
