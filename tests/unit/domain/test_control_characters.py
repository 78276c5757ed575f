"""NUL and other control characters are refused in titles and names (#23 item 5): a NUL was
stored in a title and reached the DOCX report and every invitation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.domain.commands import clean_title, parse_urgent
from bot.domain.roster import Agency, Person
from bot.errors import ControlCharacterError
from bot.i18n import t


@pytest.mark.parametrize("title", ["Ý kiến\x00 về dự thảo", "abc\x07", "\u202eabc", "x\x1b[31m"])
def test_a_title_with_control_characters_is_refused_with_a_clear_message(title: str) -> None:
    with pytest.raises(ControlCharacterError) as caught:
        parse_urgent(f"2h aec: {title}")
    assert caught.value.params["characters"].startswith("U+")
    for lang in ("vi", "en"):
        text = t(lang, caught.value.message_key, **caught.value.params)
        assert caught.value.params["characters"] in text and "{" not in text
    with pytest.raises(ControlCharacterError):
        clean_title(title)  # the guided form's title too


def test_white_space_and_emoji_joiners_stay_allowed() -> None:
    family = "👨\u200d👩\u200d👧"
    assert parse_urgent(f"2h aec: Ý kiến\tvề\r\n dự thảo {family}").title == f"Ý kiến về dự thảo {family}"


@pytest.mark.parametrize("model", [Agency, Person])
def test_a_roster_name_with_a_nul_is_refused(model: type[Agency] | type[Person]) -> None:
    fields = {"key": "x", "name": "Nguyễn\x00 Văn A"} | ({"agency": "aec"} if model is Person else {})
    with pytest.raises(ValidationError, match="control characters"):
        model(**fields)
