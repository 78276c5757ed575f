"""Chat lines made fit for a ministry's document: no emoji (Times New Roman prints them as gaps),
or the emoji named in words when it is all a line says (a lone 👍 is an answer: «(đồng ý)»), no
repetition (a phrase pasted over and over, the same comment sent twice), no runs of spaces or
blank lines, and a long text cut for the body with its whole kept for an appendix. Pure text."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Emoji and their glue: pictographs, dingbats and symbols people type from a phone's emoji
# keyboard, regional-indicator flags, skin tones, variation selector 16 and the zero-width joiner.
# Letters, digits, punctuation, arrows, °, ©, ™ and the like stay: they are text.
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u231A\u231B\u23E9-\u23FA\uFE0F\u200D\u20E3]"
)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
_SKIN_TONES_AND_GLUE = re.compile("[\U0001F3FB-\U0001F3FF\uFE0F\u200D]")
# Emoji that say something when they stand alone, by the catalogue word that names them
# (`pmreport.emoji.<word>`): a reply of just 👍 agrees, ❓ asks. Others are decoration.
MEANINGFUL_EMOJI: dict[str, str] = {
    "\U0001F44D": "agree", "\u2705": "agree", "\u2714": "agree", "\U0001F44C": "agree",
    "\U0001F44E": "disagree", "\u274C": "disagree", "\u2716": "disagree",
    "\u2753": "question", "\u2754": "question",
    "\u26A0": "caution", "\u2757": "caution",
    "\U0001F64F": "thanks",
    "\u23F3": "more_time", "\u231B": "more_time",
}
CLIP_AT = 600  # characters of a comment shown in the body; the rest is in the appendix
# A run of at least 8 characters said three times or more in a row, spaces between or not.
_REPEATED = re.compile(r"(\S.{7,}?)(?:\s*\1){2,}", re.DOTALL)


def without_emoji(text: str, words: Mapping[str, str] | None = None) -> str:
    """`text` with its emoji removed and the spaces they leave behind made one. A line that is
    nothing but emoji is said in `words` (emoji → its name in the reader's language, e.g.
    «(đồng ý)»), each meaning once, when some of them mean something; blank lines come once."""
    lines: list[str] = []
    for line in text.split("\n"):
        kept = _SPACES.sub(" ", _EMOJI.sub("", line)).strip()
        if not kept and line.strip() and words:
            kept = " ".join(dict.fromkeys(words[e] for e in _SKIN_TONES_AND_GLUE.sub("", line) if e in words))
        if kept or (lines and lines[-1]):
            lines.append(kept)
    return "\n".join(lines).strip()


def without_repeats(text: str) -> str:
    """`text` with a phrase repeated back to back kept once, and each line that repeats an
    earlier one (blank lines aside) dropped."""
    text = _REPEATED.sub(r"\1", text)
    seen: set[str] = set()
    kept = []
    for line in text.split("\n"):
        key = " ".join(line.split()).casefold()
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(line)
    return "\n".join(kept).strip()


def for_the_record(text: str, words: Mapping[str, str] | None = None) -> str:
    """A chat comment as a report quotes it: no emoji (or a lone one said in `words`), no
    repetition ("" when nothing is left)."""
    return without_repeats(without_emoji(text, words))


def clipped(text: str, limit: int = CLIP_AT) -> str | None:
    """The head of a text longer than `limit` characters, cut at the last word that fits (and
    before trailing punctuation), for the body of a document that gives the whole in an appendix;
    None when the text fits whole."""
    if len(text) <= limit:
        return None
    head = text[:limit]
    cut = max(head.rfind(" "), head.rfind("\n"))
    if cut > limit // 2:
        head = head[:cut]
    return head.rstrip(" \n\t,;:.-–—")
