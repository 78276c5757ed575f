"""Reading a deadline the way a coordinator types it: `30s`, `45m`, `2h`, `1h30m`, or `17:00`, and
as Vietnamese offices write them: `17h`, `17h30`, `17g`, `17 giờ` (times of day), `2 giờ`,
`1 tiếng`, `30 phút`, `1 ngày` (durations).

The one rule (docs/deadlines.md, /help): a number with minutes (`17h30`, `17:00`, `17 giờ 30`) or
with `g` (`17g`) is a time of day; `N h` or `N giờ` alone is a time of day from 13 to 23, a duration
up to 6 or from 24, and between 7 and 12 (`8h`: 8 a.m. or eight hours?) it is asked, not guessed.
`tiếng`, `phút`, `ngày`, `m`, `s`, `d` are always durations.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import (
    AmbiguousDeadlineError,
    DeadlineError,
    DeadlineNotFutureError,
    DeadlineTooLongError,
    NotATimeOfDayError,
)

MAX_WINDOW = timedelta(days=7)
# More digits than this can only mean "too long": checked before any arithmetic, so a typo such as
# `1000000000d` is a usage error rather than an OverflowError that wedges the update queue.
_MAX_DIGITS = 9
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
_CLOCK_TIME = re.compile(r"(?P<h>\d{1,2}) ?(?::|h|g|giờ|gio) ?(?P<m>\d{2})")
# `17 giờ 30 phút` reads as 17:30, `1 giờ 30 phút` as ninety minutes: the hour decides, as for `17h`.
_HOUR_MINUTES = re.compile(r"(?P<h>\d{1,2}) ?(?:giờ|gio) (?P<m>\d{1,2}) ?(?:phút|phut)")
_HOUR_ONLY = re.compile(r"(?P<h>\d{1,2}) ?(?P<unit>h|g|giờ|gio)")
# Vietnamese units, each read as the letter the short form uses.
_UNITS = {"ngày": "d", "ngay": "d", "d": "d", "giờ": "h", "gio": "h", "tiếng": "h", "tieng": "h", "h": "h",
          "phút": "m", "phut": "m", "p": "m", "m": "m", "giây": "s", "giay": "s", "s": "s"}
_WORD_DURATION = re.compile(r"(?:\d+ ?(?:ngày|ngay|giờ|gio|tiếng|tieng|phút|phut|giây|giay|d|h|m|p|s) ?)+")
_WORD_PART = re.compile(r"(?P<n>\d+) ?(?P<unit>ngày|ngay|giờ|gio|tiếng|tieng|phút|phut|giây|giay|d|h|m|p|s)")
# `Nh` / `N giờ` alone: a time of day from here, a duration up to AMBIGUOUS_FROM - 1 or from 24.
AFTERNOON_FROM = 13
AMBIGUOUS_FROM = 7


def _normalised(text: str) -> str:
    """Lower case, composed accents, single spaces: `17 Giờ`, `17  giờ` and a decomposed `giờ` agree."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def parse_duration(text: str) -> timedelta:
    """A positive duration of at most seven days: `30s`, `45m`, `2h`, `1h30m`, `2 giờ`, `1 tiếng`,
    `30 phút`, `1 ngày`, `1 giờ 30 phút`."""
    cleaned = _normalised(text)
    match = _DURATION.fullmatch(cleaned)
    if cleaned and match and any(match.groupdict().values()):
        digits = [(k, v) for k, v in match.groupdict().items() if v is not None]
    elif cleaned and _WORD_DURATION.fullmatch(cleaned) and _in_order(cleaned):
        digits = [(_UNITS[m["unit"]], m["n"]) for m in _WORD_PART.finditer(cleaned)]
    else:
        raise DeadlineError(f"cannot read {text!r} as a duration (examples: 30s, 45m, 2h, 1h30m)", value=text)
    if any(len(v.lstrip("0")) > _MAX_DIGITS for _, v in digits):
        raise DeadlineTooLongError("a consultation may last at most 7 days", value=text, max_days=MAX_WINDOW.days)
    seconds = sum(int(v.lstrip("0") or "0") * _UNIT_SECONDS[k] for k, v in digits)
    if seconds <= 0:
        raise DeadlineNotFutureError("the deadline must be in the future", value=text)
    if seconds > MAX_WINDOW.total_seconds():
        raise DeadlineTooLongError("a consultation may last at most 7 days", value=text, max_days=MAX_WINDOW.days)
    return timedelta(seconds=seconds)


def _in_order(cleaned: str) -> bool:
    """Units from the largest down, each once (`1 giờ 30 phút`, not `30 phút 1 giờ` nor `1m30h`)."""
    ranks = ["dhms".index(_UNITS[m["unit"]]) for m in _WORD_PART.finditer(cleaned)]
    return all(a < b for a, b in itertools.pairwise(ranks))


def parse_deadline(text: str, now: datetime, zone: str = "Asia/Ho_Chi_Minh") -> datetime:
    """The moment `text` names, from `now`. `17:00` is the next 17:00 in `zone` (tomorrow if passed:
    `is_tomorrow` tells the reply to say so). Raises AmbiguousDeadlineError for `8h` and the like."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    cleaned = _normalised(text)
    clock = _CLOCK_TIME.fullmatch(cleaned)
    if clock:
        return _next_time_of_day(int(clock["h"]), int(clock["m"]), now, zone, text)
    hour_only = _HOUR_ONLY.fullmatch(cleaned) or _HOUR_MINUTES.fullmatch(cleaned)
    if hour_only:
        hour = int(hour_only["h"])
        minute = int(hour_only["m"]) if "m" in hour_only.groupdict() else 0
        if hour_only.groupdict().get("unit") == "g" or AFTERNOON_FROM <= hour <= 23:
            return _next_time_of_day(hour, minute, now, zone, text)
        if AMBIGUOUS_FROM <= hour < AFTERNOON_FROM:
            raise AmbiguousDeadlineError(f"{text!r} may be a time of day or a duration", value=text.strip(),
                                         hour=hour, clock=f"{hour:02d}:{minute:02d}")
    return now + parse_duration(cleaned)


def is_tomorrow(deadline: datetime, now: datetime, zone: str = "Asia/Ho_Chi_Minh") -> bool:
    """Whether a deadline falls on the day after `now`'s, in `zone` (a `17h` typed at 18:00)."""
    tz = ZoneInfo(zone)
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days == 1


def _next_time_of_day(hour: int, minute: int, now: datetime, zone: str, text: str) -> datetime:
    if hour > 23 or minute > 59:
        raise NotATimeOfDayError(f"{text!r} is not a time of day", value=text)
    local_now = now.astimezone(ZoneInfo(zone))
    candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local_now:
        candidate += timedelta(days=1)
    return candidate.astimezone(now.tzinfo)
