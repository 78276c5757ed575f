"""From what OCR read to a text the standard rules can judge, tolerant of OCR's usual mistakes.

OCR loses or swaps diacritics (`TỐI MẬT` read `TÔI MẠT`, `TOI MAT`, `TỐI MẶT`), reads a stamp's
border as stray letters (`| MẬT l`), digits for letters (`T0P SECRET`) and runs words together.
The text rules are exact about diacritics on purpose (`mất`, lost, is not `mật`), so OCR text
is prepared before it reaches them, line by line:

* a line that is nothing but stamp phrases — secrecy markings, the handling marks, urgency marks —
  give or take such mistakes, and written in capitals as stamps are, becomes those phrases spelt
  right (`TÔI MẠT` → `TỐI MẬT`; a handling mark → `MẬT`, the level the design gives it), so the
  standard rule for a line of nothing but markings blocks it;
* in any other line, a capitalised `MAT`-like word whose diacritics are not exactly `MẬT`'s
  (`MAT`, `MẠT`, `MẤT`, `MẶT`) is taken as the ordinary word OCR most likely saw and written in
  lower case, so a headline `MẤT ĐIỆN` or `MẶT TRẬN` read with a lost mark is not a stamp;
* everything else goes to the standard rules as read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.guard.normalise import normalise
from bot.guard.policy import LEVEL_NAMES_VI, GuardPolicy
from bot.guard.verdict import Level

_WORD = re.compile(r"[^\W_]+")
# What OCR puts for letters in capitals: digits and bars.
_CONFUSIONS = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "4": "A", "7": "T", "6": "G", "|": "I",
                             "$": "S", "€": "E"})
_BORDER_LETTERS = set("ILJT1|!IÌÍ")  # what the vertical strokes of a stamp's frame are read as
_CAPITALS_SHARE = 0.8
_LOOK_ALIKE = {frozenset(pair) for pair in ("EF", "IL", "IJ", "IT", "OD", "OQ", "CG", "UV", "MN", "HN", "RP", "CE",
                                                 "RK", "BE", "LT")}
_AMBIGUOUS = "MAT"
MAX_JOINED_LINES = 12  # mật, mất, mặt, mát, mạt... only the exact diacritics say which


@dataclass(frozen=True)
class StampPhrase:
    letters: str  # folded capital letters, no spaces: "TOIMAT"
    words: int
    spelt: str  # how it is written for the judge: "TỐI MẬT"
    marking: bool  # a secrecy marking or handling mark (an urgency mark alone is no stamp)

    @property
    def tolerance(self) -> int:
        """Letters OCR may get wrong in it: none in a short word, more in a long phrase."""
        size = len(self.letters)
        return 0 if size <= 4 else 1 if size < 8 else round(size * 0.25)


def fold(text: str) -> str:
    """Capital letters without diacritics or look-alikes, OCR's digit confusions undone."""
    return normalise(text.upper().translate(_CONFUSIONS)).text


def _letters(text: str) -> str:
    return "".join(_WORD.findall(fold(text)))


class OcrTextPreparer:
    def __init__(self, policy: GuardPolicy) -> None:
        phrases = [StampPhrase(_letters(form), len(form.split()), form.upper(), True)
                   for forms in policy.markings.values() for form in forms]
        handling = LEVEL_NAMES_VI[Level.MAT].upper()
        phrases += [StampPhrase(_letters(mark), len(mark.split()), handling, True) for mark in policy.handling_marks]
        phrases += [StampPhrase(_letters(mark), len(mark.split()), mark.upper(), False)
                    for mark in policy.urgency_marks]
        self.phrases = [p for p in phrases if p.letters]
        # Everyday compounds ending in mật (SỎI MẬT, TÚI MẬT, BÍ MẬT), by their folded words: OCR's
        # tolerance for a stamp's letters must not take them for one (SOI is a letter from TOI).
        self.compounds: dict[tuple[str, ...], str] = {}
        for compound in policy.compounds:
            words = tuple(fold(word) for word in compound.split())
            if len(words) >= 2 and words[-1] == _AMBIGUOUS and all(words):
                self.compounds[words] = unicodedata.normalize("NFC", compound)
        self.compound_words = max((len(words) for words in self.compounds), default=0)
        self.longest = max((p.words for p in self.phrases), default=1) + 2

    def prepare(self, text: str, joined: bool = False) -> str:
        """The text for the standard rules. `joined`: also try the whole text as one stamp (a stamp
        read on its own may come out in two lines)."""
        lines = [self.respell_compounds(line.strip()) for line in text.splitlines() if line.strip()]
        out: list[str] = []
        stamped: set[int] = set()
        for i, line in enumerate(lines):
            stamp = self.as_stamp(line)
            if stamp is not None:
                out.append(stamp)
                stamped.add(i)
        for i in range(len(lines) - 1):  # a stamp in two lines ("CHỈ NGƯỜI CÓ TÊN / MỚI ĐƯỢC BÓC BÌ")
            # A line that is a stamp alone is tried with its neighbour too: "TỐI" above "MẬT" is
            # TỐI MẬT, not MẬT — joined, a stamp can only keep or raise its level, never lower it.
            stamp = self.as_stamp(lines[i] + " " + lines[i + 1])
            if stamp is not None and (i not in stamped or i + 1 not in stamped or stamp not in out):
                out.append(stamp)
        if joined and len(lines) <= MAX_JOINED_LINES:
            # Read on its own, a stamp's words may come out as lines in any order (a tilted,
            # unframed TOP SECRET as "SECRET" then "TOP"): every pair, and all lines together.
            candidates = [f"{a} {b}" for i, a in enumerate(lines) for j, b in enumerate(lines) if i != j]
            found = {self.as_stamp(text) for text in [*candidates, " ".join(lines)]}
            out.extend(sorted(stamp for stamp in found if stamp is not None))
        out.extend(self.defuse(line) for i, line in enumerate(lines) if i not in stamped)
        return "\n".join(out)

    def holds_stamp(self, text: str) -> bool:
        """Whether OCR's reading of a candidate stamp reads as one (else it is read another way)."""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if any(self.as_stamp(line) for line in lines):
            return True
        return any(self.as_stamp(f"{a} {b}") for i, a in enumerate(lines) for j, b in enumerate(lines)
                   if i != j and len(lines) <= MAX_JOINED_LINES)

    def respell_compounds(self, line: str) -> str:
        """`line` with every everyday compound ending in mật that OCR read with its letters right,
        give or take diacritics (`SÓI MẬT`, `TUI MAT`), spelt as the policy lists it, in the case
        read: the standard rules then know it for the compound (they are exact about diacritics),
        and no stamp phrase is matched over it. Only whole words, and only the letters folded
        exactly: a stamp misread by a letter is still a stamp within the phrases' tolerance."""
        if not self.compounds:
            return line
        found = list(_WORD.finditer(line))
        folded = [fold(match.group()) for match in found]
        pieces, at, i = [], 0, 0
        while i < len(found):
            for size in range(min(self.compound_words, len(found) - i), 1, -1):
                spelt = self.compounds.get(tuple(folded[i:i + size]))
                if spelt is None:
                    continue
                start, end = found[i].start(), found[i + size - 1].end()
                read = line[start:end]
                pieces += [line[at:start], spelt.upper() if read.isupper() else spelt]
                at, i = end, i + size - 1
                break
            i += 1
        return "".join(pieces) + line[at:]

    def _without_compounds(self, folded: list[str]) -> list[str]:
        out, i = [], 0
        while i < len(folded):
            size = next((size for size in range(min(self.compound_words, len(folded) - i), 1, -1)
                         if tuple(folded[i:i + size]) in self.compounds), 0)
            if size:
                i += size
                continue
            out.append(folded[i])
            i += 1
        return out

    # -- a line of stamp phrases ----------------------------------------------------------------

    def as_stamp(self, line: str) -> str | None:
        """The stamp phrases spelt right, if `line` is nothing else (border strokes aside)."""
        words = _WORD.findall(line)
        letters = [c for c in line if c.isalpha()]
        if not words or sum(1 for c in letters if c.isupper()) < _CAPITALS_SHARE * len(letters):
            return None
        folded = self._without_compounds([fold(w) for w in words])
        while folded and len(folded[0]) <= 2 and set(folded[0]) <= _BORDER_LETTERS:
            folded.pop(0)
        while folded and len(folded[-1]) <= 2 and set(folded[-1]) <= _BORDER_LETTERS:
            folded.pop()
        if not folded:
            return None
        found = self._segment(folded)
        if found is None or not any(p.marking for p in found):
            return None
        return " - ".join(p.spelt for p in found)

    def _segment(self, words: list[str]) -> list[StampPhrase] | None:
        """Cover `words` with stamp phrases, each matching a run of words within its tolerance."""
        best: list[list[StampPhrase] | None] = [None] * (len(words) + 1)
        best[0] = []
        for start in range(len(words)):
            so_far = best[start]
            if so_far is None:
                continue
            for end in range(start + 1, min(len(words), start + self.longest) + 1):
                run = "".join(words[start:end])
                for phrase in self.phrases:
                    if abs(len(run) - len(phrase.letters)) <= phrase.tolerance and \
                            _distance(run, phrase.letters, phrase.tolerance) <= phrase.tolerance:
                        if best[end] is None:
                            best[end] = [*so_far, phrase]
                        break
        return best[len(words)]

    # -- other lines ------------------------------------------------------------------------------

    @staticmethod
    def defuse(line: str) -> str:
        """A capitalised `MAT`-like word, diacritics not exactly `MẬT`'s, in a line of other words:
        the everyday word OCR half-read, in lower case so it is no stamp."""
        if len(_WORD.findall(line)) < 2:
            return line

        def lower(match: re.Match[str]) -> str:
            word = match.group()
            if word.isupper() and fold(word) == _AMBIGUOUS and unicodedata.normalize("NFC", word) != "MẬT":
                return word.lower()
            return word

        return _WORD.sub(lower, line)


def _distance(a: str, b: str, limit: int) -> float:
    """Levenshtein distance in which OCR's look-alike letters (E/F, I/L, O/D...) cost half a letter;
    gives up (limit + 1) once it must exceed `limit`."""
    if a == b:
        return 0
    if limit == 0:
        return 1
    previous = [float(j) for j in range(len(b) + 1)]
    for i, char_a in enumerate(a, 1):
        current = [float(i)]
        for j, char_b in enumerate(b, 1):
            swap = 0.0 if char_a == char_b else 0.5 if frozenset((char_a, char_b)) in _LOOK_ALIKE else 1.0
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + swap))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
