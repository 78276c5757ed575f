"""The confirmation asked of an away invitee (issue 26, item 6): its data carries only the
consultation and the position, round-trips, and nothing malformed or of another kind parses."""

from __future__ import annotations

from bot.domain.callbacks import ACTION, ANSWER, CASE, FORM, OVERRIDE, OverridePress, override_data, parse_override
from bot.domain.consultation import Position
from bot.services.presentation.keyboards import override_keyboard


def test_override_data_round_trips_and_is_no_other_kind() -> None:
    for position in [*Position, None]:
        data = override_data(999_999_999, position)
        assert parse_override(data) == OverridePress(999_999_999, position)
        assert len(data.encode()) <= 64
        assert all(kind.parse(data) is None for kind in (ANSWER, FORM, CASE, ACTION))
    keyboard = override_keyboard(7, Position.OBJECT, "Lê Văn Cường", "vi")
    assert [(b["text"], parse_override(b["callback_data"])) for row in keyboard["inline_keyboard"] for b in row] == [
        ("Thay câu trả lời của Lê Văn Cường", OverridePress(7, Position.OBJECT)),
        ("Giữ nguyên", OverridePress(7, None))]
    assert OVERRIDE.route == "^o:"


def test_malformed_override_data_parses_as_nothing() -> None:
    for bad in ("o:01:agree", "o:1:agree ", "o:1", "o:1:keep:x", "o:1:maybe", "o:-1:keep", "a:1:agree", "",
                "o:1234567890:keep", "o:1:Agree"):
        assert parse_override(bad) is None, bad
