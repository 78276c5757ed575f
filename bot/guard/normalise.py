"""Normalisation that undoes the usual ways of hiding a marking, while remembering where every
character came from.

One `str.translate` pass (C speed) folds compatibility forms (full-width, mathematical, circled and
super-script letters; no-break, ideographic and other spaces; the dash family), strips diacritics
from precomposed letters, maps Cyrillic, Greek and other look-alikes to Latin (Unicode's
confusables data, shipped in the `confusable-homoglyphs` package, read offline) and drops
every default-ignorable and format character (zero-width, soft hyphens, direction marks, musical,
shorthand and hieroglyph format controls...) and every combining mark. Letter-like symbols that have
no compatibility form (negative squared and circled letters, parenthesised letters) are read as
the letter their name gives (regional indicators, which pair into flags, are read as letters in a
view of their own, bot.guard.views.lettered); blank-looking characters (braille blank, Hangul
fillers) are spaces; every line separator (CR, NEL, VT, FF, U+2028/2029) is a line break; brackets of
other scripts, and every other opening or closing bracket, are parentheses; arrows are dashes
(`Độ mật → A` is a field, as `Độ mật - A` is);
other symbols (emoji) are a neutral `*` that may split a marking's letters like any punctuation.
Only foldings that give exactly one character are taken (NFKC "where it is safe"): every kept
character maps to exactly one output character, so the offset map is the identity unless something
was dropped, and a finding's offsets cut the sender's own characters.
Case is kept: whether a marking is written in capitals decides whether it is a stamp.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Generic, TypeVar, overload

import numpy as np
from confusable_homoglyphs import confusables

TABLE_SIZE = 0x20000  # the BMP and the supplementary plane that holds mathematical letters

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), all of it: characters a
# renderer shows as nothing. Category Cf and every combining mark (Mn, Me) are added when the table
# is built, from the running Python's Unicode database.
_DEFAULT_IGNORABLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                      (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
                      (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
                      (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
                      # Format characters newer than some Pythons' Unicode database.
                      (0xFFF9, 0xFFFB), (0x13430, 0x1343F), (0x1D173, 0x1D17A)]
# What a reader sees as a blank: a space, not a join ("tài liệu\u2800MẬT" is two words).
# Interlinear annotation's separator and terminator (U+FFFA, U+FFFB) part the annotated text from its
# annotation, which a reader reads apart (`\uFFF9TỐI MẬT\uFFFAghi chú\uFFFB` is TỐI MẬT, then a note).
_SPACES = [0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000, 0x2800, 0x115F, 0x1160, 0x3164,
           0xFFA0, 0x16FE4, 0xFFFA, 0xFFFB]
# Every line separator Unicode knows, besides LF; CR is handled apart (CR LF is one break).
_LINE_BREAKS = [0x000B, 0x000C, 0x0085, 0x2028, 0x2029]
_DASHES = [*range(0x2010, 0x2016), 0x2043, 0x2212, 0x2E3A, 0x2E3B, 0xFE58, 0xFE63, 0xFF0D, 0x30FC]
_DOTS = [0x2024, 0x2027, 0x2219, 0x22C5, 0x30FB, 0xFF0E, 0xFF65]
# Brackets of other scripts read as parentheses: a portion mark is a portion mark in any of them.
_OPENING = "【〔⟨⟦⟪⟬⟮〈《「『〖〘〚«‹⦅⦇⦉⦋⦍⦏⦑⦓⦕⦗❨❪❬❮❰❲❴⸨"
_CLOSING = "】〕⟩⟧⟫⟭⟯〉》」』〗〙〛»›⦆⦈⦊⦌⦎⦐⦒⦔⦖⦘❩❫❭❯❱❳❵⸩"
_ARROWS = [*range(0x2190, 0x2200), *range(0x27F0, 0x2800), *range(0x2900, 0x2980), *range(0x2B00, 0x2B30),
           0x279C, 0x279D, 0x279E, 0x27A1, 0x27A4, 0x27F6]
_SPECIAL = {"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ı": "i", "ß": "s", "Ɖ": "D", "ɖ": "d"}
# Letters of other scripts written for the Latin letter they resemble ("faux" alphabets: ΣΞ for E,
# Λ Д for A, Я for R, И П for N; Coptic and Canadian syllabics) where Unicode's confusables list
# has no entry: a reader of a Latin text takes them for those letters.
_FAUX = {"Σ": "E", "Ξ": "E", "Є": "E", "Э": "E", "Λ": "A", "Δ": "A", "Д": "A", "Я": "R", "И": "N", "П": "N",
         "Ц": "U", "Ш": "W", "Щ": "W", "Ⲁ": "A", "ⲁ": "a", "Ꮎ": "O", "ᗩ": "A", "ᗷ": "B", "ᑕ": "C", "ᗪ": "D",
         "ᗴ": "E", "ᕼ": "H", "ᒍ": "J", "ᑎ": "N", "ᑭ": "P", "ᑫ": "Q", "ᖇ": "R", "ᔕ": "S", "ᑌ": "U",
         "ᐯ": "V", "ᗯ": "W", "᙭": "X", "ᘔ": "Z", "ᒪ": "L", "ᗰ": "M", "ᖴ": "F"}
# A letter-like symbol's name gives its letter: NEGATIVE SQUARED LATIN CAPITAL LETTER M,
# REGIONAL INDICATOR SYMBOL LETTER M, PARENTHESIZED LATIN SMALL LETTER M...
_NAMED_LETTER = re.compile(r"(?:LATIN (CAPITAL|SMALL) LETTER|SYMBOL LETTER) ([A-Z])$")
_DIGIT_LIKE = frozenset("0123456789")
_MATH_LETTERS = (0x1D400, 0x1D6A4)  # the mathematical Latin alphabets, 52 letters each
REGIONAL_INDICATORS = (0x1F1E6, 0x1F1FF)  # 🇦…🇿: they stay themselves here (symbols, not letters)


def _compatibility_fold(char: str) -> str | None:
    """The single printable ASCII character a character stands for (full-width `：`, `Ｍ`...), if any."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    name = unicodedata.name(char, "")
    if not name and _MATH_LETTERS[0] <= ord(char) < _MATH_LETTERS[1]:
        # A hole in the mathematical alphabets (italic h, script B...: their letters live among the
        # letter-like symbols): generated text puts the letter's place there; read it as the letter.
        offset = (ord(char) - _MATH_LETTERS[0]) % 52
        return chr(ord("A") + offset) if offset < 26 else chr(ord("a") + offset - 26)
    # Enclosed letters (circled, squared, parenthesised) are decoration, like capitals: read them as
    # capitals, so that a decorated marking is a stamp as its plain capitals would be.
    enclosed = any(word in name for word in ("CIRCLED", "SQUARED", "PARENTHESIZED"))
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if enclosed and len(base) == 3 and base[0] == "(" and base[2] == ")":
        base = base[1]
    # Superscript and subscript letters (ᵐᵃᵗ, ₘₐₜ) exist almost only in small letters: written small on
    # purpose, they decorate as capitals do, and are read as capitals like enclosed letters.
    raised = unicodedata.decomposition(char).startswith(("<super>", "<sub>"))
    if len(base) == 1 and base != char and base.isascii() and base.isprintable():
        return base.upper() if (enclosed or raised) and base.isalpha() else base
    if name.startswith("LATIN LETTER SMALL CAPITAL ") and len(name) == len("LATIN LETTER SMALL CAPITAL X"):
        return name[-1]  # small capitals read as capitals, and capitals are what make a stamp
    if name.startswith("REGIONAL INDICATOR"):
        return None  # pairs are flags; read as letters only in a view of their own (bot.guard.views)
    named = _NAMED_LETTER.search(name)
    if named and unicodedata.category(char)[0] in "LS":
        return named[2] if named[1] != "SMALL" or enclosed else named[2].lower()
    return None


def _homoglyphs(known: dict[int, str | None]) -> dict[int, str]:
    """Look-alikes of a Latin letter in any script (Cyrillic, Greek, Cherokee, Lisu, letter-like
    symbols...), and letters built on one (a Greek capital with tonos is its capital)."""
    table: dict[int, str] = {}
    for char, entries in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or ord(char) in known or ord(char) >= TABLE_SIZE:
            continue
        category = unicodedata.category(char)
        if category[0] not in "LSN" or char in _DIGIT_LIKE:
            continue
        for entry in entries:
            target = entry.get("c", "")
            # Other scripts' digits and numbers that look like a letter (Warang Citi's 𑣠 for O,
            # Devanagari's ० for o) are that letter; a letter that looks like a digit (𑢯 for 4,
            # Cyrillic З for 3) is that digit, which the markings' patterns read as the letter it
            # stands for inside a word (`M𑢯T` is M4T).
            if len(target) == 1 and target.isascii() and target.isdigit() and category[0] in "LS":
                table[ord(char)] = target
                break
            if len(target) == 1 and target.isascii() and target.isalpha():
                # Unicode's prototype for the I/l/1 class is "l"; a capital look-alike is an "I",
                # and capitals matter here (a marking in capitals is a stamp).
                if target == "l" and not char.islower():
                    target = "I"
                table[ord(char)] = target
                break
    # A look-alike of a look-alike (Warang Citi's ꞓ-like letter, Cherokee small letters like small
    # capitals): the letter the one it looks like is read as.
    for char, entries in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or ord(char) in known or ord(char) in table or ord(char) >= TABLE_SIZE \
                or unicodedata.category(char)[0] not in "LSN":
            continue
        target = entries[0].get("c", "") if entries else ""
        if len(target) == 1 and not target.isascii() and target not in _SPECIAL and ord(target) < TABLE_SIZE:
            letter = table.get(ord(target)) or known.get(ord(target))
            if letter and len(letter) == 1 and letter.isascii() and letter.isalnum():
                table[ord(char)] = letter
    for code in range(0x80, TABLE_SIZE):
        if code in known or code in table or 0xD800 <= code < 0xE000:
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if len(base) == 1 and base != chr(code) and ord(base) in table:
            table[code] = table[ord(base)]
    return table


def _drops(code: int) -> bool:
    char = chr(code)
    return unicodedata.category(char) in ("Cf", "Mn", "Me") or unicodedata.combining(char) != 0


@cache
def translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for low, high in _DEFAULT_IGNORABLE:
        for code in range(low, min(high, TABLE_SIZE - 1) + 1):
            table[code] = None
    for code in range(0x80, TABLE_SIZE):
        if code in table or 0xD800 <= code < 0xE000:
            continue
        if _drops(code):
            table[code] = None
            continue
        folded = _compatibility_fold(chr(code))
        if folded is not None:
            table[code] = folded
    for code in _SPACES:
        table[code] = " "
    for code in _LINE_BREAKS:
        table[code] = "\n"
    for code in _DASHES:
        table[code] = "-"
    for code in _DOTS:
        table[code] = "."
    for char in _OPENING:
        table[ord(char)] = "("
    for char in _CLOSING:
        table[ord(char)] = ")"
    for code in _ARROWS:
        table.setdefault(code, "-")
    for code in range(0x80, TABLE_SIZE):
        # Every other opening and closing bracket Unicode knows (⦃⦄ ⁅⁆ ⌈⌉ ﴾﴿ ｟｠ ⸢⸣...): a parenthesis,
        # told by its name where its category follows a right-to-left script's view (﴾ is "closing").
        if code not in table and not 0xD800 <= code < 0xE000 and unicodedata.category(chr(code)) in ("Ps", "Pe"):
            name = unicodedata.name(chr(code), "")
            named = ("LEFT" in name) != ("RIGHT" in name)
            opening = "LEFT" in name if named else unicodedata.category(chr(code)) == "Ps"
            table[code] = "(" if opening else ")"
    table.update(_homoglyphs(table))
    for char, letter in _FAUX.items():
        table.setdefault(ord(char), letter)
    for code in range(0x80, TABLE_SIZE):
        # Any other symbol (emoji, dingbats, braille...) splits letters like punctuation does.
        if code not in table and not 0xD800 <= code < 0xE000 and unicodedata.category(chr(code)) in ("So", "Sk") \
                and not REGIONAL_INDICATORS[0] <= code <= REGIONAL_INDICATORS[1]:
            table[code] = "*"
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


_DROP = 0xFFFFFFFF
_VECTOR_FROM = 96  # characters; below this, setting up the arrays costs more than translate


@cache
def _code_table() -> Any:
    """The same mapping as an array of code points (dropped: `_DROP`), or None if some character
    maps to more or fewer than one."""
    table = np.arange(TABLE_SIZE, dtype=np.uint32)
    for code, value in enumerate(_fast_table()):
        if value is None:
            table[code] = _DROP
        elif isinstance(value, str):
            if len(value) != 1:
                return None
            table[code] = ord(value)
        else:
            table[code] = value
    return table


def _translated(text: str) -> str:
    """`text.translate(_fast_table())`, for a long text as one array look-up: translate calls back
    into Python for every character (half of the guard's time on a long message), an array takes
    all of them at once. Texts with characters beyond the table (or lone surrogates, which no
    encoding takes) are left to translate."""
    table = _code_table()
    if len(text) < _VECTOR_FROM or table is None:
        return text.translate(_fast_table())
    try:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return text.translate(_fast_table())
    if int(codes.max()) >= TABLE_SIZE:
        return text.translate(_fast_table())
    mapped = table.take(codes)
    if int(mapped.max()) == _DROP:
        mapped = mapped[mapped != _DROP]
    return str(mapped.tobytes().decode("utf-32-le"))


def is_dropped(char: str) -> bool:
    return ord(char) < TABLE_SIZE and _fast_table()[ord(char)] is None


_T = TypeVar("_T")


class _once(Generic[_T]):
    """functools.cached_property without its lock: Python 3.11 takes a lock on the first read of
    every instance, which cost more than the value on the guard's path (two per message)."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _once[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> _T | _once[_T]:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value  # read from the instance from now on
        return value


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

    @_once
    def lowered(self) -> str:
        """The folded text in small letters, for the views' quick tests (computed once for all)."""
        return self.text.lower()

    @_once
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


_ASCII_BREAKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n"})


def _ascii_lines(text: str) -> str:
    """Every ASCII line separator as LF; CR LF becomes a space and LF, so lengths stay the same."""
    return text.replace("\r\n", " \n").translate(_ASCII_BREAKS)


def normalise(text: str) -> Skeleton:
    # Decomposed Vietnamese (base letter + combining marks) needs no NFC: the marks are dropped like
    # the precomposed letters' diacritics, and offsets keep referring to what the sender wrote.
    if text.isascii():
        if "\r" in text or "\x0b" in text or "\x0c" in text:
            return Skeleton(_ascii_lines(text), text, None)
        return Skeleton(text, text, None)  # nothing else in ASCII folds or drops
    skeleton = _translated(text)
    if "\r" in skeleton:
        skeleton = _ascii_lines(skeleton)
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


# The marks Vietnamese writes: five tones and the three that make a letter (â ê ô, ă, ơ ư).
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_LETTER_MARKS = {"\u0302": "AEO", "\u0306": "A", "\u031b": "OU"}
_VOWELS = frozenset("AEIOUY")


def vietnamese_marks(letter: str, marks: frozenset[str]) -> frozenset[str]:
    """The marks of `letter` a Vietnamese reader takes as its own: a tone on a vowel, a letter mark
    where Vietnamese puts one. Others (underline, strike-through, a dot above, marks on consonants)
    decorate the letter and are ignored; two tones at once are no Vietnamese letter, so neither
    tone counts (a stacked extra tone does not turn MẬT into another word), and so are two letter
    marks at once (a breve over Ậ, a horn on Ố)."""
    if not marks or letter not in _VOWELS:
        return frozenset()
    kept = frozenset(m for m in marks if m in _TONES or letter in _LETTER_MARKS.get(m, ""))
    if len(kept & _TONES) > 1:
        kept -= _TONES
    if len(kept - _TONES) > 1:
        kept &= _TONES  # â with a breve, ô with a horn: no such letter, so neither mark counts
    return kept


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
    return tuple((letter, vietnamese_marks(letter, marks)) for letter, marks in result)
