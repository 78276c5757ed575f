"""The aiogram-based checker itself must catch what Telegram would refuse."""

from __future__ import annotations

from tests.support.telegram_schema import problems_with


def test_catches_unknown_and_missing_parameters_and_bad_answers() -> None:
    call = {"method": "sendMessage", "params": {"chat_id": 1, "txt": "x"}, "error": None,
            "result": {"message_id": "not a number"}}
    found = " | ".join(problems_with(call))
    assert "unknown parameter 'txt'" in found
    assert "'text'" in found  # required and missing
    assert "sendMessage answer" in found


def test_accepts_a_proper_call() -> None:
    call = {"method": "answerCallbackQuery", "params": {"callback_query_id": "7", "text": "ok"}, "error": None,
            "result": True}
    assert problems_with(call) == []
    assert problems_with({"method": "sendTelepathy", "params": {}, "error": None, "result": None})
