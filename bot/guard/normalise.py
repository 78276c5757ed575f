"""Normalisation that undoes the usual ways of hiding a marking, while remembering where every
character came from.

One `str.translate` pass (C speed) folds compatibility forms (full-width letters, no-break and
ideographic spaces), strips diacritics from precomposed letters, maps Cyrillic and Greek look-alikes
to Latin (Unicode's confusables data, shipped in the `confusable-homoglyphs` package) and drops
zero-width characters, soft hyphens and combining marks. Every kept character maps to exactly one
output character, so the offset map is the identity unless something was dropped.
Case is kept: whether a marking is written in capitals decides whether it is a stamp.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from confusable_homoglyphs import categories, confusables

_DROP_RANGES = [(0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F),
                (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069)]
_DROP_SINGLES = [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0]
_SPACES = [0x00A0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
_SPECIAL = {"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ı": "i", "ß": "s"}
_FOLD_RANGES = [(0x00C0, 0x024F), (0x1E00, 0x1EFF), (0xFF01, 0xFF5E), (0x2460, 0x24FF)]
_HOMOGLYPH_SCRIPTS = {"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"}


def _homoglyphs() -> dict[int, str]:
    table: dict[int, str] = {}
    for char, entries in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        try:
            script = categories.alias(char)
        except (KeyError, TypeError, IndexError):
            continue
        if script not in _HOMOGLYPH_SCRIPTS:
            continue
        for entry in entries:
            target = entry.get("c", "")
            if len(target) == 1 and target.isascii() and target.isalpha():
                # Unicode's prototype for the I/l/1 class is "l"; a capital look-alike is an "I",
                # and capitals matter here (a marking in capitals is a stamp).
                if target == "l" and not char.islower():
                    target = "I"
                table[ord(char)] = target
                break
    return table


@cache
def translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for low, high in _DROP_RANGES:
        for code in range(low, high + 1):
            table[code] = None
    for code in _DROP_SINGLES:
        table[code] = None
    for code in _SPACES:
        table[code] = " "
    for low, high in _FOLD_RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            if char in _SPECIAL:
                table[code] = _SPECIAL[char]
                continue
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            if len(base) == 1 and base != char:
                table[code] = base
    for char, base in _SPECIAL.items():
        table[ord(char)] = base
    table.update(_homoglyphs())
    return table


@cache
def _dropped_pattern() -> re.Pattern[str]:
    codes = [code for code, value in translation_table().items() if value is None]
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(codes)) + "]")


@dataclass(frozen=True)
class Skeleton:
    """The folded text and, when characters were dropped, the original index of each character."""

    text: str
    original: str
    index: list[int] | None  # None: the identity map

    def start(self, position: int) -> int:
        if self.index is None:
            return position
        return self.index[position] if position < len(self.index) else len(self.original)

    def end(self, position: int) -> int:
        """Original end offset for a skeleton end offset, covering marks that trailed the last char."""
        if position <= 0:
            return 0
        end = position if self.index is None else self.index[position - 1] + 1
        while end < len(self.original) and translation_table().get(ord(self.original[end]), "x") is None:
            end += 1
        return end


@cache
def _fast_table() -> list[int | str | None]:
    """The same mapping as a list indexed by code point: str.translate looks a list up about three
    times faster than a dict. Code points beyond it raise IndexError, which translate reads as
    "unchanged"."""
    table: list[int | str | None] = list(range(0x10000))
    for code, value in translation_table().items():
        if code < 0x10000:
            table[code] = value
    return table


def normalise(text: str) -> Skeleton:
    # Decomposed Vietnamese (base letter + combining marks) needs no NFC: the marks are dropped like
    # the precomposed letters' diacritics, and offsets keep referring to what the sender wrote.
    skeleton = text.translate(_fast_table())
    if len(skeleton) == len(text):
        return Skeleton(skeleton, text, None)
    dropped = _dropped_pattern()
    index = [i for i, char in enumerate(text) if not dropped.match(char)]
    return Skeleton(skeleton, text, index)


def letters_and_marks(original: str) -> list[tuple[str, frozenset[str]]]:
    """Each letter of `original` with the set of diacritics it carries (for comparing forms)."""
    result: list[tuple[str, frozenset[str]]] = []
    table = translation_table()
    for char in unicodedata.normalize("NFD", original):
        if unicodedata.combining(char):
            if result:
                base, marks = result[-1]
                result[-1] = (base, marks | {char})
            continue
        folded = table.get(ord(char), char)
        if folded and folded.isalpha():
            result.append((folded.upper(), frozenset()))
    return result
