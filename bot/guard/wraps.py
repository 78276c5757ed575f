"""Line wraps a document's layout made, read as the spaces they replaced.

A PDF (or any text laid out in lines) breaks a sentence wherever the line is full, so «bảo⏎mật.»
or «BẢO⏎MẬT THÔNG TIN» reach the guard with «mật» / «MẬT THÔNG TIN» at the start of a line, where
rule 1 or the compound rule would judge them alone. `join_wrapped_lines` turns such breaks back
into spaces before judging. It joins only what cannot hide a stamp:

* the next line goes on in lower case after a line of at least three words that ends no sentence
  (a stamp is written in capitals or with a capital: «Mật», «MẬT», never «mật» alone);
* or both sides are in capitals (a wrapped headline) and the line before is a full line — at least
  `FULL_SHARE` of the page's widest line — so a short stamp line («MẬT») is never glued to the
  heading under it.

Every break replaced is replaced by one space: the result has the same length as the text, so
offsets found in it are the text's own. Pure; the document readers call it on each page's lines.
"""

from __future__ import annotations

import itertools
import re

FULL_SHARE = 0.6  # a line at least this share of the widest is full: the layout wrapped it
MIN_FULL_LENGTH = 20  # characters; shorter lines are never full
_SENTENCE_END = re.compile(r"[.!?;:…][\s\"'”’)\]»]*$")
_WORD = re.compile(r"[^\W_]+")


def join_wrapped_lines(text: str) -> str:
    """`text` with the line breaks that wrapped a sentence or a headline read as spaces."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    widest = max(len(line.strip()) for line in lines)
    out = [lines[0]]
    for before, line in itertools.pairwise(lines):
        out.append(" " if _wrapped(before.strip(), line.strip(), widest) else "\n")
        out.append(line)
    return "".join(out)


def _wrapped(before: str, after: str, widest: int) -> bool:
    if not before or not after or _SENTENCE_END.search(before):
        return False
    words_before = _WORD.findall(before)
    words_after = _WORD.findall(after)
    if not words_before or not words_after:
        return False
    first = words_after[0]
    if first[0].islower():
        return len(words_before) >= 3 and after[0].isalpha()
    full = len(before) >= max(MIN_FULL_LENGTH, FULL_SHARE * widest)
    return full and words_before[-1].isupper() and first.isupper() and len(first) > 1
