"""Every error the bot can raise says itself in both languages: each `message_key` declared in
`bot/` has an entry in the Vietnamese and the English catalogue (12 had none, and fell back to
«Đã có lỗi» / "Something went wrong", which tells nobody what to do)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import catalog

BOT = Path(__file__).resolve().parents[2] / "bot"
DECLARED = re.compile(r'^\s+message_key = "([^"]+)"', re.M)


def declared_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for module in sorted(BOT.rglob("*.py")):
        for key in DECLARED.findall(module.read_text(encoding="utf-8")):
            keys.setdefault(key, str(module.relative_to(BOT.parent)))
    return keys


def test_every_error_key_is_in_both_catalogues() -> None:
    keys = declared_keys()
    assert len(keys) > 30  # the scan finds the hierarchy, not nothing
    missing = {f"{key} ({where}): {language}" for key, where in keys.items() for language in ("vi", "en")
               if key not in catalog(language)}
    assert not missing, sorted(missing)
