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


def test_buttons_already_in_chats_still_parse_and_nothing_else_does() -> None:
    """The wire format is that of every button ever sent: each kind's old data parses to the same
    press, and data of one kind, padded, cut or with a leading zero parses as nothing."""
    from bot.domain.callbacks import (
        ACTION,
        ANSWER,
        CASE,
        FORM,
        ActionPress,
        CasePress,
        action_data,
        case_data,
        parse_action,
        parse_case,
    )

    assert parse_answer("a:12:more_time") == AnswerPress(12, Position.MORE_TIME)
    assert parse_form("f:5:d:17:00") == FormPress(5, "d", "17:00") and parse_form("f:5:ok") == FormPress(5, "ok", None)
    assert parse_case("gc:9:l") == CasePress(9, "release") and case_data(9, "report") == "gc:9:r"
    assert parse_action("c:3:extend") == ActionPress(3, "extend") and action_data(3, "close") == "c:3:close"
    for bad in ("a:012:agree", "a:1:agree ", "a:1", "f:1:s", "f:1:ok:x", "gc:1:report", "c:1:delete", "c:1:remind:x",
                "x:1:agree", "", "a:1234567890:agree"):
        assert all(kind.parse(bad) is None for kind in (ANSWER, FORM, CASE, ACTION)), bad
    assert [kind.route for kind in (FORM, CASE, ACTION)] == ["^f:", "^gc:", "^c:"]
    for packing in (lambda: action_data(1, "delete"), lambda: form_data(1, "s"), lambda: case_data(0, "skip")):
        try:
            packing()
        except ValueError:
            continue
        raise AssertionError("packed data its own parser refuses")
