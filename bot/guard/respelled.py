"""Texts a reader reads as other letters than the characters typed: leetspeak symbols (`M@T`,
`$ECRET`), every letter doubled (`TTỐỐII MMẬẬTT`), Vietnamese typing residue (Telex `TOOIS MAATJ`,
VNI `TO61I MA65T`: what is left when the input method is off, read at once by any Vietnamese
reader) and text turned upside down (`ʇɐɯ ıoʇ`). Each function is a view, as in bot.guard.views:
the text a reader sees, judged with the same rules, the strictest verdict kept; each returns None
when it would change nothing, decided for ordinary messages by one search in C.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.guard.normalise import Skeleton, normalise

# -- symbols for letters ---------------------------------------------------------------------------

_SYMBOL_LETTERS = {"@": "A", "$": "S", "!": "I", "€": "E", "()": "O", "|\\/|": "M", "/\\": "A"}
_SYMBOL = "|".join(re.escape(s) for s in sorted(_SYMBOL_LETTERS, key=len, reverse=True))
# A symbol touching a letter or a digit on either side: inside a word, or opening one (`$ECRET`).
_SYMBOL_IN_WORD = re.compile(rf"(?<=[^\W_])(?:{_SYMBOL})|(?:{_SYMBOL})(?=[^\W_])")


def symbol_letters(skeleton: Skeleton) -> str | None:
    """Symbols that stand for letters inside a word (`M@T`, `T0! M4T`, `$ECRET`, `T()I`) as those
    letters, as the digits of leetspeak already are. None if no such symbol touches a letter."""
    found = skeleton.text
    if not ("@" in found or "$" in found or "!" in found or "€" in found or ("(" in found and "()" in found)
            or ("\\" in found and "/\\" in found)):
        return None  # single characters first: found at memchr speed
    text = skeleton.original
    for _ in range(3):  # `|\/|@T`: the M touches a letter only once the @ is an A
        changed = _SYMBOL_IN_WORD.sub(lambda m: _SYMBOL_LETTERS[m.group()], text)
        if changed == text:
            break
        text = changed
    return None if text == skeleton.original else text


# -- every letter doubled --------------------------------------------------------------------------

_DOUBLED_WORD = re.compile(r"(?<![^\W_])(?:([^\W\d_])\1{1,2}){2,}(?![^\W_])")
_RUN = re.compile(r"(.)\1+")
# The same with a separator between the letters too (`MM.ẬẬ.TT`, `M M Ậ Ậ T T`, `T-T-Ố-Ố-I-I`): each
# letter twice or three times, a space or a punctuation mark (never a line break) or none after each.
_SPLIT = r"(?:[^\w\n]|_)"
_DOUBLED_SPLIT = re.compile(rf"(?<![^\W_])(?:([^\W\d_])(?:{_SPLIT}?\1){{1,2}}{_SPLIT}?){{2,}}(?<!{_SPLIT})(?![^\W_])")
_SPLIT_RUN = re.compile(rf"([^\W\d_])(?:{_SPLIT}?\1){{1,2}}")


def undoubled(text: str) -> str:
    """Words whose every letter is written twice or three times (`MMẬẬTT`) read with each once; a
    word of ordinary spelling always has a letter alone (`MATT`, `TOOL`)."""
    return _DOUBLED_WORD.sub(lambda m: _RUN.sub(r"\1", m.group()), unicodedata.normalize("NFC", text))


def undoubled_split(text: str) -> str | None:
    """`undoubled`, also where a separator parts the letters (`SSEECCRREETT`, `MM.ẬẬ.TT`,
    `M M Ậ Ậ T T`): each letter once, the separators between them kept (`M.Ậ.T`, `M Ậ T`, which the
    markings' patterns read as split letters). Asked only where a marking's word opens so in capitals
    (bot.guard.stamps notes it in its scan of capitals); None if nothing changes."""
    original = _FORMAT.sub("", text)
    read = _DOUBLED_SPLIT.sub(lambda m: _SPLIT_RUN.sub(r"\1", m.group()), unicodedata.normalize("NFC", original))
    return None if read == unicodedata.normalize("NFC", original) else read


# -- Vietnamese typing residue ---------------------------------------------------------------------

# A word that carries a letter mark typed as Telex (aa ee oo dd aw ow uw) or VNI (6 7 8 9): the
# markings' Vietnamese words all carry one (MẬT, TỐI, TUYỆT, ĐỘ), and a tone, so a word without is left.
_TYPED = re.compile(r"(?<![^\W_])[a-z]*(?:aa|ee|oo|dd|aw|ow|uw|[a-z][1-9]*[6-9])[a-z0-9]*(?![^\W_])",
                    re.IGNORECASE | re.ASCII)
_TONES = {"S": "\u0301", "F": "\u0300", "R": "\u0309", "X": "\u0303", "J": "\u0323",
          "1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
_TONE_MARKS = frozenset(_TONES.values())
_TELEX_LETTERS = [("DD", "Đ"), ("AA", "Â"), ("EE", "Ê"), ("OO", "Ô"), ("AW", "Ă"), ("OW", "Ơ"), ("UW", "Ư")]
_VNI_MARKS = {"6": ("AEO", "\u0302"), "7": ("OU", "\u031b"), "8": ("A", "\u0306"), "9": ("D", "")}
_VOWELS = "AEIOUYÂĂÊÔƠƯ"
_MARKED = "ÂĂÊÔƠƯ"


def _place_tone(letters: str, tone: str) -> str:
    """The tone on the vowel Vietnamese spelling puts it on: a vowel with a letter mark, else the
    first of a cluster that ends the word (TÓI), else its last (TOÁN)."""
    positions = [i for i, c in enumerate(letters) if c in _VOWELS
                 and not (i == 1 and letters[:2] in ("QU", "GI") and len(letters) > 2 and letters[2] in _VOWELS)]
    if not positions:
        return letters
    marked = [i for i in positions if letters[i] in _MARKED]
    if marked:
        at = marked[-1]
    elif positions[-1] == len(letters) - 1 and len(positions) > 1:
        at = positions[-2]
    else:
        at = positions[-1]
    return unicodedata.normalize("NFC", letters[:at + 1] + tone + letters[at + 1:])


def _from_telex(word: str) -> str:
    upper = word.upper()
    tone = ""
    if len(upper) > 2 and upper[-1] in "SFRXJ" and any(c in "AEIOUY" for c in upper[:-1]):
        tone, upper = _TONES[upper[-1]], upper[:-1]
    else:
        # The tone key may follow the vowel before the word ends (`MAAJT`, `KHAARU`).
        at = next((i for i in range(len(upper) - 1, 1, -1) if upper[i] in "SFRXJ" and upper[i - 1] in "AEIOUYW"), 0)
        if at:
            tone, upper = _TONES[upper[at]], upper[:at] + upper[at + 1:]
    for typed, letter in _TELEX_LETTERS:
        upper = upper.replace(typed, letter)
    return _place_tone(upper, tone) if tone else upper


def _from_vni(word: str) -> str:
    letters: list[str] = []
    tone = ""
    for char in word.upper():
        if char in _TONES:
            tone = _TONES[char]
        elif char in _VNI_MARKS:
            takers, mark = _VNI_MARKS[char]
            for i in range(len(letters) - 1, -1, -1):
                if letters[i] in takers:
                    letters[i] = "Đ" if char == "9" else unicodedata.normalize("NFC", letters[i] + mark)
                    break
        elif char.isalpha():
            letters.append(char)
    joined = "".join(letters)
    return _place_tone(joined, tone) if tone else joined


def _as_typed(word: str, converted: str) -> str:
    return converted.lower() if word.islower() else converted.capitalize() if word.istitle() else converted


# The keys of the marks the markings' words carry: a circumflex (Telex doubles the vowel, VNI a 6)
# and the stroke of Đ (dd, 9).
_MARK_KEYS = {"A": "a6", "E": "e6", "O": "o6", "D": "d9"}


def _holds_mark_key(window: str) -> bool:
    return "aa" in window or "oo" in window or "ee" in window or "dd" in window or "6" in window


@lru_cache(maxsize=8)
def _gates(common: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What a text must hold for `common` (MẬT) to be respelled in it: Telex (`maa`, which a
    doubled `mmaa` holds too), or VNI (`ma6`, `mat6`) behind a test for its digit alone."""
    hints = sorted(_hints(common.upper()) | {common + "6"})
    return tuple(h for h in hints if h[-1].isalpha()), tuple((h[-1], h) for h in hints if not h[-1].isalpha())


def _hints(word: str) -> set[str]:
    """What a Telex or VNI spelling of `word` must hold: its letters up to a letter that takes a
    mark, then that mark's key (`maa`, `ma6`, `too`, `dd`, `d9`...)."""
    return {word[:i + 1].lower() + key for i, letter in enumerate(word) for key in _MARK_KEYS.get(letter, "")}


@lru_cache(maxsize=4096)
def _read_typed(word: str) -> str | None:
    converted = _from_vni(word) if any(c.isdigit() for c in word) else _from_telex(word)
    # Typed with its tone as well (the markings' words all carry one): `MAAT` is no word typed.
    if not any(mark in _TONE_MARKS for mark in unicodedata.normalize("NFD", converted)):
        return None
    return _as_typed(word, converted)


def typed_vietnamese(text: str) -> str:
    """Words typed in Telex or VNI without the input method, with a letter mark and a tone, read as
    the Vietnamese they spell: the marking's words and those around it (`MAATJ KHAARU` is MẬT KHẨU,
    a compound). Only asked where the marking's own word is typed so (see `respelled`): an English
    text is never read as Telex."""
    return _TYPED.sub(lambda m: _read_typed(m.group()) or m.group(), text)


WORD = re.compile(r"[^\W_]+")


def fold_words(text: str) -> tuple[str, ...]:
    return tuple(w.upper() for w in WORD.findall(normalise(text).text))


_FORMAT = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+")


_BEFORE = 24  # characters before a marking where a higher one's first words stand
_TYPED_OR_DOUBLED = re.compile(r"([A-Za-z])\1|[1-9]")  # a Telex key doubled (aa, oo, dd), a VNI digit, a doubled letter


def _before(text: str, positions: list[int]) -> str | None:
    """The text with the few characters before each of `positions` (markings found) read undoubled
    and as Telex or VNI."""
    changed = False
    for end in sorted(set(positions), reverse=True)[:16]:
        start = max(0, end - _BEFORE)
        if _TYPED_OR_DOUBLED.search(text, start, end) is None:
            continue
        read = typed_vietnamese(undoubled(_FORMAT.sub("", text[start:end])))
        if read != unicodedata.normalize("NFC", text[start:end]):
            text, changed = text[:start] + read + text[end:], True
    return text if changed else None


def respelled(skeleton: Skeleton, common: str, found: list[int] | None = None) -> str | None:
    """The text with doubled letters read once and Telex or VNI read as Vietnamese; None if that
    changes nothing. Every Vietnamese marking and field holds `common` (MẬT): looked for only
    where it is doubled or typed (`mmaa`, `maa`, `ma6`, `mat6`), which a search or two
    rules out for nearly every message (a search for doubled letters at every position would
    cost more than the rest of the guard). Where markings were `found` already (their offsets), the
    words just before each are read so, and a higher one's first words typed so raise its level
    (`TOOIS MẬT`, `TTỐỐII MẬT`)."""
    if not common:
        return None  # a policy whose markings share no word: nothing to look for quickly
    lowered = skeleton.lowered
    common = common.lower()
    telex, vni = _gates(common)
    if not any(hint in lowered for hint in telex) and \
            not any(digit in lowered and hint in lowered for digit, hint in vni):
        return _before(skeleton.original, found) if found else None
    # Invisible characters inside a typed word (`MAA‍TJ`) would part it: the view goes without them.
    original = _FORMAT.sub("", skeleton.original)
    text = typed_vietnamese(undoubled(original))
    return None if text == unicodedata.normalize("NFC", original) else text


def typed_words(texts: list[str]) -> tuple[str, tuple[str, ...]]:
    """The word every Vietnamese marking and field's name holds (MẬT), and the words right before it
    in them (TỐI, TUYỆT, ĐỘ), folded in capitals: a marking typed in Telex or VNI, or with its letters
    doubled, holds the first so; the others, typed so before a plain MẬT, make a marking or a field."""
    vietnamese = [fold_words(text) for text in texts if not text.isascii()]
    held_by_all = set.intersection(*(set(words) for words in vietnamese)) if vietnamese else set()
    common = min(held_by_all) if held_by_all else ""
    heads = {words[words.index(common) - 1] for words in vietnamese if common in words[1:]}
    return common, tuple(sorted(heads))


def head_hints(heads: tuple[str, ...]) -> tuple[str, ...]:
    """What a Telex or VNI spelling of each of `heads` holds (`too`, `tuyee`, `dd`, `to6`, `d9`...)."""
    return tuple(sorted({hint for head in heads for hint in _hints(head.upper())}))


def typed_pattern(heads: tuple[str, ...]) -> str:
    """A pattern for each of `heads` (TỐI, TUYỆT, folded) typed in Telex or VNI with its letter mark
    and a tone (`toois`, `toosi`, `tuyeejt`, `to61i`), matched in any case."""
    spellings = set()
    for head in heads:
        head = head.lower()
        for at, letter in enumerate(head):
            for key in _MARK_KEYS.get(letter.upper(), ""):
                tones = "[sfrxj]" if key.isalpha() else "[1-5]"
                for place in range(at + 1, len(head) + 1):
                    spellings.add(re.escape(head[:at + 1] + key + head[at + 1:place]) + tones + re.escape(head[place:]))
    by_first: dict[str, list[str]] = {}  # grouped by first letter: a line's first word fails at once
    for spelling in sorted(spellings, key=len, reverse=True):
        by_first.setdefault(spelling[0], []).append(spelling[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in sorted(by_first.items())) or "(?!)"


@lru_cache(maxsize=8)
def _head_gates(heads: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    hints = sorted({hint for head in heads for hint in _hints(head.upper())})
    return tuple(h for h in hints if h[-1].isalpha()), tuple((h[-1], h) for h in hints if not h[-1].isalpha())


def typed_heads(skeleton: Skeleton, common: str, heads: tuple[str, ...]) -> str | None:
    """The text with the words before `common` (MẬT) read as Telex or VNI where one of `heads` (the
    words that go before it in a marking or a field's name: TỐI, TUYỆT, ĐỘ) is typed so, although
    MẬT itself is typed plainly and in small letters (`TOOIS mật`, `DDooj mật: A`): a reader reads
    `TỐI mật`, a line of nothing but a marking, and `Độ mật: A`, a field. Asked only where the
    stamps' scans saw such a head in capitals, or a field's separator after a MẬT with no field's
    name before it (bot.guard.stamps); None if nothing changes."""
    if not common or not heads:
        return None
    lowered = skeleton.lowered
    telex, vni = _head_gates(heads)
    hints = [h for h in telex if h in lowered] + [h for digit, h in vni if digit in lowered and h in lowered]
    if not hints:
        return None
    common = common.lower()
    positions: list[int] = []
    for hint in hints:
        at = lowered.find(hint)
        while at != -1 and len(positions) < 16:
            near = lowered.find(common, at + len(hint), at + _BEFORE + len(common))
            if near != -1:
                positions.append(skeleton.start(near))
            at = lowered.find(hint, at + 1)
    return _before(skeleton.original, positions) if positions else None


# -- upside down -----------------------------------------------------------------------------------

_TURNED = {"ɐ": "A", "ɔ": "C", "ǝ": "E", "ɟ": "F", "ƃ": "G", "ɥ": "H", "ı": "I", "ɾ": "J", "ʞ": "K", "ɯ": "M",
           "ɹ": "R", "ʇ": "T", "ʌ": "V", "ʍ": "W", "ʎ": "Y", "∀": "A", "⊥": "T", "Ǝ": "E", "Ɔ": "C", "Ⅎ": "F",
           "⅁": "G", "⅂": "L", "Ԁ": "P", "ᴚ": "R", "∩": "U", "⅄": "Y", "ꓕ": "T", "Ɐ": "A", "Ʇ": "T", "Ɯ": "M"}
# Letters that look the same, or like another, turned: read only beside a turned one.
_SYMMETRIC = {"q": "B", "p": "D", "d": "P", "b": "Q", "u": "N", "n": "U", "l": "L", "o": "O", "s": "S", "x": "X",
              "z": "Z", "W": "M", "M": "W", "I": "I", "O": "O", "S": "S", "X": "X", "Z": "Z", "N": "N", "H": "H",
              "Λ": "V", "ſ": "J", "i": "I"}
_ANY_TURNED = re.compile("[" + "".join(_TURNED) + "]")
_TURNED_WORD = re.compile("[" + "".join(_TURNED) + "".join(_SYMMETRIC) + r"\u0300-\u036f]+")
_TURNED_RUN = re.compile(rf"(?<![^\W_]){_TURNED_WORD.pattern}(?:[ \t]+{_TURNED_WORD.pattern})*(?![^\W_])")


def _clusters(word: str) -> list[str]:
    out: list[str] = []
    for char in word:
        if out and unicodedata.combining(char):
            out[-1] += char
        else:
            out.append(char)
    return out


def _upright(run: str) -> str | None:
    if _ANY_TURNED.search(run) is None:
        return None
    words = run.split()
    read = ["".join((_TURNED.get(c[0]) or _SYMMETRIC.get(c[0], c[0])) + c[1:] for c in reversed(_clusters(word)))
            for word in reversed(words)]
    return " ".join(read)


def turned(skeleton: Skeleton) -> str | None:
    """Words written upside down (`ʇɐɯ ıoʇ`, `⊥∀W IO⊥`) read the right way up: each run of words in
    the turned alphabet that holds a letter only a turned text uses, its order and letters reversed,
    in capitals (a turned alphabet has no case a writer chooses). None if there is none."""
    text = skeleton.original
    # Letters only a turned text uses (ɐ ʇ ∀ ⊥...) have no folding: an ASCII skeleton has none.
    if skeleton.text.isascii() or _ANY_TURNED.search(text) is None:
        return None
    changed = False

    def turn(match: re.Match[str]) -> str:
        nonlocal changed
        upright = _upright(match.group())
        if upright is None:
            return match.group()
        changed = True
        return upright

    result = _TURNED_RUN.sub(turn, text)
    return result if changed else None
