"""Reading a deadline the way a coordinator types it: `30s`, `45m`, `2h`, `1h30m`, or `17:00`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import DeadlineError, DeadlineNotFutureError, DeadlineTooLongError, NotATimeOfDayError

MAX_WINDOW = timedelta(days=7)
# More digits than this can only mean "too long": checked before any arithmetic, so a typo such as
# `1000000000d` is a usage error rather than an OverflowError that wedges the update queue.
_MAX_DIGITS = 9
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
_CLOCK_TIME = re.compile(r"(?P<h>\d{1,2})[:h](?P<m>\d{2})")


def parse_duration(text: str) -> timedelta:
    """A positive duration of at most seven days."""
    cleaned = text.strip().lower()
    match = _DURATION.fullmatch(cleaned)
    if not cleaned or not match or not any(match.groupdict().values()):
        raise DeadlineError(f"cannot read {text!r} as a duration (examples: 30s, 45m, 2h, 1h30m)", value=text)
    digits = {k: v for k, v in match.groupdict().items() if v is not None}
    if any(len(v.lstrip("0")) > _MAX_DIGITS for v in digits.values()):
        raise DeadlineTooLongError("a consultation may last at most 7 days", value=text, max_days=MAX_WINDOW.days)
    seconds = sum(int(v.lstrip("0") or "0") * _UNIT_SECONDS[k] for k, v in digits.items())
    if seconds <= 0:
        raise DeadlineNotFutureError("the deadline must be in the future", value=text)
    if seconds > MAX_WINDOW.total_seconds():
        raise DeadlineTooLongError("a consultation may last at most 7 days", value=text, max_days=MAX_WINDOW.days)
    return timedelta(seconds=seconds)


def parse_deadline(text: str, now: datetime, zone: str = "Asia/Ho_Chi_Minh") -> datetime:
    """The moment `text` names, from `now`. `17:00` is the next 17:00 in `zone` (tomorrow if passed)."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    cleaned = text.strip().lower()
    clock = _CLOCK_TIME.fullmatch(cleaned)
    if clock:
        hour, minute = int(clock["h"]), int(clock["m"])
        if hour > 23 or minute > 59:
            raise NotATimeOfDayError(f"{text!r} is not a time of day", value=text)
        local_now = now.astimezone(ZoneInfo(zone))
        candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if candidate <= local_now:
            candidate += timedelta(days=1)
        return candidate.astimezone(now.tzinfo)
    return now + parse_duration(cleaned)
