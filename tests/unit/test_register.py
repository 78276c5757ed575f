"""One register in Vietnamese: the civil service writes «anh/chị», never «bạn»; and units people read
are Vietnamese words, not English abbreviations."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from tests.support.paths import REPO


def vietnamese() -> dict[str, str]:
    with (REPO / "bot" / "locale" / "vi.po").open("rb") as handle:
        catalogue = read_po(handle)
    return {str(m.id): str(m.string) for m in catalogue if m.id and isinstance(m.string, str)}


def test_no_text_addresses_its_reader_as_ban() -> None:
    found = {key: text for key, text in vietnamese().items() if re.search(r"\b[Bb]ạn\b", text)}
    assert not found, found


def test_the_forms_deadline_buttons_say_minutes_and_hours_in_words() -> None:
    from bot.services.presentation.keyboards import deadline_keyboard

    for language, words in (("vi", ["30 phút", "1 giờ", "2 giờ", "4 giờ", "17:00"]),
                            ("en", ["30 min", "1 h", "2 h", "4 h", "17:00"])):
        labels = [button["text"] for button in deadline_keyboard(7, language)["inline_keyboard"][0]]
        assert labels == words, labels
        data = [button["callback_data"] for button in deadline_keyboard(7, language)["inline_keyboard"][0]]
        assert any(d.endswith(":30m") for d in data)  # what the button means is unchanged
