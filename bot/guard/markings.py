"""The marking forms of a policy, compiled once into the patterns every rule searches with.

A form is matched on the normalised skeleton, so look-alikes, invisible characters and stripped
diacritics are already undone; its letters may be split by spaces, dots or dashes. A match is then
checked against the sender's own letters: diacritics that are present must be the marking's own,
so `mất` (lost) and `mặt` (face) are not `mật`, while `MAT` without any diacritics is.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bot.guard.normalise import Skeleton, letters_and_marks, normalise
from bot.guard.verdict import Level

# What may split the letters of a marking ("M.Ậ.T", "S-E-C-R-E-T", "T Ố I  M Ậ T", Markdown's "M`Ậ`T").
# The dash family and odd dots are already folded to "-" and "." by normalisation. Tag characters and
# the supplementary variation selectors lie beyond the normalisation table, so they are skipped here.
BEYOND_TABLE = r"\U000E0000-\U000E01EF"  # tag characters, supplementary variation selectors
SEP = rf"[ \t.\-_·•*/\\|~+`{BEYOND_TABLE}]"
# Inside a word any punctuation or symbol may split the letters ("T:Ố:I", "M,Ậ,T", "M'Ậ'T", "M(Ậ)T",
# an emoji, which normalisation reads as `*`, square brackets: `M[Ậ]T`); only a line break does not.
LETTER_SEP = r"(?:[^\w\n]|_)"
# Digits that stand for letters inside a marking word ("C0NFIDENTIAL", "S3CRET", "T0P SECRET").
DIGIT_LETTERS = {"0": "O", "1": "IL", "3": "E", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B"}
LETTER_DIGITS = {letter: digit for digit, letters in DIGIT_LETTERS.items() for letter in letters}
ALNUM_BEFORE = r"(?<![^\W_])"
ALNUM_AFTER = r"(?![^\W_])"
WORD = re.compile(r"[^\W_]+")
# Only spaces and hyphens join the words of an everyday compound: "BẢO MẬT", "mật-khẩu".
_JOINER = re.compile(r"[ \t\-]+")

LetterMarks = tuple[tuple[str, frozenset[str]], ...]


@dataclass(frozen=True)
class Form:
    level: Level
    words: tuple[str, ...]  # upper-case folded letters per word, e.g. ("TOI", "MAT")
    letters: LetterMarks  # each letter with its diacritics
    # A handling mark (TÀI LIỆU THU HỒI...): a stamp by rules 1-3, never a portion mark or a span.
    stamp_only: bool = False


@dataclass(frozen=True)
class Phrase:
    """A phrase compared word by word with the sender's words (compounds, urgency marks...)."""

    words: tuple[str, ...]
    marks: tuple[LetterMarks, ...]


def fold_words(text: str) -> tuple[str, ...]:
    return tuple(w.upper() for w in WORD.findall(normalise(text).text))


def phrase(text: str) -> Phrase:
    originals = WORD.findall(text)
    return Phrase(fold_words(text), tuple(letters_and_marks(w) for w in originals))


def letters_pattern(words: tuple[str, ...], digits: bool = False, between: str = SEP, within: str = LETTER_SEP) -> str:
    """Letters joined by any run of separators, words too (so "TOPSECRET" and "T O P" match); with
    `digits`, each letter also as the digit that looks like it. `between` is what may part words,
    `within` what may part a word's letters."""
    def letter(char: str) -> str:
        digit = LETTER_DIGITS.get(char) if digits else None
        plain = f"[{re.escape(char)}{digit}]" if digit else re.escape(char)
        # A small l stands for a capital I in most faces ("TỐl MẬT", "CONFlDENTlAL"); a capital L does not.
        return f"(?:{plain}|(?-i:l))" if digits and char == "I" else plain
    return f"{between}*".join(f"{within}*".join(letter(char) for char in word) for word in words)


def _same_letter(found: str, wanted: str) -> bool:
    """`found` may be a digit that looks like `wanted`, or an L where the patterns let only a small l
    stand for an I."""
    return found == wanted or wanted in DIGIT_LETTERS.get(found, "") or (found, wanted) == ("L", "I")


def marks_fit(found: LetterMarks, wanted: LetterMarks) -> bool:
    """Same letters (a digit may stand for a letter it looks like), and every diacritic present is
    one the wanted word carries. A word written without any (SECRET) takes none as telling: `SÉCRET`
    is SECRET, while `mất` and `mặt` are not `mật`."""
    if len(found) == len(wanted) and not any(marks for _, marks in wanted):
        return all(_same_letter(letter, want) for (letter, _), (want, _) in zip(found, wanted, strict=True))
    return len(found) == len(wanted) and all(
        _same_letter(letter, want_letter) and marks <= want_marks
        for (letter, marks), (want_letter, want_marks) in zip(found, wanted, strict=True))


def mostly_letters(found: LetterMarks) -> bool:
    """Digits stand in for fewer than half of the letters: `M4T` is a disguised MẬT, `M47` a code."""
    return 2 * sum(1 for letter, _ in found if letter.isdigit()) < len(found)


class MarkingForms:
    """The policy's markings as patterns, with the check against the sender's diacritics."""

    def __init__(self, markings: dict[Level, list[str]], handling_marks: list[str] | None = None) -> None:
        forms = [Form(level, fold_words(text), letters_and_marks(text))
                 for level, texts in markings.items() for text in texts]
        forms += [Form(Level.MAT, fold_words(text), letters_and_marks(text), stamp_only=True)
                  for text in handling_marks or []]
        # Longest first, so TOP SECRET wins over SECRET and TỐI MẬT over MẬT at the same place.
        self.forms = sorted(forms, key=lambda f: -sum(len(w) for w in f.words))
        self.alternatives = "|".join(f"(?P<f{i}>{letters_pattern(f.words, digits=True)})"
                                     for i, f in enumerate(self.forms))
        self.plain_alternatives = "|".join(letters_pattern(f.words, digits=True) for f in self.forms)
        # What opens a portion mark "(MẬT) ...": the secrecy markings, not the handling marks.
        self.portion_alternatives = "|".join(letters_pattern(f.words, digits=True) for f in self.forms
                                             if not f.stamp_only)
        first_letters = {f.words[0][0] for f in self.forms}
        self.first_characters = "".join(sorted(first_letters | {LETTER_DIGITS[c] for c in first_letters
                                                                if c in LETTER_DIGITS}))
        self.words = frozenset(word for f in self.forms for word in f.words)  # every word of every form
        self.any_case = re.compile(f"{ALNUM_BEFORE}(?:{self.alternatives}){ALNUM_AFTER}", re.IGNORECASE)
        # The same with a line break allowed between words and letters: a stamp split over lines
        # (TỐI / MẬT, TỐ / I MẬT) keeps its level. Used only around a stamp already found, to find how high it goes.
        across = r"(?:[^\w\[\]]|_)"  # any punctuation or symbol, a line break too
        self.across_lines = re.compile(
            ALNUM_BEFORE + "(?:" + "|".join(f"(?P<f{i}>{letters_pattern(f.words, True, across, across)})"
                                             for i, f in enumerate(self.forms)) + ")" + ALNUM_AFTER, re.IGNORECASE)
        self._spellings: dict[tuple[str, int], bool] = {}
        # Words that go before others in a form (TỐI in TỐI MẬT, TOP in TOP SECRET): only after one of
        # them (or after a lone letter, the end of a split word) can a stamp be part of a longer one.
        self.leading_words = {w for f in self.forms for w in f.words[:-1]}
        self.longest_leading = max((len(w) for w in self.leading_words), default=0)
        self.leading_spellings: dict[int, set[str]] = {}  # by length, with digits for letters (T0P)
        for word in self.leading_words:
            options = [[c, *(d for d, ls in DIGIT_LETTERS.items() if c in ls)] for c in word]
            self.leading_spellings.setdefault(len(word), set()).update(
                "".join(spelling) for spelling in itertools.product(*options))
        # Forms whose words end a longer form of a higher level (MẬT in TỐI MẬT, SECRET in TOP SECRET).
        self.has_wider = {id(f) for f in self.forms if any(
            len(o.words) > len(f.words) and o.words[-len(f.words):] == f.words for o in self.forms)}

    def form_of(self, match: re.Match[str]) -> Form:
        assert match.lastgroup is not None
        return self.forms[int(match.lastgroup[1:])]

    def is_that_word(self, skeleton: Skeleton, start: int, end: int, form: Form) -> bool:
        """Diacritics present must be the marking's own: `mất` and `mặt` are other words."""
        original = skeleton.original_of(start, end)
        key = (original, id(form))
        known = self._spellings.get(key)
        if known is None:
            found = letters_and_marks(original)
            known = marks_fit(found, form.letters) and mostly_letters(found)
            if len(self._spellings) > 50_000:
                self._spellings.clear()
            self._spellings[key] = known
        return known

    def find(self, skeleton: Skeleton, start: int = 0, end: int | None = None) -> list[tuple[int, int, Form]]:
        """Every marking in any case between two skeleton offsets, checked against its diacritics."""
        stop = len(skeleton.text) if end is None else end
        found = []
        for match in self.any_case.finditer(skeleton.text, start, stop):
            form = self.form_of(match)
            if self.is_that_word(skeleton, match.start(), match.end(), form):
                found.append((match.start(), match.end(), form))
        return found

    def widest(self, skeleton: Skeleton, start: int, end: int, level: Level) -> tuple[int, int, Level]:
        """A higher marking around a stamp, in any case and across a line break, decides its level:
        `Top SECRET` is TOP SECRET, `TỐI⏎MẬT` is TỐI MẬT (a disguise never lowers the level)."""
        if level is Level.TUYET_MAT:
            return start, end, level
        text = skeleton.text
        letters = ""  # the last letters before it, whatever splits them ("T:op", "T O I⏎")
        cursor = start
        while cursor > 0 and start - cursor < 32 and len(letters) < self.longest_leading:
            cursor -= 1
            if text[cursor].isalnum():
                letters = text[cursor].upper() + letters
        if not any(letters[-size:] in spellings for size, spellings in self.leading_spellings.items()):
            return start, end, level  # no word of a longer marking stands right before it
        for match in self.across_lines.finditer(text, max(0, start - 32), min(len(text), end + 32)):
            form = self.form_of(match)
            if match.start() <= start and end <= match.end() and form.level.rank > level.rank and \
                    self.is_that_word(skeleton, match.start(), match.end(), form):
                start, end, level = match.start(), match.end(), form.level
        return start, end, level

    def highest(self, skeleton: Skeleton, start: int = 0, end: int | None = None) -> Level | None:
        levels = [form.level for _, _, form in self.find(skeleton, start, end)]
        return max(levels, key=lambda lv: lv.rank) if levels else None


def words_before(skeleton: Skeleton, position: int, count: int) -> list[tuple[int, int]]:
    """Up to `count` words right before `position`, joined to it only by spaces or hyphens."""
    text = skeleton.text
    found: list[tuple[int, int]] = []
    cursor = position
    while len(found) < count:
        gap = cursor
        while gap > 0 and _JOINER.fullmatch(text[gap - 1]):
            gap -= 1
        if gap == cursor or gap == 0:
            break
        start = gap
        while start > 0 and (text[start - 1].isalnum()):
            start -= 1
        if start == gap:
            break
        found.insert(0, (start, gap))
        cursor = start
    return found


def words_after(skeleton: Skeleton, position: int, count: int) -> list[tuple[int, int]]:
    """Up to `count` words right after `position`, joined to it only by spaces or hyphens."""
    text = skeleton.text
    found: list[tuple[int, int]] = []
    cursor = position
    while len(found) < count:
        joined = _JOINER.match(text, cursor)
        if joined is None:
            break
        word = WORD.match(text, joined.end())
        if word is None:
            break
        found.append(word.span())
        cursor = word.end()
    return found


def phrase_at(skeleton: Skeleton, spans: list[tuple[int, int]], wanted: Phrase, offset: int) -> bool:
    """Whether the words at `spans` are `wanted.words[offset:offset+len(spans)]`, diacritics fitting."""
    for (start, end), word, marks in zip(spans, wanted.words[offset:], wanted.marks[offset:], strict=False):
        if skeleton.text[start:end].upper() != word:
            return False
        if not marks_fit(letters_and_marks(skeleton.original_of(start, end)), marks):
            return False
    return True


class Compounds:
    """The everyday compounds that hold a marking's words (BẢO MẬT, MẬT KHẨU, SECRETARY...), indexed
    by those words so that judging a candidate costs two short looks around it."""

    def __init__(self, texts: list[str], forms: list[Form]) -> None:
        self.phrases = [phrase(text) for text in texts]
        self.by_form: dict[tuple[str, ...], list[tuple[Phrase, int]]] = {}
        for form in forms:
            size = len(form.words)
            self.by_form[form.words] = [
                (compound, at) for compound in self.phrases for at in range(len(compound.words) - size + 1)
                if compound.words[at:at + size] == form.words]
        self.longest_head = max((len(p.words) for p in self.phrases), default=0)
        self._decided: dict[tuple[str, str], bool] = {}  # (words before, marking and words after)

    def holds(self, skeleton: Skeleton, start: int, end: int, form: Form) -> bool:
        """Whether the marking at start..end (skeleton offsets) is part of a compound around it."""
        candidates = self.by_form.get(form.words)
        if not candidates:
            return False
        head = words_before(skeleton, start, self.longest_head)
        tail = words_after(skeleton, end, self.longest_head)
        context_start = head[0][0] if head else start
        context_end = tail[-1][1] if tail else end
        key = (skeleton.original_of(context_start, start), skeleton.original_of(start, context_end))
        known = self._decided.get(key)
        if known is None:
            known = self._judge(skeleton, start, end, form, head, tail, candidates)
            if len(self._decided) > 50_000:
                self._decided.clear()
            self._decided[key] = known
        return known

    @staticmethod
    def _judge(skeleton: Skeleton, start: int, end: int, form: Form, head: list[tuple[int, int]],
               tail: list[tuple[int, int]], candidates: list[tuple[Phrase, int]]) -> bool:
        head_words = [skeleton.text[s:e].upper() for s, e in head]
        tail_words = [skeleton.text[s:e].upper() for s, e in tail]
        size = len(form.words)
        for compound, at in candidates:
            wanted_head = list(compound.words[:at])
            wanted_tail = list(compound.words[at + size:])
            if (wanted_head and head_words[-len(wanted_head):] != wanted_head) or \
                    tail_words[:len(wanted_tail)] != wanted_tail:
                continue
            if size == 1 and not marks_fit(letters_and_marks(skeleton.original_of(start, end)),
                                           compound.marks[at]):
                continue
            before = head[len(head) - len(wanted_head):] if wanted_head else []
            if phrase_at(skeleton, before, compound, 0) and \
                    phrase_at(skeleton, tail[:len(wanted_tail)], compound, at + size):
                return True
        return False
