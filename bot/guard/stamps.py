"""Markings used as stamps, which block: the design's block rules 1 to 4.

Only the placements that can block are searched for, and in C: a classification field, a line
holding nothing but markings (and urgency marks), a marking in capitals as a word of its own, a
bracketed marking that opened no span. A marking in ordinary lower-case prose is never even a
candidate, which keeps the common case fast.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from bot.guard.markings import (
    ALNUM_AFTER,
    ALNUM_BEFORE,
    BEYOND_TABLE,
    LETTER_DIGITS,
    LETTER_SEP,
    SEP,
    Compounds,
    Form,
    MarkingForms,
    fold_words,
    letters_pattern,
    marks_fit,
    words_after,
    words_before,
)
from bot.guard.normalise import Skeleton, letters_and_marks, normalise
from bot.guard.policy import GuardPolicy
from bot.guard.regions import Tag
from bot.guard.respelled import head_hints, typed_pattern, typed_words
from bot.guard.verdict import Finding, GuardAction, Level, highest

# The letters on the envelopes of the stamp forms, standing for levels in a classification field.
ENVELOPE_LETTERS = {"A": Level.TUYET_MAT, "B": Level.TOI_MAT, "C": Level.MAT}
_NON_WORD = r"(?:[^\w\n]|_)"
_ITEM = r"[ \t>*•+\-]*"
_WORD = re.compile(r"[^\W_]+")
# Where a caveat starts after a field's value: "Unclassified//FOUO", "thường (không mật)".
_CAVEAT = re.compile(r"[(\[/]|\s[-–—:]\s")
_VALUE_STOP = re.compile(r"[,;|\t]| {2,}|\.(?:\s|$)")  # a sentence ends the value too
_LONGEST_FIELD_VALUE = 80  # characters after the separator that can hold a field's value
_LONGEST_FIELD_NAME = 200  # characters looked back from a separator for a field's name
# A copy number beside a stamp ("Tuyệt mật - bản số 3/5", "SECRET copy 2 of 4", "bản sao số 2",
# "Bản số III", "Số: 12/BC-VPCP", "N°3", "Copy 1 of 3 copies") or the copy's kind ("Bản gốc",
# "Lưu hành nội bộ") keeps it a stamp: each word and number is one step of the line's words.
_COPY = (r"(?:b(?:an(?: (?:sao|goc|chinh))?)|s(?:o|trictly)|c(?:op(?:y|ies))"
         r"|n(?:o(?:forn|t for (?:distribution|release))?|r|umber|oi bo|(?=[^\w\n]{0,3}\d))|l(?:ien|uu hanh noi bo)"
         r"|o(?:f|rcon)|t(?:ren|hu(?=[^\w\n]{0,3}\d))|highly|p(?:rivate|ersonal) and|eyes only|rel to [a-z]{2,12}"
         r"|do not (?:copy|forward|distribute)|khong (?:duoc )?(?:sao chup|pho bien(?: rong rai)?|chuyen tiep)"
         r"|\d{1,5}(?:/[a-z0-9-]{1,20})?|(?-i:[IVXLC]{1,6}))")  # by first letter: a prose line fails fast
# Between a field's name and its value when no colon parts them: spaces, brackets, arrows (read as
# dashes by normalisation), a line break ("Độ mật (B)", "Độ mật A", "Độ mật⏎B").
# A table's rule line between the two rows (`│ Độ mật │⏎├────┤⏎│ B │`) parts them no more than the break,
# and an underscore right after the name no more than a space (a hashtag's `#ĐộMật_A`).
_LOOSE_GAP = r"_?[^\w\n]*(?:\n[^\w\n]*[^\w\s][^\w\n]*)?\n?[^\w\n]*"
_GAP = re.compile(_LOOSE_GAP)
_TAG_FIRST, _TAG_LAST = "\U000e0000", "\U000e01ef"  # tag characters and supplementary selectors
# The shape of a Vietnamese syllable, folded (initial consonants, a vowel nucleus, a final): only such
# a word can make a compound with MẬT (GẤU, MÍA, ĐÀM, THÁM); VN, OK, USA, PLAN cannot.
_SYLLABLE = re.compile(r"(?:NGH|NG|GH|GI|CH|KH|NH|PH|QU|TH|TR|[BCDGHKLMNPRSTVX])?[AEIOUY]{1,3}(?:NG|NH|CH|[CMNPT])?")
_ENUMERATION = re.compile(r",|;|/|\s-\s|\b(?:va|hoac|hay|and|or)\b", re.IGNORECASE)


_TYPED_HEAD = 12  # characters before MẬT where a field name's first word typed in Telex or VNI stands (`DDooj `)
# What may split a word's letters where capitals and small letters meet (`M.ậ.T`, `S-e-C-r-E-t`).
_SPLIT = r"[^\w\s]"
_SPLITTING = re.compile(_SPLIT)
_IN_MIXED_SPLIT = re.compile(rf"[a-z]{_SPLIT}[A-Z]|.?[A-Z]{_SPLIT}[a-z]")  # a lone capital between small letters
# Words that may stand before an envelope letter in a field's value: `Loại A`, `cấp B`, `mức C`.
_QUALIFIERS = frozenset({"LOAI", "CAP", "MUC", "HANG", "DO", "LEVEL", "GRADE", "CLASS", "CATEGORY"})


def _envelope_letter(skeleton: Skeleton, start: int, end: int,
                     markings: list[tuple[int, int, Form]] | None = None) -> Level | None:
    """The level an envelope letter gives, if the value's first word is one: a lone A, B or C
    without diacritics (`à` is a word of its own) — and not a letter of a marking written apart
    (`C O N F I D E N T I A L`), which `markings` (found in the value) name."""
    spans = [(s, e) for s, e, _ in markings or ()]
    word = _WORD.search(skeleton.text, start, end)
    if word is not None and any(s <= word.start() < e for s, e in spans):
        return None
    if word is not None and word.group().upper() in _QUALIFIERS:
        word = _WORD.search(skeleton.text, word.end(), end)  # "Độ mật: Loại A", "cấp B", "mức C"
    if word is None or word.end() - word.start() != 1:
        return None
    first = _lone_letter(skeleton, word)
    if first is None:
        return None
    # Other letters after the first (`C, A`, `C hoặc A`): the highest, since a reader cannot tell
    # which is meant and a disguise never lowers the level.
    others = [_lone_letter(skeleton, other) for other in _WORD.finditer(skeleton.text, word.end(), end)
              if other.end() - other.start() == 1 and other.group() in ENVELOPE_LETTERS  # capitals only
              and not any(s <= other.start() < e for s, e in spans)]
    return highest([first, *(level for level in others if level is not None)])


# Check boxes in a field's value (`Độ mật: [x] A [ ] B`, `☐ A ☑ B`): symbols fold to `*`, so what
# the box shows is told from the sender's own characters.
_BOX = re.compile(r"\[ ?[xXvV*]? ?\]|\( ?[xXvV*]? ?\)|\*")
_TICKED = frozenset("xXvV✓✔✗✘☑☒✅❎■⊠▣◉●")
_EMPTY = frozenset("☐□○◯")


def _ticked_level(skeleton: Skeleton, start: int, end: int,
                  markings: list[tuple[int, int, Form]]) -> Level | None:
    """In a value laid out as check boxes, the highest level among the options that are ticked:
    the box says which letter the form gives. None when the value is no such list (or nothing
    ticked names a level), and the value is judged as any other."""
    boxes: list[tuple[int, int, bool]] = []
    for box in _BOX.finditer(skeleton.text, start, end):
        shown = skeleton.original_of(box.start(), box.end())
        inside = shown.strip("[]() ")
        if inside and all(c in _TICKED for c in inside):
            boxes.append((box.start(), box.end(), True))
        elif (not inside or all(c in _EMPTY for c in inside)) and (box.group() != "*" or inside):
            boxes.append((box.start(), box.end(), False))  # (a `*` that is no empty box symbol is no box)
    if not any(ticked for _, _, ticked in boxes):
        return None
    # A marking in capitals beside an empty box is still a stamp of its own: the box never lowers it.
    levels = [form.level for s, e, form in markings if skeleton.original_of(s, e).isupper()]
    for index, (_, box_end, ticked) in enumerate(boxes):
        if not ticked:
            continue
        option_end = boxes[index + 1][0] if index + 1 < len(boxes) else end
        option = [m for m in markings if box_end <= m[0] and m[1] <= option_end]
        levels += [form.level for _, _, form in option]
        letter = _envelope_letter(skeleton, box_end, option_end, option)
        if letter is not None:
            levels.append(letter)
    return highest(levels) if levels else None


def _lone_letter(skeleton: Skeleton, word: re.Match[str]) -> Level | None:
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
        # The same scan also stops where small letters and capitals meet inside a word — a small
        # letter before a capital (`MậT`, `mẬT`, `TopSecret`), two capitals before a small letter
        # (`MẬt`) — since a marking in mixed case is capitals mixed to slip past this rule.
        # And it notes where a marking's word opens with its letters written twice or three times, a
        # separator or not between them (`SSEE…`, `M M Ậ Ậ…`, `TT.ỐỐ…`): the engine then reads the text
        # with each letter once (bot.guard.respelled.undoubled), which a search of its own would cost.
        # So too where a word that goes before MẬT (TỐI, TUYỆT, ĐỘ) opens typed in Telex or VNI.
        self.common, heads = typed_words([*itertools.chain(*policy.markings.values()), *policy.fields])
        self.head_hints = head_hints(heads)
        openings = _respelled_openings([word for form in forms.forms if not form.stamp_only for word in form.words],
                                       self.head_hints)
        body = (f"{ALNUM_BEFORE}(?:{forms.alternatives}|(?P<lone>[ABC])|(?P<name>{titled})){ALNUM_AFTER}"
                f"|(?P<mixed>(?<=[a-z])[A-Z]|(?<=[a-z]{_SPLIT})[A-Z]|[A-Z]{_SPLIT}?[A-Z]{_SPLIT}?[a-z])"
                f"|(?P<respell>{ALNUM_BEFORE}(?:{openings}))")
        # Every match opens on one of a few characters. A pattern that opens on a character set is
        # searched at the speed of testing that set (most text is small letters), where one that
        # opens on anything else is tried at every position (a quarter of the guard's time on a
        # long message): so the opening character is taken first, and the rest read from it again
        # inside a lookbehind one character wide. The match is that character; what matched, and
        # where it ends, is the named group's span (`_in_capitals`).
        self.capitals = re.compile(f"[{forms.first_characters}A-Z](?<=(?=(?:{body}))[\\s\\S])")
        urgency = "|".join(letters_pattern(fold_words(mark)) for mark in policy.urgency_marks) or "(?!)"
        plain = forms.plain_alternatives
        # A higher word typed in Telex or VNI before a plain marking (`toois mật`): what a reader reads
        # there is a marking (`tối mật`), so the line is one; the engine reads it respelled for its level.
        _, marking_heads = typed_words(list(itertools.chain(*policy.markings.values())))
        self.alone = re.compile(
            rf"(?:{_NON_WORD}|(?:{urgency}|{_COPY}|(?P<typed>{typed_pattern(marking_heads)})){ALNUM_AFTER})*?"
            rf"(?:{forms.alternatives})"
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
        # The name's words may be parted by a line break too («Độ⏎mật: A»: the reader reads on).
        across = sorted({letters_pattern(fold_words(name), True, rf"(?:{SEP}|\n)") for name in policy.fields},
                        key=len, reverse=True)
        self.field_name = re.compile(rf"{ALNUM_BEFORE}(?P<field>{'|'.join(across)})[ \t{BEYOND_TABLE}]*$",
                                     re.IGNORECASE)
        self.qualified_name = re.compile(rf"{ALNUM_BEFORE}(?P<field>{'|'.join(names)})"
                                         rf"(?:[ \t]+[^\W\d_]+){{1,4}}[ \t]*$",
                                         re.IGNORECASE)
        self.loose_field_name = re.compile(rf"{ALNUM_BEFORE}(?P<field>{'|'.join(names)}){_LOOSE_GAP}$", re.IGNORECASE)
        self.field_letters = [letters_and_marks(name) for name in policy.fields]
        self.compounds = Compounds(policy.compounds, forms.forms)
        self.unclassified = {" ".join(fold_words(v)) for v in policy.unclassified_values}
        self.head_nouns = {fold_words(word) for word in policy.head_nouns}
        self.followers = {" ".join(fold_words(w)) for w in policy.stamp_followers}
        self.followers |= {word for form in forms.forms for word in form.words}
        self.followers |= {word for mark in policy.urgency_marks for word in fold_words(mark)}
        self.stamp_nouns = [fold_words(noun) for noun in policy.stamp_nouns]

    def find(self, skeleton: Skeleton, redacted: list[Finding], unpaired: list[Tag],
             respell: list[int] | None = None) -> list[Finding]:
        """The stamps; where a marking's word in capitals has its letters doubled, or a word before
        MẬT is typed in Telex or VNI, its offset is added to `respell` (the engine reads it so)."""
        found: list[Finding] = []
        taken: list[tuple[int, int]] = []  # skeleton spans already judged

        def free(start: int) -> bool:
            position = skeleton.start(start)
            return not any(r.start <= position < r.end for r in redacted) and \
                not any(s <= start < e for s, e in taken)

        capitals, lone, names = self._in_capitals(skeleton, respell)
        fields = self._fields(skeleton, respell)
        loose = [*self._loose_fields(skeleton, lone), *self._titled_fields(skeleton, names)]
        for start, end, level in [*fields, *loose]:
            if free(start):
                if level is not None:
                    found.append(self._stamp("classification-field", skeleton, start, end, level))
                taken.append((start, end))  # an unclassified field's own words are no stamp either
        for tag in unpaired:
            if free(tag.start):
                found.append(self._stamp("bracketed-marking", skeleton, tag.start, tag.end, tag.level))
                taken.append((tag.start, tag.end))
        for start, end, level in self._alone(skeleton, respell):
            if free(start):
                found.append(self._stamp("marking-alone-on-line", skeleton, start, end, level))
                taken.append((start, end))
        for start, end, level in capitals:
            if free(start):
                found.append(self._stamp("marking-in-capitals", skeleton, start, end, level))
                taken.append((start, end))
        return found

    # -- rule 4: classification fields ------------------------------------------------------------

    def _fields(self, skeleton: Skeleton, respell: list[int] | None = None) -> list[tuple[int, int, Level | None]]:
        """Each classification field with the level its value gives (None: says unclassified); a
        separator after MẬT with no field's name before it goes to `respell` (`ddooj mật: A`: the
        name may be typed in Telex or VNI)."""
        found: list[tuple[int, int, Level | None]] = []
        text = skeleton.text
        for separator in self.field_separator.finditer(text):
            position = separator.start()
            before = position
            while before > 0 and (text[before - 1] in " \t" or _TAG_FIRST <= text[before - 1] <= _TAG_LAST):
                before -= 1
            if before == 0:
                continue
            if text[before - 1] not in self.name_ends:
                # "Độ mật của văn bản: A": a name and a few words saying whose, then the value.
                qualified = self._qualified_field(skeleton, separator)
                if qualified is not None:
                    found.append(qualified)
                continue  # no field's name ends here: spare the search back for one
            line_start = text.rfind("\n", 0, position)
            line_start = max(text.rfind("\n", 0, max(line_start, 0)) + 1, position - _LONGEST_FIELD_NAME)
            name = self.field_name.search(text, line_start, position)
            if name is not None and not self._is_field_name(skeleton, name.span("field")):
                continue  # «Độ mát», «Độ mất»: other words, as «mát» and «mất» are not «mật»
            if name is None:
                if respell is not None and self.common and \
                        text[max(0, before - len(self.common)):before].upper() == self.common:
                    typed_before = text[max(0, before - len(self.common) - _TYPED_HEAD):before].lower()
                    if any(hint in typed_before for hint in self.head_hints):
                        respell.append(position)
                qualified = self._qualified_field(skeleton, separator)
                if qualified is not None:
                    found.append(qualified)
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
                if not any(c.isalnum() for c in text[value_start:value_end]) and value_end < len(text):
                    # One blank line between (the form's next row), or a line of nothing but
                    # symbols: an emoji sent between «Độ mật:» and «A» parts them no more.
                    value_start = value_end + 1
                    value_end = _line_end(text, value_start)
            value = text[value_start:value_end]
            colon = separator.group() == ":"
            first = _VALUE_STOP.split(value.strip(), maxsplit=1)[0]
            words = " ".join(fold_words(first))
            if self._says_unclassified(first, words, value):
                # Only the words that say so are the field's: what follows a comma or a sentence's
                # end is judged on its own (`Độ mật: không, TUYỆT MẬT` is no unclassified text).
                said = value_end if words not in self.unclassified else \
                    value_start + len(value) - len(value.lstrip()) + len(first)
                found.append((name.start(), said, None))
                continue
            markings = self.forms.find(skeleton, value_start, value_end)
            if self._lists_levels(skeleton, markings) or self._lists_levels_then_prose(skeleton, markings,
                                                                                        value_start, value_end):
                continue  # "ba độ mật: tuyệt mật, tối mật và mật": the law naming its levels
            ticked = _ticked_level(skeleton, value_start, value_end, markings)
            if ticked is not None:
                found.append((name.start(), value_end, ticked))
                continue
            letter = _envelope_letter(skeleton, value_start, value_end, markings)
            level = highest([form.level for _, _, form in markings] + ([letter] if letter is not None else []))
            if level is None:
                if not colon or not words or next_line:
                    # "Độ mật - ..." and "Độ mật (...)" are fields only when a marking follows;
                    # "Độ mật:" alone is a label.
                    found.append((name.start(), value_end, None))
                    continue
                level = Level.MAT  # an unknown classification is still a classification
            found.append((name.start(), value_end, level))
        return found

    def _is_field_name(self, skeleton: Skeleton, span: tuple[int, int]) -> bool:
        """The sender's letters are a field's name with its own diacritics, or none: «Độ mát» (cool)
        and «Độ mất» are other words, as «mát» and «mất» are not «mật»; «Do mat» is the name."""
        found = letters_and_marks(skeleton.original_of(*span))
        return any(marks_fit(found, wanted) for wanted in self.field_letters)

    def _qualified_field(self, skeleton: Skeleton, separator: re.Match[str]) -> tuple[int, int, Level] | None:
        """`Độ mật của văn bản: A`, `Độ mật văn bản: Tối mật`: a field's name and up to four words
        before a colon, whose whole value is one envelope letter or one marking — nothing else, so
        prose that names a field before a colon (`Độ mật được quy định tại Điều 8: …`) stays prose."""
        position = separator.start()
        text = skeleton.text
        near = text[max(0, position - 40):position].lower() if separator.group() == ":" else ""
        if "mat" not in near and "ation" not in near:
            return None  # the name's own letters are not near: no search back (colons are many)
        name = self.qualified_name.search(text, max(text.rfind("\n", 0, position) + 1, position - 80), position)
        if name is None or not self._is_field_name(skeleton, name.span("field")):
            return None
        value_start, value_end = separator.end(), _line_end(text, separator.end())
        words = fold_words(text[value_start:value_end])
        if len(words) == 1 and len(words[0]) == 1:
            level = _envelope_letter(skeleton, value_start, value_end)
        else:
            markings = self.forms.find(skeleton, value_start, value_end)
            level = markings[0][2].level if len(markings) == 1 and markings[0][2].words == words else None
        return None if level is None else (name.start(), value_end, level)

    def _loose_fields(self, skeleton: Skeleton, lone: list[int]) -> list[tuple[int, int, Level | None]]:
        """A field whose value is an envelope letter with no colon before it: `Độ mật A`, `Độ mật (B)`,
        `Độ mật⏎C`. Found from the lone capital letter back to the name: lone capitals are rare."""
        found: list[tuple[int, int, Level | None]] = []
        text = skeleton.text
        for position in lone:
            name = self.loose_field_name.search(text, max(0, position - 60), position)
            if name is None or not self._is_field_name(skeleton, name.span("field")):
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
            if not self._is_field_name(skeleton, (name_start, name_end)):
                continue
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

    def _alone(self, skeleton: Skeleton, respell: list[int] | None = None) -> list[tuple[int, int, Level]]:
        found = []
        text = skeleton.text
        for line_start, line_end in skeleton.lines:
            match = self.alone.match(text, line_start, line_end)  # matched line by line: `^` is slow
            if match is None:
                continue
            if match.group("typed") is not None and respell is not None:
                respell.append(line_start)
            markings = self.forms.find(skeleton, match.start(), match.end())
            if markings:
                level = max((form.level for _, _, form in markings), key=lambda lv: lv.rank)
                found.append((markings[0][0], markings[-1][1], level))
        return found

    # -- rule 2: a marking in capitals, as a word of its own ------------------------------------

    def _in_capitals(self, skeleton: Skeleton, respell: list[int] | None = None,
                     ) -> tuple[list[tuple[int, int, Level]], list[int], list[tuple[int, int]]]:
        """Markings in capitals as words of their own, where a lone capital A, B or C stands, and
        field names written with a capital (start of the name, start of what follows it); a marking
        in mixed case counts as one in capitals."""
        found: list[tuple[int, int, Level]] = []
        lone = []
        names = []
        mixed_until = 0  # the end of the last word in mixed case looked at
        resume = 0  # where the last match ended: a match read from inside it is part of it
        for match in self.capitals.finditer(skeleton.text):
            if match.start() < resume:
                continue
            assert match.lastgroup is not None
            resume = match.end(match.lastgroup)
            if match.lastgroup == "mixed":
                if match.start() >= mixed_until:
                    mixed_until = self._mixed_case(skeleton, match.start(), found)
                continue
            if match.lastgroup == "respell":
                if respell is not None:
                    respell.append(match.start())
                continue
            if match.lastgroup == "lone":
                lone.append(match.start())
                if match.start() >= mixed_until and _IN_MIXED_SPLIT.match(skeleton.text, max(0, match.start() - 2)):
                    mixed_until = self._mixed_case(skeleton, match.start(), found)  # `m.Ậ.t`: Ậ stood alone
                continue
            if match.lastgroup == "name":
                names.append((match.start(), resume))
                continue
            form = self.forms.form_of(match)
            start, end = match.start(), resume
            if not self.forms.is_that_word(skeleton, start, end, form):
                continue
            if self.compounds.holds(skeleton, start, end, form):
                continue
            if form.words in self.head_nouns and self._heads_compound(skeleton, start, end):
                continue
            found.append((start, end, form.level))
        return found, lone, names

    def _mixed_case(self, skeleton: Skeleton, position: int, found: list[tuple[int, int, Level]]) -> int:
        """The marking that is the word in mixed case round `position` (`MậT`, `TốIMậT`, `SeCrEt`: a
        marking is a word of its own, so it is the whole word), judged as markings in capitals are;
        returns where the word ends. Title case (`Mật`) is no mixed case and never gets here."""
        text = skeleton.text
        start = position
        while start > 0 and (text[start - 1].isalnum() or (start > 1 and _SPLITTING.match(text, start - 1)
                                                           and text[start - 2].isalnum())):
            start -= 1  # back over the word's letters, and what splits them (`M.ậ.T`)
        end = position
        while end < len(text) and (text[end].isalnum() or (end + 1 < len(text) and _SPLITTING.match(text, end)
                                                           and text[end + 1].isalnum())):
            end += 1
        for at, until, form in self.forms.find(skeleton, start, end):
            if self.compounds.holds(skeleton, at, until, form):
                continue
            if form.words in self.head_nouns and self._heads_compound(skeleton, at, until):
                continue
            found.append((at, until, form.level))
        return end

    def _heads_compound(self, skeleton: Skeleton, start: int, end: int) -> bool:
        """`MẬT GẤU`, `MẬT ĐÀM`: the marking written plainly, one space, then a word in capitals that
        makes a compound with it — not a word that follows a stamp, not followed by lower case, and
        no document noun before it."""
        text = skeleton.text
        if not text[start:end].isalpha() or not _plainly_written(skeleton.original_of(start, end)):
            return False  # a disguised marking (M.Ậ.T, M̲Ậ̲T̲, 𝐌Ậ𝐓, M​ẬT) heads nothing
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



def _respelled_openings(words: list[str], typed: tuple[str, ...]) -> str:
    """A pattern for the openings of `words` (folded capitals) with their first two letters each
    written two or three times, a separator or not after each (`S S E E`, `MM.ẬẬ`: folded `MM.AA`),
    and for the Telex or VNI spellings in `typed` (`too`, `dd`, `to6`) opening a word in capitals;
    grouped by first letter, as the capitals scan tries them at every capital."""
    gap = r"(?:[^\w\n]|_)?"
    by_first: dict[str, set[str]] = {}
    for word in words:
        if len(word) > 1:
            first, second = (re.escape(letter) for letter in word[:2])
            by_first.setdefault(word[0], set()).add(
                rf"(?:{gap}{first}){{1,2}}{gap}{second}(?:{gap}{second}){{1,2}}")
    for hint in typed:
        by_first.setdefault(hint[0].upper(), set()).add(f"(?i:{re.escape(hint[1:])})")
    return "|".join(f"{re.escape(first)}(?:{'|'.join(sorted(rests))})" for first, rests in sorted(by_first.items())) \
        or "(?!)"


def _plainly_written(original: str) -> bool:
    """Typed as a word is typed: Latin letters only, each one character once composed — no marks
    stacked on it, nothing invisible between, no letter-like symbol standing for a letter."""
    composed = unicodedata.normalize("NFC", original)
    return all(unicodedata.name(char, "").startswith("LATIN ") for char in composed)


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
