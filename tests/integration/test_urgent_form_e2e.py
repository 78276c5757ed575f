"""Bare /urgent: the guided form, driven by a coordinator through the sandbox against the real bot."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from tests.support.e2e import COORD, JKT, MOF, MOHA, MOIT, NSV, last_bot_text
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow


def buttons(message: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


async def current_markup(client: SandboxClient, chat_id: int, message_id: int) -> dict[str, str]:
    found = [m for m in await client.bot_messages(chat_id) if m["message_id"] == message_id]
    return buttons(found[0])


async def test_guided_form_opens_a_consultation(bot: BotRunner, client: SandboxClient,
                                               sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    # Sent bare in the group, the form moves to private chat so the title is never typed there.
    await client.send_message(COORD, group, text="/urgent")
    await last_bot_text(client, group, "nhắn riêng")
    await last_bot_text(client, COORD, "(1/3)")
    asked = [c for c in await client.log() if c["method"] == "sendMessage" and "(1/3)" in c["params"]["text"]]
    assert asked[0]["params"]["reply_markup"]["force_reply"] is True

    await client.send_message(COORD, text="Lập trường về   dự thảo tuyên bố chung")
    scopes = await last_bot_text(client, COORD, "(2/3)")
    data = buttons(scopes)
    form_id = next(iter(data.values())).split(":")[1]
    aec = next(v for v in data.values() if v.endswith(":s:aec"))
    connectivity = next(v for v in data.values() if v.endswith(":s:connectivity"))
    apsc = next(v for v in data.values() if v.endswith(":s:apsc"))

    # Next with nothing ticked is refused with an alert; ticks toggle and the keyboard follows.
    refused = await client.press_button(COORD, COORD, scopes["message_id"], f"f:{form_id}:next")
    state = await eventually(lambda: _answered(client, refused), what="the refusal")
    assert state["show_alert"] is True and "ít nhất một phạm vi" in state["answer_text"]
    for choice in (aec, connectivity, apsc, apsc):
        await client.press_button(COORD, COORD, scopes["message_id"], choice)

    async def two_ticked() -> Any:
        marks = await current_markup(client, COORD, scopes["message_id"])
        ticked = sorted(v for k, v in marks.items() if k.startswith("✅"))
        return ticked if ticked == sorted([aec, connectivity]) else None
    await eventually(two_ticked, what="aec and connectivity ticked, apsc unticked")

    await client.press_button(COORD, COORD, scopes["message_id"], f"f:{form_id}:next")
    deadline = await last_bot_text(client, COORD, "(3/3)")
    assert f"f:{form_id}:d:2h" in buttons(deadline).values()
    # Typed instead of pressed; an unreadable one is answered and the form waits.
    await client.send_message(COORD, text="mai")
    await last_bot_text(client, COORD, "Không hiểu thời hạn «mai»")
    await client.send_message(COORD, text="1h30m")
    confirm = await last_bot_text(client, COORD, "Vui lòng kiểm tra")
    for name in ("Trần Thị Bình", "Lý Thành Nam", "Bùi Quang Huy", "Tạ Đức Phong"):
        assert name in confirm["text"]
    assert "Lập trường về dự thảo tuyên bố chung" in confirm["text"]
    assert await client.bot_messages(MOIT) == []  # nothing is sent before the confirmation

    await client.press_button(COORD, COORD, confirm["message_id"], f"f:{form_id}:ok")
    await last_bot_text(client, COORD, "Đã mở #1")
    for user in (MOIT, NSV, MOF, JKT):
        await last_bot_text(client, user, "Tham vấn khẩn #1")
    assert await client.bot_messages(MOHA) == []

    # The finished form's buttons are stale now: no second consultation.
    again = await client.press_button(COORD, COORD, confirm["message_id"], f"f:{form_id}:ok")
    state = await eventually(lambda: _answered(client, again), what="the stale refusal")
    assert "không còn hiệu lực" in state["answer_text"]
    assert len(await client.topics(group)) == 1
    assert_calls_valid(await client.log())


async def test_form_title_passes_the_guard_and_can_be_abandoned(bot: BotRunner, client: SandboxClient) -> None:
    await client.send_message(COORD, text="/urgent")
    await last_bot_text(client, COORD, "(1/3)")
    await client.send_message(COORD, text="TUYỆT MẬT: phương án đàm phán")
    told = await last_bot_text(client, COORD, "bị chặn")  # the gate's note: blocked before the form saw it
    assert "Tuyệt mật" in told["text"]
    assert not [m for m in await client.bot_messages(COORD) if "(2/3)" in (m.get("text") or "")]
    await client.send_message(COORD, text="Góp ý dự thảo")
    scopes = await last_bot_text(client, COORD, "(2/3)")
    abandon = next(v for v in buttons(scopes).values() if v.endswith(":x"))
    await client.press_button(COORD, COORD, scopes["message_id"], abandon)
    await last_bot_text(client, COORD, "Đã hủy biểu mẫu")
    # Without a form, a private message is an ordinary (unplaced) comment again.
    await client.send_message(COORD, text="Xin chào")
    await last_bot_text(client, COORD, "không gắn với cuộc tham vấn nào")


async def _answered(client: SandboxClient, query: str) -> Any:
    state = await client.callback_state(query)
    return state if state.get("answered") else None

