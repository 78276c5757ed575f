"""Reading the arguments of slash commands: `/urgent`'s one line, consultation numbers, titles.

Pure parsing, so that the usage a malformed command gets back is decided in one place: each
parser raises `UsageError` naming the command whose usage to show. Whether the values mean
anything (a scope the routing knows, a deadline in the future, a consultation that exists) is
the use case's to check.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import ControlCharacterError, DeadlineError, DeadlineMissingError, TitleMissingError, UsageError

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_TITLE = 200  # characters of a consultation's title (the topic's name shortens it further)
# The deadline is one word (`2h`, `17:00`) or a number and its Vietnamese unit (`17 giờ 30`,
# `2 giờ`, `30 phút`, `1 tiếng 30 phút`): bot/domain/deadline.py reads it.
_WHEN = (r"\d+\s+(?:giờ|gio|tiếng|tieng|phút|phut|ngày|ngay|giây|giay)"
         r"(?:\s+\d+(?:\s+(?:phút|phut))?)?(?=\s)|\S+")
_URGENT = re.compile(r"\s*(?P<when>" + _WHEN + r")\s+(?P<scopes>[^\s:]+)\s*:\s*(?P<title>.+?)\s*",
                     re.DOTALL | re.IGNORECASE)
_MAX_DIGITS = 9  # consultation numbers have at most nine digits, like the callback data's


@dataclass(frozen=True)
class UrgentRequest:
    when: str
    scopes: str
    title: str


def control_characters(text: str) -> list[str]:
    """The control characters in `text` other than white space, as U+XXXX: a NUL ends a string in
    C (the DOCX writer, SQLite's C API, a terminal), and bidirectional overrides make a title read
    differently from what it holds. Zero-width joiners (Cf) stay: emoji need them."""
    found = [c for c in text if (unicodedata.category(c) == "Cc" and not c.isspace()) or c in _BIDI_CONTROLS]
    return sorted({f"U+{ord(c):04X}" for c in found})


def clean_title(text: str, max_length: int = MAX_TITLE) -> str | None:
    """A title as stored: runs of white space (new lines too) made one space; None when nothing
    is left or it is longer than `max_length`. Control characters are refused (ControlCharacterError)."""
    found = control_characters(text)
    if found:
        raise ControlCharacterError("control characters in a title", characters=", ".join(found))
    title = " ".join(text.split())
    return title if title and len(title) <= max_length else None


def parse_urgent(arguments: str, usage: str = "urgent", max_title: int = MAX_TITLE) -> UrgentRequest:
    """`2h aec+apsc: Title` -> its three parts, or a usage error (of the command `usage` names)."""
    match = _URGENT.fullmatch(arguments)
    if not match:
        raise _what_is_wrong(arguments, usage)
    title = clean_title(match["title"], max_title)
    if title is None and not match["title"].split():
        raise TitleMissingError("title empty", usage=usage)
    if title is None:
        raise UsageError("title too long", usage=usage)
    return UrgentRequest(match["when"], match["scopes"], title)


def _what_is_wrong(arguments: str, usage: str) -> UsageError:
    """Which part of `<deadline> <scopes>: <title>` is missing or unreadable, so that the answer
    says what to type rather than the whole usage: the title after the colon, the deadline before
    the scopes (one word before the colon that is no number), or the deadline's words (an unknown
    unit, «2 tuần»). The colon of a time of day (17:00) is not the separator."""
    head, *rest = re.split(r":(?!\d)", arguments, maxsplit=1)
    words = head.split()
    if not rest or not words:
        return UsageError(f"usage of /{usage}", usage=usage)
    if len(words) == 1:
        if words[0][:1].isdigit():  # a deadline without scopes: the usage lists them
            return UsageError("no scopes", usage=usage)
        return DeadlineMissingError("no deadline", usage=usage, value=words[0])
    if not rest[0].split():
        return TitleMissingError("title empty", usage=usage)
    return DeadlineError("cannot read the deadline", value=" ".join(words[:-1]))


def parse_id(text: str, usage: str) -> int:
    """`7` or `#7` -> 7; anything else (nothing, 0, ten digits, `7a`) is a usage error."""
    cleaned = text.strip().lstrip("#")
    # ASCII digits only, counted before int() reads them: str.isdigit() takes "²", which int()
    # refuses, and int() refuses over 4300 digits (either was a crash instead of the usage);
    # other scripts' digits ("٣") are no consultation number either.
    digits = cleaned.lstrip("0")
    if not (cleaned.isascii() and cleaned.isdigit()) or not 0 < len(digits) <= _MAX_DIGITS:
        raise UsageError("not a consultation number", usage=usage)
    return int(digits)


def first_word(arguments: str) -> str:
    """The first word of a command's arguments, or "" (which `parse_id` refuses with the usage)."""
    words = arguments.split()
    return words[0] if words else ""


def parse_extend(arguments: str) -> tuple[int, str]:
    """`/extend <id> <duration|HH:MM>` -> the consultation and the deadline as typed."""
    parts = arguments.split()
    # `/extend 1 2h`, and the Vietnamese `/extend 1 2 giờ` or `/extend 1 17 giờ 30`.
    if len(parts) < 2 or not re.fullmatch(f"(?:{_WHEN}) ", " ".join(parts[1:]) + " ", re.IGNORECASE):
        raise UsageError("usage", usage="extend")
    return parse_id(parts[0], "extend"), " ".join(parts[1:])


def parse_close(arguments: str) -> tuple[int, str | None]:
    """`/close <id> [summary]` -> the consultation and the summary, if one was written."""
    first, _, rest = arguments.strip().partition(" ")
    return parse_id(first, "close"), rest.strip() or None


def command_arguments(text: str) -> str:
    """What follows a command's name: `/urgent 2h aec: X` -> `2h aec: X`."""
    _, _, rest = text.partition(" ")
    return rest.strip()


def addressed_command(text: str) -> tuple[str, str]:
    """A command's name and the bot it is addressed to: `/foo@other_bot x` -> (`/foo`, `other_bot`);
    ("/", "") for an empty text."""
    words = text.split(maxsplit=1)
    command, _, addressee = (words[0] if words else "/").partition("@")
    return command, addressee


def nearest(command: str, known: Sequence[str]) -> tuple[str, ...]:
    """The commands someone most likely meant by a typo (`/remid` → `remind`; `/stauts` → `status`
    and `stats`, equally near): those closest by edit distance, at most 2 edits away (1 for short
    names), at most two of them; none for a command that is no near miss."""
    typed = command.lstrip("/").split("@", 1)[0].lower()
    if not typed or typed in known:
        return ()
    scored = sorted((_distance(typed, name), name) for name in known)
    best = [name for distance, name in scored
            if distance == scored[0][0] and distance <= (1 if len(name) <= 4 else 2)] if scored else []
    return tuple(best[:2])


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, with a swap of two neighbouring letters counted as one edit."""
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous_previous[j - 2] + 1)
            current.append(value)
        previous_previous, previous = previous, current
    return previous[-1]
