"""What is redacted rather than blocked: spans, portion-marked lines and registered terms.

A span `[MẬT]…[/MẬT]` is found by pairing tags, innermost first, so nested and mixed-level spans
close where they should; a tag that pairs with nothing is left for the stamp rules (it blocks).
A portion mark `(MẬT) …` opening a line (a chat message's paragraph, a document's paragraph) takes
that line; a mark with nothing after it is a stamp instead, since what it marks cannot be told.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from bot.guard.markings import SEP, MarkingForms
from bot.guard.normalise import Skeleton
from bot.guard.policy import GuardPolicy
from bot.guard.terms import ascii_words, head_tag, term_words, word_tag, word_tagger
from bot.guard.verdict import Finding, GuardAction, Level

# A list item may carry a bullet or a number before its portion mark: "- (MẬT)", "2. (SECRET)", "b) (MẬT)";
# a quote mark may open it too ("'(MẬT)' ...").
_ITEM = (r"[ \t>*•+\-'\"“”‘’]*(?:\[\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\][ \t]*)?"  # a pasted chat line's time
         r"(?:(?:dieu|khoan|muc|phan|chuong|article|section|part)[ \t]+[0-9IVXivx]{1,5}[.:)]?[ \t]*)?"
         r"(?:(?:\d{1,3}(?:\.\d{1,3}){0,3}|[A-Za-z]|[IVXivx]{1,4})[.)][ \t]*)?")
# A short label and its colon before a portion mark ("Tóm tắt: (MẬT) …"): it stays, judged as any
# text (a field's name or a stamp there still blocks).
_LABEL = r"(?P<label>[^\n:()\[\]{}<>]{1,40}:[ \t]*)?"
_HAS_WORD = re.compile(r"[^\W_]")
# A portion mark in any bracket: normalisation reads 【】〔〕⟨⟩«»（）... as parentheses; braces and
# angle brackets are ASCII and stay themselves.
_OPEN, _CLOSE = r"[(\{<]", r"[)\}>]"
# A line that ends a sentence: the next line starts a paragraph's new sentence, not a wrap.
_SENTENCE_END = re.compile(r"[.!?…][\s\"'”’)\]]*$")
_WRAP_WIDTH = 60  # characters: a line this long that stops mid-sentence was wrapped
_CLAUSE_END = re.compile(r"[.!?;:…][\s\"'”’)\]]*$")  # before a capital, these end the paragraph's line
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_QUOTE = re.compile(r"[ \t]*(?:>[ \t]*)+")
_CONTINUES = re.compile(r"[:,;][\s\"'”’)\]]*$")  # a line that ends mid-sentence: the next goes on
_INTRODUCES = re.compile(r":[\s\"'”’)\]]*$")  # a line that ends with a colon: a list follows
_PORTION_START = re.compile(rf"{_ITEM}(?:{_OPEN}|\[)")
_NEW_ITEM = re.compile(rf"{_ITEM}(?:{_OPEN}|\[)|[ \t>*•+\-]+|(?:\d{{1,3}}|[A-Za-z]|[IVXivx]{{1,4}})[.)]\s")


@dataclass(frozen=True)
class Tag:
    start: int  # skeleton offsets
    end: int
    closing: bool
    level: Level
    stamp_only: bool = False  # a handling mark in brackets opens no span: it is a stamp


class RegionFinder:
    def __init__(self, policy: GuardPolicy, forms: MarkingForms, term_key: bytes | None) -> None:
        self.policy = policy
        self.forms = forms
        inner = f"{SEP}*(?:{forms.alternatives}){SEP}*"
        self.tag = re.compile(rf"\[(?P<slash>{SEP}*/)?{inner}\]", re.IGNORECASE)
        self.portion = re.compile(rf"{_ITEM}{_LABEL}{_OPEN}(?P<mark>{SEP}*(?:{forms.portion_alternatives}){SEP}*)"
                                  rf"{_CLOSE}(?P<rest>[^\n]*)", re.IGNORECASE)
        self.term_key = term_key
        self.terms = {t.hmac: t for t in policy.terms}
        self.term_lengths = sorted({t.words for t in policy.terms})
        self.untagged_lengths = sorted({t.words for t in policy.terms if t.first is None})
        self.lengths_by_tag: dict[str, list[int]] = {}
        for t in policy.terms:
            if t.first is not None:
                self.lengths_by_tag.setdefault(t.first, []).append(t.words)
        self.tagger = word_tagger(term_key or b"")
        self.compact = {t.compact: t for t in policy.terms if t.compact is not None}
        self.lengths_by_head: dict[str, list[int]] = {}
        for t in policy.terms:
            if t.head is not None and t.chars is not None:
                self.lengths_by_head.setdefault(t.head, []).append(t.chars)
        self._letter_lengths: dict[bytes, list[int]] = {}  # first letter -> lengths, tagged once per letter

    # -- spans ----------------------------------------------------------------------------------

    def tags(self, skeleton: Skeleton) -> list[Tag]:
        found = []
        for match in self.tag.finditer(skeleton.text):
            form = self.forms.form_of(match)
            assert match.lastgroup is not None
            start, end = match.span(match.lastgroup)
            if self.forms.is_that_word(skeleton, start, end, form):
                found.append(Tag(match.start(), match.end(), match["slash"] is not None, form.level,
                                 form.stamp_only))
        return found

    def spans(self, tags: list[Tag]) -> tuple[list[tuple[int, int, Level]], list[Tag]]:
        """Pair opening and closing tags; return the spans and the tags left unpaired."""
        if not self.policy.spans:
            return [], tags
        spans: list[tuple[int, int, Level]] = []
        open_tags: list[Tag] = []
        unpaired: list[Tag] = []
        for tag in tags:
            if tag.stamp_only:
                unpaired.append(tag)
                continue
            if not tag.closing:
                open_tags.append(tag)
                continue
            if not open_tags:
                unpaired.append(tag)
                continue
            # Prefer the innermost opening tag of the same level; else the innermost one.
            same = [i for i, t in enumerate(open_tags) if t.level is tag.level]
            opener = open_tags.pop(same[-1] if same else -1)
            spans.append((opener.start, tag.end, max(opener.level, tag.level, key=lambda lv: lv.rank)))
        unpaired.extend(open_tags)
        return spans, unpaired

    # -- portion marks --------------------------------------------------------------------------

    def portions(self, skeleton: Skeleton) -> list[tuple[int, int, Level]]:
        if not self.policy.portion_marks:
            return []
        text = skeleton.text
        found = []
        if "(" not in text and "{" not in text and "<" not in text:
            return []
        lines = skeleton.lines
        for number, (line_start, line_end) in enumerate(lines):
            match = self.portion.match(text, line_start, line_end)  # matched line by line: `^` is slow
            if match is None:
                continue
            if not self._says_more(skeleton, match.start("rest"), match.end("rest")):
                continue  # a mark with nothing (or only markings) after it is a stamp, not a portion
            if self.forms.highest(skeleton, match.start("mark"), match.end("mark")) is None:
                continue
            end = lines[self._paragraph_end(text, lines, number)][1]
            # A label before the mark stays, and so does the mark, judged as any text is (`Độ mật:
            # (MẬT) …` is a field, `TỐI MẬT: (MẬT) …` and `Nội dung: (MẬT) …` stamps in capitals):
            # the portion is what follows the mark.
            rest = match["rest"]
            start = match.start("rest") + len(rest) - len(rest.lstrip()) if match["label"] else match.start()
            # The level is the highest removed, and the mark's: a higher marking inside raises it.
            level = self.forms.highest(skeleton, min(start, match.start("mark")), end)
            assert level is not None
            found.append((start, end, level))
        return found

    def _says_more(self, skeleton: Skeleton, start: int, end: int) -> bool:
        """Whether a portion mark's line holds words besides markings: `(MẬT) TUYỆT MẬT` marks nothing
        and is a stamp (of its highest level)."""
        cursor = start
        for found_start, found_end, _ in self.forms.find(skeleton, start, end):
            if _HAS_WORD.search(skeleton.text, cursor, found_start):
                return True
            cursor = found_end
        return _HAS_WORD.search(skeleton.text, cursor, end) is not None

    @staticmethod
    def _paragraph_end(text: str, lines: list[tuple[int, int]], number: int) -> int:
        """The last line of the paragraph a portion mark opens. Where the text parts its paragraphs
        with blank lines, the paragraph is every line up to the next blank line (or a new list item
        or portion mark). Elsewhere each line is a paragraph, with the lines its sentence wraps onto:
        after a full line (a paragraph's width) that ends no clause, or a line in lower case after
        one of half that width that ends no sentence, or a line in lower case after one that ends
        with a colon, a comma or a semicolon. Either way a marked line that ends with a colon takes
        the list items under it, lines indented under the marked line are its own, and a quoted
        paragraph's lines are its lines whatever quote marks open them."""
        blocks = _BLANK_LINE.search(text) is not None
        last = number
        marked = text[lines[number][0]:lines[number][1]]
        quoted = _QUOTE.match(marked)
        listing = _INTRODUCES.search(marked) is not None  # "(MẬT) Lập trường:" then its list
        while last + 1 < len(lines):
            start, end = lines[last]
            next_start, next_end = lines[last + 1]
            following = text[next_start:next_end].lstrip()
            if quoted is not None and following.startswith(">"):
                # A quoted paragraph: its lines carry the quote mark, which is no new item.
                inner = _QUOTE.match(following)
                assert inner is not None  # it starts with a quote mark
                following = following[inner.end():]
                start = start + len(quoted[0]) if last == number else start
            if not following:
                break
            if _NEW_ITEM.match(following):
                if not listing or _PORTION_START.match(following):
                    break
                last += 1  # an item of the list the marked line introduced
                continue
            if text[next_start:next_start + 1] in (" ", "\t") and marked[:1] not in (" ", "\t"):
                last += 1  # a hanging indent: the marked paragraph's own lines
                continue
            if not blocks:
                width = end - start
                if following[0].islower():
                    # A sentence goes on after a colon, a comma or a semicolon whatever the line's width.
                    if _CONTINUES.search(text, start, end) is None and (
                            width < _WRAP_WIDTH // 2 or _SENTENCE_END.search(text, start, end) is not None):
                        break
                elif width < _WRAP_WIDTH or _CLAUSE_END.search(text, start, end) is not None:
                    break
            last += 1
        return last

    # -- registered terms -----------------------------------------------------------------------

    def registered_terms(self, skeleton: Skeleton) -> list[tuple[int, int, Level]]:
        if not self.terms or self.term_key is None:
            return []
        located = None
        words = ascii_words(skeleton.text)
        if words is None:
            located = term_words(skeleton.text)
            words = [word.encode() for word, _, _ in located]
        # Tag each distinct word once; most messages hold no registered term's first word at all.
        lengths_by_word: dict[bytes, list[int]] = {}
        for word in set(words):
            lengths = self.lengths_by_tag.get(word_tag(self.tagger, word), []) + self.untagged_lengths
            if lengths:
                lengths_by_word[word] = lengths
        matched: list[tuple[int, int, Level]] = []  # (first word, word count, level)
        for i, first in enumerate(words):
            for n in lengths_by_word.get(first, ()):
                if i + n <= len(words):
                    term = self.terms.get(hmac.digest(self.term_key, b" ".join(words[i:i + n]), "sha256").hex())
                    if term is not None:
                        matched.append((i, n, term.level))
        matched += self._split_terms(words)
        if not matched:
            return []
        located = located or term_words(skeleton.text)  # offsets only now that something matched
        return [(located[i][1], located[i + n - 1][2], level) for i, n, level in matched]

    def _split_terms(self, words: list[bytes]) -> list[tuple[int, int, Level]]:
        """Terms split by their own letters or digits: runs of words whose letters, run together,
        are a term's (`C D 2025 47` for CD-2025/47)."""
        if not self.compact or self.term_key is None:
            return []
        matched = []
        for i, word in enumerate(words):
            lengths = self._lengths_for(word[:1] if word[0] < 0x80 else word.decode()[:1].encode())
            for length in lengths:
                total, n = 0, 0
                while total < length and i + n < len(words):
                    total += len(words[i + n])
                    n += 1
                if total != length:
                    continue
                joined = b"".join(words[i:i + n])
                for spelling in (joined, *_look_alike_spellings(joined)):
                    term = self.compact.get(hmac.digest(self.term_key, spelling, "sha256").hex())
                    if term is not None:
                        matched.append((i, n, term.level))
                        break
        return matched

    def _lengths_for(self, letter: bytes) -> list[int]:
        lengths = self._letter_lengths.get(letter)
        if lengths is None:
            lengths = self.lengths_by_head.get(head_tag(self.tagger, letter), [])
            self._letter_lengths[letter] = lengths
        return lengths

    # -- together -------------------------------------------------------------------------------

    def find(self, skeleton: Skeleton) -> tuple[list[Finding], list[Tag]]:
        """Redaction findings (original offsets) and the bracketed tags that opened no span."""
        spans, unpaired = self.spans(self.tags(skeleton))
        # The level is the highest removed: a higher marking inside a span raises it.
        found = [_finding("span", skeleton, s, e, max(lv, self.forms.highest(skeleton, s, e) or lv, key=_rank))
                 for s, e, lv in spans]
        for start, end, level in self.portions(skeleton):
            if not any(f.start <= skeleton.start(start) < f.end for f in found):
                found.append(_finding("portion-mark", skeleton, start, end, level))
        found.extend(_finding("registered-term", skeleton, s, e, lv) for s, e, lv in self.registered_terms(skeleton))
        return found, unpaired


_TO_DIGIT = {ord("o"): ord("0"), ord("i"): ord("1"), ord("l"): ord("1"), ord("s"): ord("5")}
_TO_LETTER = {ord("0"): ord("o"), ord("1"): ord("i"), ord("3"): ord("e"), ord("4"): ord("a"), ord("5"): ord("s")}


def _look_alike_spellings(run: bytes) -> list[bytes]:
    """The run with letters that look like digits read as digits where a digit stands beside them
    (`CD-2O25/47` is CD-2025/47), and with digits that look like letters read as letters between
    letters (`H0a Sen` is Hoa Sen): a reader takes them for what they stand among."""
    digits = bytearray(run)
    letters = bytearray(run)
    for at, byte in enumerate(run):
        neighbours = run[max(0, at - 1):at] + run[at + 1:at + 2]
        if byte in _TO_DIGIT and any(chr(c).isdigit() for c in neighbours):
            digits[at] = _TO_DIGIT[byte]
        if byte in _TO_LETTER and neighbours and all(chr(c).isalpha() for c in neighbours):
            letters[at] = _TO_LETTER[byte]
    return [bytes(spelling) for spelling in (digits, letters) if spelling != run]


def _finding(rule: str, skeleton: Skeleton, start: int, end: int, level: Level) -> Finding:
    return Finding(rule, skeleton.start(start), skeleton.end(end), level, GuardAction.REDACT)


def _rank(level: Level) -> int:
    return level.rank
