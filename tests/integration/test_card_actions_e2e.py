"""The status card's one-tap actions and the links between chats (issue 26, item 5), through the
sandbox against the real bot: the coordinator extends from the card in the group and the deadline
moves; anyone else is refused in an alert naming who may; the invitation leads to the topic and
the card back to the bot; the edit that closes the card takes its actions away."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.store.repos import consultations
from tests.support.e2e import COORD, MOIT, last_bot_text

pytestmark = pytest.mark.slow


def _buttons(message: dict[str, Any], field: str) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b[field] for row in rows for b in row if field in b]


async def _card(client: SandboxClient, group: int, thread: int) -> dict[str, Any]:
    cards = [m for m in await client.bot_messages(group, thread) if (m.get("text") or "").startswith("📋")]
    return cards[0]


async def _deadline(bot: BotRunner) -> Any:
    async with bot.ctx.db.reading() as tx:
        record, _ = await consultations.get(tx, bot.ctx.keys, 1)
    return record.consultation


async def _answered(client: SandboxClient, query: str) -> Any:
    state = await client.callback_state(query)
    return state if state.get("answered") else None


async def test_the_coordinator_extends_from_the_card_in_the_group(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    await client.send_message(COORD, text="/urgent 2 giờ aec: Lập trường về dự thảo")

    async def card_with_actions() -> Any:
        topics = await client.topics(group)
        if not topics:
            return None
        card = await _card(client, group, topics[0]["message_thread_id"])
        return (topics[0]["message_thread_id"], card) if "c:1:extend" in _buttons(card, "callback_data") else None
    thread, card = await eventually(card_with_actions, what="the card with the coordinator's buttons")
    assert _buttons(card, "callback_data") == ["c:1:remind", "c:1:extend", "c:1:close"]
    assert _buttons(card, "url") == ["https://t.me/rapid_consult_bot"]  # back to the bot, from getMe

    topic_url = f"https://t.me/c/{str(group).removeprefix('-100')}/{thread}"
    invitation = await last_bot_text(client, MOIT, "Tham vấn khẩn #1")
    assert _buttons(invitation, "url") == [topic_url]
    opened = await last_bot_text(client, COORD, "Đã mở #1")
    assert _buttons(opened, "url") == [topic_url]

    # Someone else presses «Kết thúc» on the card: refused, told who may, nothing closes.
    before = await _deadline(bot)
    refused = await client.press_button(MOIT, group, card["message_id"], "c:1:close")
    answer = await eventually(lambda: _answered(client, refused), what="the refusal")
    assert answer["show_alert"] and "cán bộ điều phối của #1" in answer["answer_text"]
    assert (await _deadline(bot)).state.value == "open"

    # The coordinator presses «Gia hạn 30 phút» on the card: the deadline moves, the spinner stops.
    query = await client.press_button(COORD, group, card["message_id"], "c:1:extend")
    done = await eventually(lambda: _answered(client, query), what="the callback answer")
    assert not done["show_alert"]
    assert ((await _deadline(bot)).deadline_at - before.deadline_at).total_seconds() == 30 * 60
    await last_bot_text(client, COORD, "Đã gia hạn #1")  # said privately, not in the group
    assert not [m for m in await client.bot_messages(group) if "Đã gia hạn" in (m.get("text") or "")]

    # Closed: the card's edit takes the actions away, the link back to the bot stays.
    await client.send_message(COORD, text="/close 1")

    async def card_closed() -> Any:
        card = await _card(client, group, thread)
        return card if not _buttons(card, "callback_data") else None
    closed = await eventually(card_closed, what="the card without the coordinator's buttons")
    assert _buttons(closed, "url") == ["https://t.me/rapid_consult_bot"]
