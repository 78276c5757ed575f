from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.deadline import parse_deadline, parse_duration
from bot.errors import DeadlineError

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Hanoi


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30s", timedelta(seconds=30)), ("45m", timedelta(minutes=45)), ("2h", timedelta(hours=2)),
     ("1h30m", timedelta(minutes=90)), ("168h", timedelta(days=7)), ("7d", timedelta(days=7)),
     (" 2H ", timedelta(hours=2))],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_deadline(text, NOW) == NOW + expected


@pytest.mark.parametrize("text", ["0s", "0h0m", "-5m", "", "soon", "1.5h", "30", "h", "168h1s", "8d", "1m30h"])
def test_bad_durations_are_clear_errors(text: str) -> None:
    with pytest.raises(DeadlineError):
        parse_duration(text)


def test_over_seven_days_says_so() -> None:
    with pytest.raises(DeadlineError, match="at most 7 days"):
        parse_duration("169h")


def test_clock_time_later_today() -> None:
    assert parse_deadline("17:00", NOW) == datetime(2026, 11, 23, 17, 0, tzinfo=HCM)


def test_clock_time_already_passed_means_tomorrow() -> None:
    assert parse_deadline("09:59", NOW) == datetime(2026, 11, 24, 9, 59, tzinfo=HCM)
    assert parse_deadline("10:00", NOW) == datetime(2026, 11, 24, 10, 0, tzinfo=HCM)  # now exactly: not past


def test_midnight_and_the_utc_date_boundary() -> None:
    late_evening = datetime(2026, 11, 23, 16, 59, tzinfo=UTC)  # 23:59 in Hanoi
    assert parse_deadline("00:00", late_evening) == datetime(2026, 11, 24, 0, 0, tzinfo=HCM)
    after_midnight_local = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # 01:30 on the 24th in Hanoi
    assert parse_deadline("17:00", after_midnight_local) == datetime(2026, 11, 24, 17, 0, tzinfo=HCM)


def test_other_time_zone_setting() -> None:
    jakarta = ZoneInfo("Asia/Jakarta")
    assert parse_deadline("17:00", NOW, "Asia/Jakarta") == datetime(2026, 11, 23, 17, 0, tzinfo=jakarta)


@pytest.mark.parametrize("text", ["24:00", "17:60", "7:5"])
def test_impossible_times(text: str) -> None:
    with pytest.raises(DeadlineError):
        parse_deadline(text, NOW)


@pytest.mark.parametrize("text", ["1000000000d", "24000000000h", "99999999999999999999m", "9" * 5000 + "s"])
def test_huge_numbers_are_usage_errors_not_overflow(text: str) -> None:
    """A typo like `/urgent 1000000000d` once raised OverflowError and wedged every later update."""
    now = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
    with pytest.raises(DeadlineError):
        parse_deadline(text, now)


def test_leading_zeros_are_read_without_limit() -> None:
    assert parse_duration("0" * 5000 + "1h") == timedelta(hours=1)
