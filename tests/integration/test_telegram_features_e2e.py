"""Today's Telegram where it serves people, end to end through the real bot and the sandbox: a
blocked sender told in place by a message only they see, the group told only that a post was
removed; deadlines as date_time entities; answer buttons coloured by meaning; consultation content
protected from forwarding; and an older Bot API server handled by falling back, once, loudly."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import t
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from tests.support.e2e import COORD, MOIT, NSV, last_bot_text, open_topic
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow


async def seen_by(client: SandboxClient, chat: int, viewer: int, thread: int | None = None) -> list[dict[str, Any]]:
    query = f"?viewer={viewer}" + (f"&thread_id={thread}" if thread else "")
    shown: list[dict[str, Any]] = await client.request_raw("GET", f"/sandbox/chats/{chat}/messages{query}")
    return shown


async def ephemeral_for(client: SandboxClient, chat: int, viewer: int, thread: int | None) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found = [m for m in await seen_by(client, chat, viewer, thread) if m.get("ephemeral_message_id")]
        return found[-1] if found else None
    return await eventually(probe, what=f"an ephemeral message for {viewer}")


async def test_a_blocked_sender_is_told_in_place_and_the_group_only_that_a_post_was_removed(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    await client.send_message(NSV, group, "TỐI MẬT\nPhương án đàm phán", thread_id=thread)
    told = await ephemeral_for(client, group, NSV, thread)
    assert "Tối mật" in told["text"] and "cơ yếu" in told["text"] and told["message_id"] == 0
    assert "Phương án" not in told["text"]
    # Nobody else sees it: not the coordinator, not the chat's own list.
    assert not [m for m in await seen_by(client, group, COORD, thread) if m.get("ephemeral_message_id")]
    notice = await last_bot_text(client, group, "theo quy định bảo vệ bí mật nhà nước", thread)
    assert "Lý Thành Nam" not in notice["text"] and "nsv" not in notice["text"].lower()
    await last_bot_text(client, NSV, "bị chặn")  # the private notice stays the record
    assert_calls_valid(await client.log())


async def test_invitations_carry_dated_deadlines_coloured_buttons_and_protection(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    _, _, invitation = await open_topic(client, sandbox)
    moments = [e for e in invitation.get("entities", []) if e["type"] == "date_time"]
    assert moments, invitation
    units = invitation["text"].encode("utf-16-le")  # entity offsets count UTF-16 units, as Telegram's do
    start, length = moments[0]["offset"] * 2, moments[0]["length"] * 2
    shown = units[start:start + length].decode("utf-16-le")
    written = datetime.strptime(shown, "%H:%M:%S %d/%m/%Y" if shown.count(":") == 2 else "%H:%M %d/%m/%Y")
    assert written.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp() == moments[0]["unix_time"]
    styles = {b["callback_data"].rsplit(":", 1)[-1]: b.get("style")
              for row in invitation["reply_markup"]["inline_keyboard"] for b in row if "callback_data" in b}
    assert styles == {"agree": "success", "object": "danger", "more_time": "primary"}
    assert invitation["has_protected_content"] is True
    group_card = await last_bot_text(client, sandbox.group_chat_id or 0, "📋 #1")
    assert group_card["has_protected_content"] is True
    assert_calls_valid(await client.log())


async def test_an_older_server_falls_back_once_and_removes_the_public_copy(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext,
        caplog: pytest.LogCaptureFixture) -> None:
    await client.request_raw("POST", "/sandbox/features", {"ephemeral": False})
    group = sandbox.group_chat_id
    assert group is not None
    with caplog.at_level(logging.WARNING):
        await client.send_message(MOIT, group, "Bản CONFIDENTIAL gửi các anh chị")

        async def fallback_removed() -> bool | None:
            calls = [c for c in await client.log() if c["method"] == "sendMessage"
                     and "ephemeral_message_parameters" in c["params"]]
            if not calls or calls[0]["result"] is None:
                return None
            public = calls[0]["result"]["message_id"]
            return True if public not in {m["message_id"] for m in await client.messages(group)} else None
        await eventually(fallback_removed, what="the public copy of the ephemeral notice to be removed")
        await last_bot_text(client, MOIT, "bị chặn")
        await client.send_message(MOIT, group, "TUYỆT MẬT lần nữa")
        await eventually(lambda: _ephemeral_rows(app_context, "failed"), what="the second notice in place dropped")
    attempts = [c for c in await client.log() if "ephemeral_message_parameters" in c["params"]]
    assert len(attempts) == 1  # learnt once; not tried again
    assert len([r for r in caplog.records if "ephemeral" in r.getMessage()]) == 1


async def _ephemeral_rows(ctx: AppContext, state: str) -> list[Any] | None:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT last_error FROM outbox WHERE kind = 'blocked-ephemeral' AND state = ?",
                                 (state,))
    return list(rows) or None


async def _keyboard_of(client: SandboxClient, chat: int, message_id: int) -> Any:
    shown = {m["message_id"]: m for m in await client.messages(chat)}
    return shown[message_id].get("reply_markup")


async def test_a_closed_consultations_buttons_are_drawn_disabled(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    _, _, invitation = await open_topic(client, sandbox)
    await client.send_message(COORD, text="/close 1 Đã đủ ý kiến")

    async def disabled() -> Any:
        markup = await _keyboard_of(client, MOIT, invitation["message_id"])
        buttons = [b for row in (markup or {}).get("inline_keyboard", []) for b in row if "url" not in b]
        return buttons if buttons and all("disabled" in b and "callback_data" not in b for b in buttons) else None
    buttons = await eventually(disabled, what="the invitation's buttons drawn disabled")
    assert [b["text"] for b in buttons] == [t("vi", f"button.{p}") for p in ("agree", "object", "more_time")]
    assert_calls_valid(await client.log())


async def test_an_older_server_gets_the_spent_buttons_removed(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture) -> None:
    await client.request_raw("POST", "/sandbox/features", {"disabled_buttons": False})
    _, _, invitation = await open_topic(client, sandbox)
    with caplog.at_level(logging.WARNING):
        await client.send_message(COORD, text="/cancel 1")

        async def removed() -> bool | None:
            return True if await _keyboard_of(client, MOIT, invitation["message_id"]) is None else None
        await eventually(removed, what="the invitation's buttons removed")
    assert len([r for r in caplog.records if "disabled buttons" in r.getMessage()]) == 1
