"""The links between a private chat, the topic and the bot (issue 26, item 5)."""

from __future__ import annotations

import pytest

from bot.domain.tmelinks import bot_link, internal_chat_id, topic_link


def test_a_topic_link_drops_the_supergroup_prefix() -> None:
    assert topic_link(-1001234567890, 42) == "https://t.me/c/1234567890/42"
    assert internal_chat_id(-1001234) == 1234


@pytest.mark.parametrize(("chat", "thread"), [(-1001234, None), (None, 5), (-1234, 5), (1234, 5), (-100, 5),
                                              (-1001234, 0), (-10001234, 5)])
def test_no_link_where_telegram_has_none(chat: int | None, thread: int | None) -> None:
    assert topic_link(chat, thread) is None


def test_the_bot_link_needs_a_username() -> None:
    assert bot_link("rapid_consult_bot") == "https://t.me/rapid_consult_bot"
    assert bot_link("@rapid_consult_bot") == "https://t.me/rapid_consult_bot"
    assert bot_link("") is None
    assert bot_link(None) is None
    assert bot_link("a b/c") is None
