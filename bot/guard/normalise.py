"""Normalisation that undoes the usual ways of hiding a marking, while remembering where every
character came from.

One `str.translate` pass (C speed) folds compatibility forms (full-width, mathematical, circled and
super-script letters; no-break, ideographic and other spaces; the dash family), strips diacritics
from precomposed letters, maps Cyrillic, Greek and other look-alikes to Latin (Unicode's
confusables data, shipped in the `confusable-homoglyphs` package, read offline) and drops
zero-width characters, soft hyphens, direction marks and combining marks. Only foldings that give
exactly one character are taken (NFKC "where it is safe"): every kept character maps to exactly
one output character, so the offset map is the identity unless something was dropped, and a
finding's offsets cut the sender's own characters.
Case is kept: whether a marking is written in capitals decides whether it is a stamp.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from confusable_homoglyphs import categories, confusables

TABLE_SIZE = 0x20000  # the BMP and the supplementary plane that holds mathematical letters

_DROP_RANGES = [(0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE00, 0xFE0F),
                (0xFE20, 0xFE2F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
                (0xE0000, 0xE007F)]
_DROP_SINGLES = [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E,
                 0x180F, 0x3164, 0xFEFF, 0xFFA0]
_SPACES = [0x00A0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
_DASHES = [*range(0x2010, 0x2016), 0x2043, 0x2212, 0x2E3A, 0x2E3B, 0xFE58, 0xFE63, 0xFF0D, 0x30FC]
_DOTS = [0x2024, 0x2027, 0x2219, 0x22C5, 0x30FB, 0xFF0E, 0xFF65]
_SPECIAL = {"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ı": "i", "ß": "s", "Ɖ": "D", "ɖ": "d"}
_HOMOGLYPH_SCRIPTS = {"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "LATIN", "COMMON"}


def _compatibility_fold(char: str) -> str | None:
    """The single printable ASCII character a character stands for (full-width `：`, `Ｍ`...), if any."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if len(base) == 1 and base != char and base.isascii() and base.isprintable():
        return base
    name = unicodedata.name(char, "")
    if name.startswith("LATIN LETTER SMALL CAPITAL ") and len(name) == len("LATIN LETTER SMALL CAPITAL X"):
        return name[-1]  # small capitals read as capitals, and capitals are what make a stamp
    return None


def _homoglyphs(known: dict[int, str | None]) -> dict[int, str]:
    table: dict[int, str] = {}
    for char, entries in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or ord(char) in known or not char.isalpha():
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
    for code in range(0x80, TABLE_SIZE):
        if code in table or 0xD800 <= code < 0xE000:
            continue
        folded = _compatibility_fold(chr(code))
        if folded is not None:
            table[code] = folded
    for code in _SPACES:
        table[code] = " "
    for code in _DASHES:
        table[code] = "-"
    for code in _DOTS:
        table[code] = "."
    table.update(_homoglyphs(table))
    return table


@cache
def _dropped_pattern() -> re.Pattern[str]:
    # What translate drops, and only that: characters beyond the table pass through it unchanged
    # (the markings' patterns skip the tag characters among them as separators).
    codes = sorted(code for code, value in translation_table().items() if value is None and code < TABLE_SIZE)
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    # As ranges, not hundreds of single characters: a long list of literals is searched linearly.
    charset = "".join(re.escape(chr(low)) + ("-" + re.escape(chr(high)) if high > low else "")
                      for low, high in ranges)
    return re.compile(f"[{charset}]+")


@cache
def _fast_table() -> list[int | str | None]:
    """The same mapping as a list indexed by code point: str.translate looks a list up about three
    times faster than a dict. Code points beyond it raise IndexError, which translate reads as
    "unchanged"."""
    table: list[int | str | None] = list(range(TABLE_SIZE))
    for code, value in translation_table().items():
        if code < TABLE_SIZE:
            table[code] = value
    return table


def is_dropped(char: str) -> bool:
    return ord(char) < TABLE_SIZE and _fast_table()[ord(char)] is None


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
        while end < len(self.original) and is_dropped(self.original[end]):
            end += 1
        return end

    def original_of(self, start: int, end: int) -> str:
        return self.original[self.start(start):self.end(end)]

    @cached_property
    def lines(self) -> list[tuple[int, int]]:
        """(start, end) of each line of the skeleton, without its newline."""
        spans = []
        start = 0
        text = self.text
        while True:
            end = text.find("\n", start)
            if end == -1:
                spans.append((start, len(text)))
                return spans
            spans.append((start, end))
            start = end + 1


def normalise(text: str) -> Skeleton:
    # Decomposed Vietnamese (base letter + combining marks) needs no NFC: the marks are dropped like
    # the precomposed letters' diacritics, and offsets keep referring to what the sender wrote.
    if text.isascii():
        return Skeleton(text, text, None)  # nothing in ASCII folds or drops
    skeleton = text.translate(_fast_table())
    if len(skeleton) == len(text):
        return Skeleton(skeleton, text, None)
    # Build the offset map from the few dropped runs, range by range (a per-character loop in
    # Python would cost more than all the rest of the guard).
    index: list[int] = []
    kept_from = 0
    for run in _dropped_pattern().finditer(text):
        index.extend(range(kept_from, run.start()))
        kept_from = run.end()
    index.extend(range(kept_from, len(text)))
    return Skeleton(skeleton, text, index)


@lru_cache(maxsize=16384)
def letters_and_marks(original: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each letter of `original` with the set of diacritics it carries (for comparing forms).

    Cached: the same few words (the markings and their neighbours) are looked at again and again."""
    result: list[tuple[str, frozenset[str]]] = []
    table = _fast_table()
    for char in unicodedata.normalize("NFD", original):
        if unicodedata.combining(char):
            if result:
                base, marks = result[-1]
                result[-1] = (base, marks | {char})
            continue
        code = ord(char)
        mapped = table[code] if code < TABLE_SIZE else char
        folded = chr(mapped) if isinstance(mapped, int) else mapped
        if folded and folded.isalnum():
            result.append((folded.upper(), frozenset()))
    return tuple(result)
