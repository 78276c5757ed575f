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
from bot.guard.terms import ascii_words, term_words, word_tag, word_tagger
from bot.guard.verdict import Finding, GuardAction, Level

# A list item may carry a bullet or a number before its portion mark: "- (MẬT)", "2. (SECRET)", "b) (MẬT)".
_ITEM = r"[ \t>*•+\-]*(?:(?:\d{1,3}|[A-Za-z]|[IVXivx]{1,4})[.)][ \t]*)?"
_HAS_WORD = re.compile(r"[^\W_]")


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
        self.portion = re.compile(rf"{_ITEM}\((?P<mark>{SEP}*(?:{forms.portion_alternatives}){SEP}*)\)"
                                  rf"(?P<rest>[^\n]*)", re.IGNORECASE)
        self.term_key = term_key
        self.terms = {t.hmac: t for t in policy.terms}
        self.term_lengths = sorted({t.words for t in policy.terms})
        self.untagged_lengths = sorted({t.words for t in policy.terms if t.first is None})
        self.lengths_by_tag: dict[str, list[int]] = {}
        for t in policy.terms:
            if t.first is not None:
                self.lengths_by_tag.setdefault(t.first, []).append(t.words)
        self.tagger = word_tagger(term_key or b"")

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
        if "(" not in text:
            return []
        for line_start, line_end in skeleton.lines:
            match = self.portion.match(text, line_start, line_end)  # matched line by line: `^` is slow
            if match is None:
                continue
            if not _HAS_WORD.search(match["rest"]):
                continue  # a mark with nothing after it is a stamp on its own line, not a portion
            level = self.forms.highest(skeleton, match.start("mark"), match.end("mark"))
            if level is None:
                continue
            found.append((match.start(), match.end(), level))
        return found

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
        if not lengths_by_word:
            return []
        matched: list[tuple[int, int, Level]] = []  # (first word, word count, level)
        for i, first in enumerate(words):
            for n in lengths_by_word.get(first, ()):
                if i + n <= len(words):
                    term = self.terms.get(hmac.digest(self.term_key, b" ".join(words[i:i + n]), "sha256").hex())
                    if term is not None:
                        matched.append((i, n, term.level))
        if not matched:
            return []
        located = located or term_words(skeleton.text)  # offsets only now that something matched
        return [(located[i][1], located[i + n - 1][2], level) for i, n, level in matched]

    # -- together -------------------------------------------------------------------------------

    def find(self, skeleton: Skeleton) -> tuple[list[Finding], list[Tag]]:
        """Redaction findings (original offsets) and the bracketed tags that opened no span."""
        spans, unpaired = self.spans(self.tags(skeleton))
        found = [_finding("span", skeleton, s, e, lv) for s, e, lv in spans]
        for start, end, level in self.portions(skeleton):
            if not any(f.start <= skeleton.start(start) < f.end for f in found):
                found.append(_finding("portion-mark", skeleton, start, end, level))
        found.extend(_finding("registered-term", skeleton, s, e, lv) for s, e, lv in self.registered_terms(skeleton))
        return found, unpaired


def _finding(rule: str, skeleton: Skeleton, start: int, end: int, level: Level) -> Finding:
    return Finding(rule, skeleton.start(start), skeleton.end(end), level, GuardAction.REDACT)
