from __future__ import annotations

import re

from bot.i18n import catalog, normalise_language, t


def test_both_catalogues_hold_the_same_messages_with_the_same_placeholders() -> None:
    vi, en = catalog("vi"), catalog("en")
    assert set(vi) == set(en)
    for key in vi:
        assert set(re.findall(r"{(\w+)}", vi[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_language_choice() -> None:
    assert normalise_language("en-US") == "en"
    assert normalise_language("fr") == "vi"
    assert normalise_language(None) == "vi"
    assert t("en", "usage.cancel") == "Usage: /cancel <id>"
    assert t("vi", "usage.cancel").startswith("Cách dùng")
