"""Durations rounded up as people read them."""

from __future__ import annotations

import pytest

from bot.domain.durations import Reading, rounded_up
from bot.services.presentation.formatting import time_left_seconds


@pytest.mark.parametrize(("seconds", "reading"), [
    (3600, Reading(hours=1)),             # a one-hour deadline just opened
    (3599.2, Reading(hours=1)),           # ...a moment later: still "1 hour", not "59 minutes"
    (120, Reading(minutes=2)),
    (119.5, Reading(minutes=2)),          # not "1 minute" with two minutes given
    (61, Reading(minutes=2)),
    (60, Reading(minutes=1)),
    (59.1, Reading(minutes=1)),           # 60 s rounded up is a minute
    (59, Reading(seconds=59)),            # under a minute: seconds
    (0.2, Reading(seconds=1)),
    (0, Reading()),
    (-5, Reading()),
    (5400, Reading(hours=1, minutes=30)),
    (5399.5, Reading(hours=1, minutes=30)),
    (86399, Reading(days=1)),             # rounds up into the next unit
    (7 * 86400, Reading(days=7)),
    (90000, Reading(days=1, hours=1)),
    (90001, Reading(days=1, hours=2)),
])
def test_rounded_up(seconds: float, reading: Reading) -> None:
    assert rounded_up(seconds) == reading


@pytest.mark.parametrize(("seconds", "vi", "en"), [
    (3600, "1 giờ", "1 h"),
    (120, "2 phút", "2 min"),
    (5400, "1 giờ 30 phút", "1 h 30 min"),
    (45, "45 giây", "45 s"),
    (90000, "1 ngày 1 giờ", "1 d 1 h"),
    (2 * 86400, "2 ngày", "2 d"),
])
def test_readings_in_each_language(seconds: float, vi: str, en: str) -> None:
    assert time_left_seconds(seconds, "vi") == vi
    assert time_left_seconds(seconds, "en") == en
