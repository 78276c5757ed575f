"""Issue #24's text disguises applied to every block and redact case of the corpora: each keeps the
verdict and the level, and a redaction still removes what it must. The seeds are the corpora's, so
the rules are checked on cases written by other hands, not only on the examples of the issue."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.guard.test_disguise_properties import (
    BLOCKED,
    GUARD,
    PROFILE,
    REDACTED,
    _expected,
    _stamp_positions,
    _verdict,
)

FORMAT = ["\U0001d173", "\U0001d17a", "\U0001bca0", "\U0001bca3", "\u2065", "\ufff9", "\ufffb", "\U00013430",
          "\U0001343f", "\u180e", "\u206a", "\u2061"]
FOREIGN_MARKS = ["\u0332", "\u0335", "\u0336", "\u0307", "\u0338", "\u0330", "\u20e5", "\u0346"]
SPLITTERS = [":", ",", "'", "\"", ";", "🔥", "❤️", "⭐", "(", ")", "!", "’"]
LINE_BREAKS = ["\u2028", "\u2029", "\r", "\r\n", "\x85", "\x0b", "\x0c"]


def _word_pairs(text: str, positions: set[int]) -> list[int]:
    """Indices of letters of a marking followed by another letter of the same word."""
    return [i for i in sorted(positions) if i + 1 in positions and text[i].isalpha() and text[i + 1].isalpha()]


@st.composite
def with_insertions(draw: st.DrawFn, pool: list[str], between_letters: bool) -> tuple[str, dict[str, Any]]:
    case = draw(st.sampled_from(BLOCKED))
    text = case["text"]
    positions = set(_stamp_positions(text))
    targets = set(_word_pairs(text, positions)) if between_letters else positions
    out = []
    for index, char in enumerate(text):
        out.append(char)
        if index in targets and draw(st.booleans()):
            out.append(draw(st.sampled_from(pool)))
    return "".join(out), case


@PROFILE
@given(with_insertions(FORMAT, between_letters=False))
def test_format_characters_keep_the_level(sample: tuple[str, dict[str, Any]]) -> None:
    text, case = sample
    assert _verdict(text) == _expected(case), (case["text"], text)


@PROFILE
@given(with_insertions(FOREIGN_MARKS, between_letters=False))
def test_marks_that_are_not_vietnamese_keep_the_level(sample: tuple[str, dict[str, Any]]) -> None:
    text, case = sample
    assert _verdict(text) == _expected(case), (case["text"], text)


@PROFILE
@given(with_insertions(SPLITTERS, between_letters=True))
def test_punctuation_and_emoji_between_letters_keep_the_level(sample: tuple[str, dict[str, Any]]) -> None:
    text, case = sample
    assert _verdict(text) == _expected(case), (case["text"], text)


@st.composite
def with_enclosed_letters(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Capital ASCII letters of the markings as negative squared or circled letters, or regional
    indicators (letters with diacritics have no such forms and stay)."""
    case = draw(st.sampled_from(BLOCKED))
    text = case["text"]
    positions = set(_stamp_positions(text))
    base = draw(st.sampled_from([0x1F170, 0x1F150, 0x1F130]))
    return "".join(chr(base + ord(ch) - ord("A")) if i in positions and "A" <= ch <= "Z" and draw(st.booleans())
                   else ch for i, ch in enumerate(text)), case


@PROFILE
@given(with_enclosed_letters())
def test_enclosed_letters_keep_the_level(sample: tuple[str, dict[str, Any]]) -> None:
    text, case = sample
    assert _verdict(text) == _expected(case), (case["text"], text)


@PROFILE
@given(st.sampled_from(BLOCKED + REDACTED), st.sampled_from(LINE_BREAKS))
def test_every_line_separator_keeps_the_verdict(case: dict[str, Any], separator: str) -> None:
    text = case["text"].replace("\n", separator)
    assert _verdict(text) == _expected(case), (case["text"], text)
    if case["expect"]["action"] == "redact":
        kept = GUARD.scan_text(text).text or ""
        assert not any(gone in kept for gone in case["gone"]), (case["text"], kept)
        assert all(part in kept for part in case["kept"]), (case["text"], kept)
