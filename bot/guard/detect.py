"""Finding markings in a normalised text, per the design's guard semantics.

Redaction regions are found first (spans `[MẬT]…[/MẬT]`, portion-marked lines `(MẬT) …`,
registered terms); every other occurrence of a marking is then judged by where it stands:
in brackets, alone on a line, as a classification field, or written in capitals as a word of its
own (unless part of an everyday compound) — each of which blocks — or in ordinary prose, which
does not.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from bot.guard.normalise import Skeleton, letters_and_marks, normalise
from bot.guard.policy import GuardPolicy
from bot.guard.verdict import Finding, GuardAction, Level

SEP = r"[ \t.\-_·•*/\\|~+]"
_ALNUM_BEFORE = r"(?<![^\W_])"
_ALNUM_AFTER = r"(?![^\W_])"
_WORD = re.compile(r"[^\W_]+")
_BULLET = r"[ \t>*•\-–]*"


@dataclass(frozen=True)
class Form:
    level: Level
    words: tuple[str, ...]  # upper-case folded letters per word, e.g. ("TOI", "MAT")
    letters: tuple[tuple[str, frozenset[str]], ...]  # each letter with its diacritics


def _fold_words(text: str) -> tuple[str, ...]:
    return tuple(w.upper() for w in _WORD.findall(normalise(text).text))


def _form_pattern(words: tuple[str, ...]) -> str:
    return f"{SEP}*".join(f"{SEP}*".join(re.escape(letter) for letter in word) for word in words)


class Detector:
    def __init__(self, policy: GuardPolicy, term_key: bytes | None) -> None:
        self.policy = policy
        forms = [Form(level, _fold_words(text), tuple(letters_and_marks(text)))
                 for level, texts in policy.markings.items() for text in texts]
        # Longest first, so TOP SECRET wins over SECRET and TỐI MẬT over MẬT at the same place.
        self.forms = sorted(forms, key=lambda f: -sum(len(w) for w in f.words))
        alternatives = "|".join(f"(?P<f{i}>{_form_pattern(f.words)})" for i, f in enumerate(self.forms))
        self.marking = re.compile(f"{_ALNUM_BEFORE}(?:{alternatives}){_ALNUM_AFTER}", re.IGNORECASE)
        # Only three placements of a marking can block, so only they are searched for, in C:
        # in capitals as a word (case-sensitive: the forms are upper-case letters), alone on its line,
        # and in square brackets. A marking in ordinary lower-case prose is never even a candidate.
        first_letters = "".join(sorted({f.words[0][0] for f in self.forms}))
        self.in_capitals = re.compile(f"(?=[{first_letters}]){_ALNUM_BEFORE}(?:{alternatives}){_ALNUM_AFTER}")
        self.alone = re.compile(rf"(?m)^(?:[^\w\n]|_)*(?:{alternatives})(?:[^\w\n]|_)*$", re.IGNORECASE)
        self.bracketed = re.compile(rf"\[{SEP}*(?:{alternatives}){SEP}*\]", re.IGNORECASE)
        inner = f"{SEP}*(?:{'|'.join(_form_pattern(f.words) for f in self.forms)}){SEP}*"
        self.span = re.compile(rf"\[(?P<open>{inner})\](?P<body>.*?)\[{SEP}*/(?P<close>{inner})\]",
                               re.IGNORECASE | re.DOTALL)
        self.portion = re.compile(rf"(?m)^{_BULLET}\((?P<mark>{inner})\)[^\n]*", re.IGNORECASE)
        field_names = "|".join(_form_pattern(_fold_words(name)) for name in policy.fields)
        self.field = re.compile(rf"(?im)^{_BULLET}(?P<name>{field_names}){SEP}*[:：](?P<value>[^\n]*)$")
        self.compounds = [_fold_words(c) for c in policy.compounds]
        self.unclassified = {" ".join(_fold_words(v)) for v in policy.unclassified_values}
        self.term_key = term_key
        self.terms = {t.hmac: t for t in policy.terms}
        self.term_lengths = sorted({t.words for t in policy.terms})
        self._spellings: dict[tuple[str, int], bool] = {}

    # -- candidates ---------------------------------------------------------------------------

    def _form_of(self, match: re.Match[str]) -> Form:
        assert match.lastgroup is not None
        return self.forms[int(match.lastgroup[1:])]

    def _is_that_word(self, skeleton: Skeleton, start: int, end: int, form: Form) -> bool:
        """Diacritics present must be the marking's own: `mất` and `mặt` are other words."""
        original = skeleton.original[skeleton.start(start):skeleton.end(end)]
        key = (original, id(form))
        known = self._spellings.get(key)
        if known is None:
            found = letters_and_marks(original)
            known = len(found) == len(form.letters) and all(
                marks <= wanted for (_, marks), (_, wanted) in zip(found, form.letters, strict=True))
            if len(self._spellings) > 50_000:
                self._spellings.clear()
            self._spellings[key] = known
        return known

    def _markings(self, skeleton: Skeleton, text: str, offset: int = 0) -> list[tuple[re.Match[str], Form]]:
        return [(m, self._form_of(m)) for m in self.marking.finditer(text)
                if self._is_that_word(skeleton, m.start() + offset, m.end() + offset, self._form_of(m))]

    def _level_of(self, skeleton: Skeleton, text: str, offset: int) -> Level | None:
        levels = [form.level for _, form in self._markings(skeleton, text, offset)]
        return max(levels, key=lambda lv: lv.rank) if levels else None

    # -- regions to redact --------------------------------------------------------------------

    def redactions(self, skeleton: Skeleton) -> list[Finding]:
        text = skeleton.text
        found: list[Finding] = []
        if self.policy.spans:
            for m in self.span.finditer(text):
                levels = [lv for lv in (self._level_of(skeleton, m["open"], m.start("open")),
                                        self._level_of(skeleton, m["close"], m.start("close"))) if lv]
                if levels:
                    found.append(self._finding("span", skeleton, m.start(), m.end(), max(levels, key=_rank),
                                               GuardAction.REDACT))
        if self.policy.portion_marks:
            for m in self.portion.finditer(text):
                level = self._level_of(skeleton, m["mark"], m.start("mark"))
                if level and not _inside(m.start(), found, skeleton):
                    found.append(self._finding("portion-mark", skeleton, m.start(), m.end(), level,
                                               GuardAction.REDACT))
        found.extend(self._registered_terms(skeleton))
        return found

    def _registered_terms(self, skeleton: Skeleton) -> list[Finding]:
        if not self.terms or self.term_key is None:
            return []
        words = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(skeleton.text)]
        keyed = hmac.new(self.term_key, digestmod=hashlib.sha256)
        found = []
        for n in self.term_lengths:
            for i in range(len(words) - n + 1):
                digest = keyed.copy()
                digest.update(" ".join(w for w, _, _ in words[i:i + n]).encode())
                term = self.terms.get(digest.hexdigest())
                if term is not None:
                    found.append(self._finding("registered-term", skeleton, words[i][1], words[i + n - 1][2],
                                               term.level, GuardAction.REDACT))
        return found

    # -- stamps that block ----------------------------------------------------------------------

    def stamps(self, skeleton: Skeleton, redacted: list[Finding]) -> list[Finding]:
        text = skeleton.text
        found: list[Finding] = []
        field_names: list[tuple[int, int]] = []
        for m in self.field.finditer(text):
            field_names.append((m.start("name"), m.end("name")))
            if _inside(m.start(), redacted, skeleton):
                continue
            value = m["value"]
            level = self._level_of(skeleton, value, m.start("value"))
            if level is None:
                if not value.strip() or " ".join(_fold_words(value)) in self.unclassified:
                    continue
                level = Level.MAT  # an unknown classification is still a classification
            found.append(self._finding("classification-field", skeleton, m.start(), m.end(), level,
                                       self._stamp_action(level)))
        candidates: dict[int, tuple[int, int, Form, str]] = {}
        for pattern, rule in ((self.bracketed, "bracketed-marking"), (self.alone, "marking-alone-on-line"),
                              (self.in_capitals, "marking-in-capitals")):
            for m in pattern.finditer(text):
                assert m.lastgroup is not None
                start, end = m.span(m.lastgroup)
                candidates.setdefault(start, (start, end, self._form_of(m), rule))
        for start, end, form, rule in sorted(candidates.values(), key=lambda c: c[0]):
            if _inside(start, redacted, skeleton) or any(s <= start < e for s, e in field_names):
                continue
            if rule == "marking-in-capitals" and self._in_compound(text, start, end, form):
                continue
            if self._is_that_word(skeleton, start, end, form):
                found.append(self._finding(rule, skeleton, start, end, form.level, self._stamp_action(form.level)))
        return found

    def _in_compound(self, text: str, start: int, end: int, form: Form) -> bool:
        previous = [w.upper() for w in _WORD.findall(text[max(0, start - 40):start])]
        following = [w.upper() for w in _WORD.findall(text[end:end + 40])]
        size = len(form.words)
        for compound in self.compounds:
            for at in range(len(compound) - size + 1):
                if compound[at:at + size] != form.words:
                    continue
                head, tail = list(compound[:at]), list(compound[at + size:])
                if (not head or previous[-len(head):] == head) and (not tail or following[:len(tail)] == tail):
                    return True
        return False

    def _stamp_action(self, level: Level) -> GuardAction:
        return GuardAction.REDACT if self.policy.action_for(level) == "redact" else GuardAction.BLOCK

    @staticmethod
    def _finding(rule: str, skeleton: Skeleton, start: int, end: int, level: Level | None,
                 action: GuardAction) -> Finding:
        return Finding(rule, skeleton.start(start), skeleton.end(end), level, action)


def _rank(level: Level) -> int:
    return level.rank


def _inside(skeleton_position: int, regions: list[Finding], skeleton: Skeleton) -> bool:
    position = skeleton.start(skeleton_position)
    return any(r.start <= position < r.end for r in regions)
