"""Markings used as stamps, which block: the design's block rules 1 to 4.

Only the placements that can block are searched for, and in C: a classification field, a line
holding nothing but markings (and urgency marks), a marking in capitals as a word of its own, a
bracketed marking that opened no span. A marking in ordinary lower-case prose is never even a
candidate, which keeps the common case fast.
"""

from __future__ import annotations

import itertools
import re

from bot.guard.markings import (
    ALNUM_AFTER,
    ALNUM_BEFORE,
    BEYOND_TABLE,
    LETTER_DIGITS,
    LETTER_SEP,
    Compounds,
    Form,
    MarkingForms,
    fold_words,
    letters_pattern,
    words_after,
    words_before,
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
# A copy number beside a stamp ("Tuyệt mật - bản số 3/5", "SECRET copy 2 of 4") keeps it a stamp.
_COPY = r"(?:(?:ban|so|copy|no|nr|number|lien)(?![^\W_])[ .:#]*)*\d{1,5}(?:[ ]*(?:/|of|tren)[ ]*\d{1,5})?"
# Between a field's name and its value when no colon parts them: spaces, brackets, arrows (read as
# dashes by normalisation), a line break ("Độ mật (B)", "Độ mật A", "Độ mật⏎B").
_LOOSE_GAP = r"[^\w\n]*\n?[^\w\n]*"
_GAP = re.compile(_LOOSE_GAP)
_TAG_FIRST, _TAG_LAST = "\U000e0000", "\U000e01ef"  # tag characters and supplementary selectors
# The shape of a Vietnamese syllable, folded (initial consonants, a vowel nucleus, a final): only such
# a word can make a compound with MẬT (GẤU, MÍA, ĐÀM, THÁM); VN, OK, USA, PLAN cannot.
_SYLLABLE = re.compile(r"(?:NGH|NG|GH|GI|CH|KH|NH|PH|QU|TH|TR|[BCDGHKLMNPRSTVX])?[AEIOUY]{1,3}(?:NG|NH|CH|[CMNPT])?")
_ENUMERATION = re.compile(r",|;|/|\b(?:va|hoac|hay|and|or)\b", re.IGNORECASE)


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
        # The same scan finds the lone capitals A, B, C an envelope letter may be (`Độ mật A`), and
        # a field's name written with a capital (`Độ mật Tối mật`, `Classification Secret`), whose
        # value may follow with no colon: one pass over the text for all three, since every pass costs.
        titled = "|".join(sorted({_titled(fold_words(name)) for name in policy.fields}, key=len, reverse=True))
        initials = "".join(sorted({fold_words(name)[0][0] for name in policy.fields}))
        self.capitals = re.compile(
            f"(?=[{forms.first_characters}AB{initials}]){ALNUM_BEFORE}"
            f"(?:{forms.alternatives}|(?P<lone>[ABC])|(?P<name>{titled})){ALNUM_AFTER}")
        urgency = "|".join(letters_pattern(fold_words(mark)) for mark in policy.urgency_marks) or "(?!)"
        plain = forms.plain_alternatives
        self.alone = re.compile(
            rf"(?:{_NON_WORD}|(?:{urgency}|{_COPY}){ALNUM_AFTER})*?(?:{forms.alternatives})"
            rf"(?:{_NON_WORD}|(?:{urgency}|{plain}|{_COPY}){ALNUM_AFTER})*$", re.IGNORECASE)
        names = sorted({letters_pattern(fold_words(name), digits=True) for name in policy.fields}, key=len,
                       reverse=True)
        # A field is found from its separator back to its name: separators are few, names long.
        # A cell boundary (a tab in spreadsheet rows, a pipe in Markdown tables) also separates a
        # name from its value, but like a dash only where a marking or an envelope letter follows.
        self.field_separator = re.compile(  # a character set first: searched fast
            rf"[:=\-\t|(](?:(?<=[:\t|(])|(?=[ \t{BEYOND_TABLE}]))")
        # The last letter of each field's name, as a letter or a digit in any case: a separator not
        # right after one of them (spaces aside) follows no field's name.
        last = {fold_words(name)[-1][-1] for name in policy.fields}
        self.name_ends = frozenset(c for letter in last
                                   for c in (letter, letter.lower(), *LETTER_DIGITS.get(letter, "")))
        self.field_name = re.compile(rf"{ALNUM_BEFORE}(?:{'|'.join(names)})[ \t{BEYOND_TABLE}]*$", re.IGNORECASE)
        self.loose_field_name = re.compile(rf"{ALNUM_BEFORE}(?:{'|'.join(names)}){_LOOSE_GAP}$", re.IGNORECASE)
        self.compounds = Compounds(policy.compounds, forms.forms)
        self.unclassified = {" ".join(fold_words(v)) for v in policy.unclassified_values}
        self.head_nouns = {fold_words(word) for word in policy.head_nouns}
        self.followers = {" ".join(fold_words(w)) for w in policy.stamp_followers}
        self.followers |= {word for form in forms.forms for word in form.words}
        self.followers |= {word for mark in policy.urgency_marks for word in fold_words(mark)}
        self.stamp_nouns = [fold_words(noun) for noun in policy.stamp_nouns]

    def find(self, skeleton: Skeleton, redacted: list[Finding], unpaired: list[Tag]) -> list[Finding]:
        found: list[Finding] = []
        taken: list[tuple[int, int]] = []  # skeleton spans already judged

        def free(start: int) -> bool:
            position = skeleton.start(start)
            return not any(r.start <= position < r.end for r in redacted) and \
                not any(s <= start < e for s, e in taken)

        capitals, lone, names = self._in_capitals(skeleton)
        loose = [*self._loose_fields(skeleton, lone), *self._titled_fields(skeleton, names)]
        for start, end, level in [*self._fields(skeleton), *loose]:
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
        for start, end, level in capitals:
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
            before = position
            while before > 0 and (text[before - 1] in " \t" or _TAG_FIRST <= text[before - 1] <= _TAG_LAST):
                before -= 1
            if before == 0 or text[before - 1] not in self.name_ends:
                continue  # no field's name ends here: spare the search back for one
            line_start = max(text.rfind("\n", 0, position) + 1, position - _LONGEST_FIELD_NAME)
            name = self.field_name.search(text, line_start, position)
            if name is None:
                continue
            value_start = separator.end()
            # A field's value is a few words on its line: reading to the end of a long paragraph
            # made each separator cost the whole text (and found markings the field never named).
            value_end = _line_end(text, value_start)
            next_line = not text[value_start:value_end].strip() and value_end < len(text)
            if next_line:
                # "Độ mật:" at the end of its line, the value on the next (a form's two lines) — if
                # that line is a marking or a letter; any other line is the text under a label.
                value_start = value_end + 1
                value_end = _line_end(text, value_start)
            value = text[value_start:value_end]
            colon = separator.group() == ":"
            first = _VALUE_STOP.split(value.strip(), maxsplit=1)[0]
            words = " ".join(fold_words(first))
            if self._says_unclassified(first, words, value):
                found.append((name.start(), value_end, None))
                continue
            markings = self.forms.find(skeleton, value_start, value_end)
            if self._lists_levels(skeleton, markings) or self._lists_levels_then_prose(skeleton, markings,
                                                                                        value_start, value_end):
                continue  # "ba độ mật: tuyệt mật, tối mật và mật": the law naming its levels
            level = highest([form.level for _, _, form in markings] +
                            [lv for lv in (_envelope_letter(skeleton, value_start, value_end),) if lv is not None])
            if level is None:
                if not colon or not words or next_line:
                    # "Độ mật - ..." and "Độ mật (...)" are fields only when a marking follows;
                    # "Độ mật:" alone is a label.
                    found.append((name.start(), value_end, None))
                    continue
                level = Level.MAT  # an unknown classification is still a classification
            found.append((name.start(), value_end, level))
        return found

    def _loose_fields(self, skeleton: Skeleton, lone: list[int]) -> list[tuple[int, int, Level | None]]:
        """A field whose value is an envelope letter with no colon before it: `Độ mật A`, `Độ mật (B)`,
        `Độ mật⏎C`. Found from the lone capital letter back to the name: lone capitals are rare."""
        found: list[tuple[int, int, Level | None]] = []
        text = skeleton.text
        for position in lone:
            name = self.loose_field_name.search(text, max(0, position - 60), position)
            if name is None:
                continue
            level = _envelope_letter(skeleton, position, position + 1)
            if level is not None:
                found.append((name.start(), position + 1, level))
        return found

    def _titled_fields(self, skeleton: Skeleton, names: list[tuple[int, int]]) -> list[tuple[int, int, Level | None]]:
        """`Độ mật Tối mật`, `Classification Secret`: a field's name with a capital, and a marking
        right after it with nothing but spaces, brackets or a line break between."""
        found: list[tuple[int, int, Level | None]] = []
        for name_start, name_end in names:
            gap = _GAP.match(skeleton.text, name_end)
            value_start = name_end if gap is None else gap.end()
            value_end = _line_end(skeleton.text, value_start)
            marking = self.forms.find(skeleton, value_start, value_end)
            if not marking or marking[0][0] != value_start or self._lists_levels(skeleton, marking):
                continue
            found.append((name_start, marking[0][1], marking[0][2].level))
        return found

    @staticmethod
    def _lists_levels(skeleton: Skeleton, markings: list[tuple[int, int, Form]]) -> bool:
        """Whether a field's value names two or more levels in a list (its markings given), not in
        capitals: prose about the levels, not a document's classification."""
        if len({form.level for _, _, form in markings}) < 2:
            return False
        text = skeleton.text
        if any(text[s:e].isupper() for s, e, _ in markings):
            return False
        return all(_ENUMERATION.search(text, a_end, b_start) for (_, a_end, _), (b_start, _, _)
                   in itertools.pairwise(markings))

    def _lists_levels_then_prose(self, skeleton: Skeleton, markings: list[tuple[int, int, Form]], start: int,
                                 end: int) -> bool:
        """The law's sentence naming the levels, and the line going on in lower-case prose after it
        («…tối mật và mật. Việc xác định độ mật do…»): a marking with a capital after the sentence
        still makes it a field."""
        sentence = _sentence_end(skeleton.text, start, end)
        if sentence >= end:
            return False
        listed = [marking for marking in markings if marking[1] <= sentence]
        after = [marking for marking in markings if marking[1] > sentence]
        return self._lists_levels(skeleton, listed) and \
            all(skeleton.text[s:e].islower() for s, e, _ in after)

    def _says_unclassified(self, first: str, words: str, value: str) -> bool:
        """`thường`, `Unclassified`, and so with a caveat after it (`Unclassified//FOUO`,
        `thường (không mật)`) — unless the caveat holds a marking (`thường // Tuyệt mật`), read to
        the end of the value (a marking split by commas is still in the caveat)."""
        if words in self.unclassified:
            return True
        caveat = _CAVEAT.search(first)
        if caveat is None:
            return False
        head, rest = first[:caveat.start()], value.strip()[caveat.start():]
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

    def _in_capitals(self, skeleton: Skeleton) -> tuple[list[tuple[int, int, Level]], list[int], list[tuple[int, int]]]:
        """Markings in capitals as words of their own, where a lone capital A, B or C stands, and
        field names written with a capital (start of the name, start of what follows it)."""
        found = []
        lone = []
        names = []
        for match in self.capitals.finditer(skeleton.text):
            if match.lastgroup == "lone":
                lone.append(match.start())
                continue
            if match.lastgroup == "name":
                names.append((match.start(), match.end()))
                continue
            form = self.forms.form_of(match)
            start, end = match.span()
            if not self.forms.is_that_word(skeleton, start, end, form):
                continue
            if self.compounds.holds(skeleton, start, end, form):
                continue
            if form.words in self.head_nouns and self._heads_compound(skeleton, start, end):
                continue
            found.append((start, end, form.level))
        return found, lone, names

    def _heads_compound(self, skeleton: Skeleton, start: int, end: int) -> bool:
        """`MẬT GẤU`, `MẬT ĐÀM`: the marking written plainly, one space, then a word in capitals that
        makes a compound with it — not a word that follows a stamp, not followed by lower case, and
        no document noun before it."""
        text = skeleton.text
        if not text[start:end].isalpha():
            return False  # a disguised marking (M.Ậ.T) heads nothing
        after = words_after(skeleton, end, 2)
        if not after or text[end:after[0][0]] != " ":
            return False
        word = text[after[0][0]:after[0][1]]
        if len(word) < 2 or not word.isupper() or not word.isalpha() or word in self.followers or \
                not _SYLLABLE.fullmatch(word):
            return False  # "MẬT VN", "MẬT OK": no Vietnamese word makes a compound there
        if len(after) > 1 and not text[after[1][0]:after[1][1]].isupper():
            return False  # "MẬT KẾ hoạch": a stamp, then a sentence; a compound sits in a run of capitals
        before = [text[s:e].upper() for s, e in words_before(skeleton, start, 2)]
        return not any(tuple(before[-len(noun):]) == noun for noun in self.stamp_nouns if len(noun) <= len(before))

    def _stamp(self, rule: str, skeleton: Skeleton, start: int, end: int, level: Level) -> Finding:
        start, end, level = self.forms.widest(skeleton, start, end, level)
        action = GuardAction.REDACT if self.policy.action_for(level) == "redact" else GuardAction.BLOCK
        return Finding(rule, skeleton.start(start), skeleton.end(end), level, action)



_SENTENCE_END = re.compile(r"[.!?;](?=\s+\S)")


def _sentence_end(text: str, start: int, end: int) -> int:
    """A field's value ends with its sentence: «…ba độ mật: tuyệt mật, tối mật và mật. Việc xác định
    độ mật…» names the levels and then goes on about something else on the same line."""
    found = _SENTENCE_END.search(text, start, end)
    return end if found is None else found.start() + 1


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start, start + _LONGEST_FIELD_VALUE)
    return min(len(text), start + _LONGEST_FIELD_VALUE) if end == -1 else end


def _titled(words: tuple[str, ...]) -> str:
    """A field name's pattern with its first letter a capital and the rest in any case."""
    first, rest = words[0][0], (words[0][1:], *words[1:])
    if not rest[0]:
        return letters_pattern(words, digits=True)
    return re.escape(first) + f"{LETTER_SEP}*(?i:{letters_pattern(rest, digits=True)})"
