"""Markings used as stamps, which block: the design's block rules 1 to 4.

Only the placements that can block are searched for, and in C: a classification field, a line
holding nothing but markings (and urgency marks), a marking in capitals as a word of its own, a
bracketed marking that opened no span. A marking in ordinary lower-case prose is never even a
candidate, which keeps the common case fast.
"""

from __future__ import annotations

import re

from bot.guard.markings import (
    ALNUM_AFTER,
    ALNUM_BEFORE,
    BEYOND_TABLE,
    Compounds,
    Form,
    MarkingForms,
    fold_words,
    letters_pattern,
)
from bot.guard.normalise import Skeleton, letters_and_marks, normalise
from bot.guard.policy import GuardPolicy
from bot.guard.regions import Tag
from bot.guard.verdict import Finding, GuardAction, Level, highest

# The letters on the envelopes of the stamp forms, standing for levels in a classification field.
ENVELOPE_LETTERS = {"A": Level.TUYET_MAT, "B": Level.TOI_MAT, "C": Level.MAT}
_NON_WORD = r"(?:[^\w\n]|_)"
_ITEM = r"[ \t>*•+\-]*"
_WORD = re.compile(r"[^\W_]+")
# Where a caveat starts after a field's value: "Unclassified//FOUO", "thường (không mật)".
_CAVEAT = re.compile(r"[(\[/]|\s[-–—:]\s")
_VALUE_STOP = re.compile(r"[,;|\t]| {2,}")
_LONGEST_FIELD_VALUE = 80  # characters after the separator that can hold a field's value
_LONGEST_FIELD_NAME = 200  # characters looked back from a separator for a field's name


def _envelope_letter(skeleton: Skeleton, start: int, end: int) -> Level | None:
    """The level an envelope letter gives, if the value's first word is one: a lone A, B or C
    without diacritics (`à` is a word of its own)."""
    word = _WORD.search(skeleton.text, start, end)
    if word is None or word.end() - word.start() != 1:
        return None
    letters = letters_and_marks(skeleton.original_of(word.start(), word.end()))
    if len(letters) != 1 or letters[0][1]:
        return None
    return ENVELOPE_LETTERS.get(letters[0][0])


class StampFinder:
    def __init__(self, policy: GuardPolicy, forms: MarkingForms) -> None:
        self.policy = policy
        self.forms = forms
        self.capitals = re.compile(
            f"(?=[{forms.first_characters}]){ALNUM_BEFORE}(?:{forms.alternatives}){ALNUM_AFTER}")
        urgency = "|".join(letters_pattern(fold_words(mark)) for mark in policy.urgency_marks) or "(?!)"
        plain = forms.plain_alternatives
        self.alone = re.compile(
            rf"(?:{_NON_WORD}|(?:{urgency}){ALNUM_AFTER})*?(?:{forms.alternatives})"
            rf"(?:{_NON_WORD}|(?:{urgency}|{plain}){ALNUM_AFTER})*$", re.IGNORECASE)
        names = sorted({letters_pattern(fold_words(name), digits=True) for name in policy.fields}, key=len,
                       reverse=True)
        # A field is found from its separator back to its name: separators are few, names long.
        # A cell boundary (a tab in spreadsheet rows, a pipe in Markdown tables) also separates a
        # name from its value, but like a dash only where a marking or an envelope letter follows.
        self.field_separator = re.compile(  # a character set first: searched fast
            rf"[:=\-\t|](?:(?<=[:\t|])|(?=[ \t{BEYOND_TABLE}]))")
        self.field_name = re.compile(rf"{ALNUM_BEFORE}(?:{'|'.join(names)})[ \t{BEYOND_TABLE}]*$", re.IGNORECASE)
        self.compounds = Compounds(policy.compounds, forms.forms)
        self.unclassified = {" ".join(fold_words(v)) for v in policy.unclassified_values}

    def find(self, skeleton: Skeleton, redacted: list[Finding], unpaired: list[Tag]) -> list[Finding]:
        found: list[Finding] = []
        taken: list[tuple[int, int]] = []  # skeleton spans already judged

        def free(start: int) -> bool:
            position = skeleton.start(start)
            return not any(r.start <= position < r.end for r in redacted) and \
                not any(s <= start < e for s, e in taken)

        for start, end, level in self._fields(skeleton):
            if free(start):
                if level is not None:
                    found.append(self._stamp("classification-field", skeleton, start, end, level))
                taken.append((start, end))  # an unclassified field's own words are no stamp either
        for tag in unpaired:
            if free(tag.start):
                found.append(self._stamp("bracketed-marking", skeleton, tag.start, tag.end, tag.level))
                taken.append((tag.start, tag.end))
        for start, end, level in self._alone(skeleton):
            if free(start):
                found.append(self._stamp("marking-alone-on-line", skeleton, start, end, level))
                taken.append((start, end))
        for start, end, level in self._in_capitals(skeleton):
            if free(start):
                found.append(self._stamp("marking-in-capitals", skeleton, start, end, level))
                taken.append((start, end))
        return found

    # -- rule 4: classification fields ------------------------------------------------------------

    def _fields(self, skeleton: Skeleton) -> list[tuple[int, int, Level | None]]:
        """Each classification field with the level its value gives (None: says unclassified)."""
        found: list[tuple[int, int, Level | None]] = []
        text = skeleton.text
        for separator in self.field_separator.finditer(text):
            position = separator.start()
            line_start = max(text.rfind("\n", 0, position) + 1, position - _LONGEST_FIELD_NAME)
            name = self.field_name.search(text, line_start, position)
            if name is None:
                continue
            value_start = separator.end()
            # A field's value is a few words on its line: reading to the end of a long paragraph
            # made each separator cost the whole text (and found markings the field never named).
            value_end = text.find("\n", value_start, value_start + _LONGEST_FIELD_VALUE)
            value_end = min(len(text), value_start + _LONGEST_FIELD_VALUE) if value_end == -1 else value_end
            value = text[value_start:value_end]
            colon = separator.group() == ":"
            first = _VALUE_STOP.split(value.strip(), maxsplit=1)[0]
            words = " ".join(fold_words(first))
            if self._says_unclassified(first, words):
                found.append((name.start(), value_end, None))
                continue
            level = highest([lv for lv in (self.forms.highest(skeleton, value_start, value_end),
                                           _envelope_letter(skeleton, value_start, value_end)) if lv is not None])
            if level is None:
                if not colon or not words:
                    # "Độ mật - ..." is a field only when a marking follows; "Độ mật:" alone is a label.
                    found.append((name.start(), value_end, None))
                    continue
                level = Level.MAT  # an unknown classification is still a classification
            found.append((name.start(), value_end, level))
        return found

    def _says_unclassified(self, first: str, words: str) -> bool:
        """`thường`, `Unclassified`, and so with a caveat after it (`Unclassified//FOUO`,
        `thường (không mật)`) — unless the caveat holds a marking (`thường // Tuyệt mật`)."""
        if words in self.unclassified:
            return True
        caveat = _CAVEAT.search(first)
        if caveat is None:
            return False
        head, rest = first[:caveat.start()], first[caveat.start():]
        if " ".join(fold_words(head)) not in self.unclassified:
            return False
        rest_words = " ".join(fold_words(rest))
        return not rest_words or rest_words in self.unclassified or \
            self.forms.highest(normalise(rest)) is None

    # -- rule 1: a line of nothing but markings -------------------------------------------------

    def _alone(self, skeleton: Skeleton) -> list[tuple[int, int, Level]]:
        found = []
        text = skeleton.text
        for line_start, line_end in skeleton.lines:
            match = self.alone.match(text, line_start, line_end)  # matched line by line: `^` is slow
            if match is None:
                continue
            markings = self.forms.find(skeleton, match.start(), match.end())
            if markings:
                level = max((form.level for _, _, form in markings), key=lambda lv: lv.rank)
                found.append((markings[0][0], markings[-1][1], level))
        return found

    # -- rule 2: a marking in capitals, as a word of its own ------------------------------------

    def _in_capitals(self, skeleton: Skeleton) -> list[tuple[int, int, Level]]:
        found = []
        for match in self.capitals.finditer(skeleton.text):
            form = self.forms.form_of(match)
            start, end = match.span()
            if not self.forms.is_that_word(skeleton, start, end, form):
                continue
            if self.compounds.holds(skeleton, start, end, form):
                continue
            found.append(self._widest(skeleton, start, end, form))
        return found

    def _widest(self, skeleton: Skeleton, start: int, end: int, form: Form) -> tuple[int, int, Level]:
        """`Top SECRET` is TOP SECRET: a longer marking around the capitals, in any case, decides."""
        if id(form) not in self.forms.has_wider:
            return start, end, form.level
        window_start = max(0, start - 24)
        for other_start, other_end, other in self.forms.find(skeleton, window_start, min(len(skeleton.text), end + 24)):
            if other_start <= start and end <= other_end and other.level.rank > form.level.rank:
                return other_start, other_end, other.level
        return start, end, form.level

    def _stamp(self, rule: str, skeleton: Skeleton, start: int, end: int, level: Level) -> Finding:
        action = GuardAction.REDACT if self.policy.action_for(level) == "redact" else GuardAction.BLOCK
        return Finding(rule, skeleton.start(start), skeleton.end(end), level, action)

