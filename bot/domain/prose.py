"""Chat lines made fit for a ministry's document: no emoji (Times New Roman prints them as gaps)
and no repetition (a phrase pasted over and over, the same comment sent twice). Pure text."""

from __future__ import annotations

import re

# Emoji and their glue: pictographs, dingbats and symbols people type from a phone's emoji
# keyboard, regional-indicator flags, skin tones, variation selector 16 and the zero-width joiner.
# Letters, digits, punctuation, arrows, °, ©, ™ and the like stay: they are text.
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u231A\u231B\u23E9-\u23FA\uFE0F\u200D\u20E3]"
)
_SPACES = re.compile(r"[ \t]{2,}")
# A run of at least 8 characters said three times or more in a row, spaces between or not.
_REPEATED = re.compile(r"(\S.{7,}?)(?:\s*\1){2,}", re.DOTALL)


def without_emoji(text: str) -> str:
    """`text` with its emoji removed and the spaces they leave behind made one."""
    lines = (_SPACES.sub(" ", _EMOJI.sub("", line)).strip() for line in text.split("\n"))
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


def for_the_record(text: str) -> str:
    """A chat comment as a report quotes it: no emoji, no repetition ("" when nothing is left)."""
    return without_repeats(without_emoji(text))
