"""Durations as people read them on a card or in a reminder: rounded up, never down.

"còn 59 phút" for a one-hour deadline just opened, or "còn 1 phút" with two minutes left, reads
as less time than was given. A reading is rounded up to the smallest unit it shows: seconds under
a minute, minutes under a day (hours and minutes), hours beyond (days and hours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0


def rounded_up(seconds: float) -> Reading:
    """`seconds` left, rounded up to the unit shown; nothing left reads as zero seconds."""
    whole = math.ceil(seconds - 1e-9)
    if whole <= 0:
        return Reading()
    if whole < 60:
        return Reading(seconds=whole)
    minutes = math.ceil(whole / 60)
    if minutes < 60:
        return Reading(minutes=minutes)
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        return Reading(hours=hours, minutes=minutes)
    days, hours = divmod(math.ceil(whole / 3600), 24)
    return Reading(days=days, hours=hours)
