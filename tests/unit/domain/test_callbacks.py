"""Button data: what a keyboard packs is what the use case parses back, and nothing else parses."""

from __future__ import annotations

from bot.domain.callbacks import (
    FORM_DEADLINES,
    AnswerPress,
    FormPress,
    answer_data,
    form_data,
    parse_answer,
    parse_form,
)
from bot.domain.consultation import Position
from bot.services.presentation.keyboards import answer_keyboard, confirm_keyboard, deadline_keyboard, scopes_keyboard


def _data(keyboard: dict[str, object]) -> list[str]:
    rows = keyboard["inline_keyboard"]
    assert isinstance(rows, list)
    return [button["callback_data"] for row in rows for button in row]


def test_answer_data_round_trips_and_is_no_form_data() -> None:
    for position in Position:
        data = answer_data(999_999_999, position)
        assert parse_answer(data) == AnswerPress(999_999_999, position)
        assert parse_form(data) is None
    assert [parse_answer(d) for d in _data(answer_keyboard(7, "vi"))] == [
        AnswerPress(7, Position.AGREE), AnswerPress(7, Position.OBJECT), AnswerPress(7, Position.MORE_TIME)]


def test_form_data_round_trips_and_is_no_answer_data() -> None:
    keyboards = [scopes_keyboard(3, {"aec": "AEC", "apsc": "APSC"}, {"aec"}, "en"), deadline_keyboard(3, "en"),
                 confirm_keyboard(3, "vi")]
    presses = [parse_form(d) for keyboard in keyboards for d in _data(keyboard)]
    assert presses == [
        FormPress(3, "s", "aec"), FormPress(3, "s", "apsc"), FormPress(3, "next", None), FormPress(3, "x", None),
        *[FormPress(3, "d", choice) for choice in FORM_DEADLINES], FormPress(3, "x", None),
        FormPress(3, "ok", None), FormPress(3, "x", None)]
    assert all(parse_answer(form_data(3, p.action, p.value)) is None for p in presses if p is not None)
    # Telegram allows 64 bytes of callback data; the longest any keyboard packs stays within.
    assert len(form_data(9_999_999_999, "d", "17:00").encode()) <= 64
