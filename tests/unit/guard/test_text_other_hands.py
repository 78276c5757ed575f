"""Issue #24, items 6 and 7 and its false positives, judged by other hands: instances written to
the same rules as tests/unit/guard/test_text_disguises.py but with other characters, layouts and
words. Each family here was let through, lowered or blocked wrongly before its rule was made
general."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard


def verdict(guard: Guard, text: str) -> tuple[str, str | None]:
    found = guard.scan_text(text)
    return found.action.value, found.level.value if found.level else None


# -- capitals mixed with small letters -------------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("Gửi anh tài liệu MậT nhé", "mat"),
    ("Gửi anh tài liệu mẬT nhé", "mat"),
    ("Gửi anh bản MẬt nhé", "mat"),
    ("Gửi anh bản TốI MậT nhé", "toi_mat"),
    ("Gửi anh tUyỆt MậT nhé", "tuyet_mat"),
    ("TốiMật phương án", "toi_mat"),
    ("the ToP SeCrEt plan", "tuyet_mat"),
    ("the TopSecret plan", "tuyet_mat"),
    ("the sEcReT plan", "toi_mat"),
    ("the CoNfIdEnTiAl file", "mat"),
    ("Gửi anh bản ᵀᴼᴾ ˢᴱᶜᴿᴱᵀ nhé", "tuyet_mat"),  # modifier letters: small ones have no capital
])
def test_a_marking_in_mixed_case_is_in_capitals(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", [
    "MậT khẩu WiFi", "Gửi anh MậT ong rừng", "BíMật", "MẤt điện", "MặT trận", "iPhone và MacBook",
    "SecretSanta party", "Top secret plan", "Tài liệu Mật gửi anh",  # title case stays prose
])
def test_mixed_case_that_is_no_marking_stays_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)
