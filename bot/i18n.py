"""Message catalogues: gettext `.po` files read with Babel, one per language.

Ids are symbolic (`invite.body`) rather than English sentences because both languages are
first-class here, and a missing Vietnamese string must be noticed, not silently shown in English.
Placeholders use `str.format` names.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
_LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def catalog(language: str) -> dict[str, str]:
    with (_LOCALE_DIR / f"{language}.po").open("rb") as handle:
        parsed = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in parsed if m.id and m.string}


def normalise_language(code: str | None) -> str:
    """Telegram's language_code (`en-US`, `vi`) to one we speak."""
    if code and code.split("-")[0].lower() in LANGUAGES:
        return code.split("-")[0].lower()
    return DEFAULT_LANGUAGE


def t(language: str, key: str, **params: Any) -> str:
    text = catalog(normalise_language(language)).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"message {key!r} is in no catalogue")
    return text.format(**params) if params else text
