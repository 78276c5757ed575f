"""Times and durations as people read them: local time, in their language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.durations import rounded_up
from bot.i18n import t


def local_time(moment: datetime, zone: str) -> str:
    """`17:05 05/12/2026`: to the minute, as people write a deadline (a `2h` typed at 14:03:27 is
    shown 16:03, not 16:03:27). The audit transcript keeps the seconds (bot/audit/labels.py)."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M %d/%m/%Y")


def time_left(delta: timedelta, language: str) -> str:
    """What is left before a deadline, rounded up as people read it (`bot.domain.durations`)."""
    return time_left_seconds(delta.total_seconds(), language)


def time_left_seconds(seconds: float, language: str) -> str:
    reading = rounded_up(seconds)
    if reading.days:
        if reading.hours:
            return t(language, "duration.dh", days=reading.days, hours=reading.hours)
        return t(language, "duration.d", days=reading.days)
    if reading.hours:
        if reading.minutes:
            return t(language, "duration.hm", hours=reading.hours, minutes=reading.minutes)
        return t(language, "duration.h", hours=reading.hours)
    if reading.minutes:
        return t(language, "duration.m", minutes=reading.minutes)
    return t(language, "duration.s", seconds=reading.seconds)


def until_text(until: datetime, zone: str, language: str) -> str:
    """An absence to a date ends at the first moment of the next day: said as people say it,
    «hết ngày 05/12/2026», not «00:00 06/12/2026»."""
    local = until.astimezone(ZoneInfo(zone))
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return t(language, "away.until_day_end", day=(local - timedelta(days=1)).strftime("%d/%m/%Y"))
    return local_time(until, zone)
