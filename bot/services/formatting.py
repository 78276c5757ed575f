"""Times and durations as people read them: local time, in their language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t


def local_time(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return local.strftime("%H:%M:%S %d/%m/%Y") if local.second else local.strftime("%H:%M %d/%m/%Y")


def time_left(delta: timedelta, language: str) -> str:
    total = max(0, int(delta.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return t(language, "duration.hm", hours=hours, minutes=minutes)
    if minutes:
        return t(language, "duration.m", minutes=minutes)
    return t(language, "duration.s", seconds=seconds)
