"""Deadlines as Vietnamese offices write them (#26 item 2): `/urgent 17h comms: …` was read as
seventeen hours; «2 giờ», «30 phút», «1 tiếng», «10 ngày» were refused. The rule: minutes or `g`
make a time of day; `N h`/`N giờ` alone is a time of day from 13 to 23, a duration up to 6 or from
24, and asked between 7 and 12."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.absence import parse_away
from bot.domain.commands import parse_urgent
from bot.domain.deadline import is_tomorrow, parse_deadline
from bot.errors import AmbiguousDeadlineError, DeadlineError
from bot.i18n import t

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime(2026, 12, 5, 9, 12, 40, tzinfo=HANOI)  # 09:12:40 local
EVENING = datetime(2026, 12, 5, 18, 0, tzinfo=HANOI)


@pytest.mark.parametrize(("text", "hour", "minute"), [
    ("17h", 17, 0), ("17h30", 17, 30), ("17g", 17, 0), ("17 giờ", 17, 0), ("17:00", 17, 0),
    ("17 giờ 30", 17, 30), ("17 giờ 30 phút", 17, 30), ("17G30", 17, 30), ("8g", 8, 0),
    ("17 Giờ", 17, 0), ("23h", 23, 0),
])
def test_times_of_day(text: str, hour: int, minute: int) -> None:
    moment = parse_deadline(text, MORNING).astimezone(HANOI)
    expected_day = MORNING.date() if (hour, minute) > (9, 12) else MORNING.date() + timedelta(days=1)
    assert (moment.date(), moment.hour, moment.minute, moment.second) == (expected_day, hour, minute, 0), text


def test_a_time_already_passed_is_tomorrow_and_says_so() -> None:
    moment = parse_deadline("17h", EVENING)
    assert moment.astimezone(HANOI) == datetime(2026, 12, 6, 17, 0, tzinfo=HANOI)
    assert is_tomorrow(moment, EVENING) and not is_tomorrow(parse_deadline("19h", EVENING), EVENING)


@pytest.mark.parametrize(("text", "delta"), [
    ("2 giờ", timedelta(hours=2)), ("1 tiếng", timedelta(hours=1)), ("30 phút", timedelta(minutes=30)),
    ("1 ngày", timedelta(days=1)), ("2h", timedelta(hours=2)), ("30m", timedelta(minutes=30)),
    ("30s", timedelta(seconds=30)), ("45m", timedelta(minutes=45)), ("1h30m", timedelta(hours=1, minutes=30)),
    ("1 giờ 30 phút", timedelta(hours=1, minutes=30)), ("12 tiếng", timedelta(hours=12)),
    ("48h", timedelta(hours=48)), ("25h", timedelta(hours=25)), ("6h", timedelta(hours=6)),
    ("2 gio", timedelta(hours=2)),
])
def test_durations(text: str, delta: timedelta) -> None:
    assert parse_deadline(text, MORNING) == MORNING + delta, text


@pytest.mark.parametrize("text", ["8h", "8 giờ", "12h", "7 giờ", "10h"])
def test_a_small_hour_is_asked_with_both_readings(text: str) -> None:
    with pytest.raises(AmbiguousDeadlineError) as caught:
        parse_deadline(text, MORNING)
    hour = int(text.split("h")[0].split()[0])
    vi = t("vi", caught.value.message_key, **caught.value.params)
    en = t("en", caught.value.message_key, **caught.value.params)
    assert f"{hour:02d}:00" in vi and f"{hour} tiếng" in vi and f"{hour:02d}:00" in en, vi


@pytest.mark.parametrize("text", ["25g", "17h61", "24g", "1000000000 ngày", "2 tuần", "giờ", "30 phút 1 giờ"])
def test_what_cannot_be_a_deadline_is_a_usage_error(text: str) -> None:
    with pytest.raises(DeadlineError):
        parse_deadline(text, MORNING)


@pytest.mark.parametrize(("line", "when"), [
    ("17h comms: Góp ý dự thảo", "17h"), ("17 giờ comms: Góp ý", "17 giờ"), ("2 giờ aec: Góp ý", "2 giờ"),
    ("17 giờ 30 aec+apsc: Góp ý", "17 giờ 30"), ("30 phút aec: Góp ý", "30 phút"), ("2h aec: x", "2h"),
])
def test_the_one_line_urgent_takes_the_vietnamese_deadline(line: str, when: str) -> None:
    request = parse_urgent(line)
    assert request.when == when and request.scopes in ("comms", "aec", "aec+apsc")
    parse_deadline(request.when, MORNING)


def test_away_for_ten_days_with_a_note() -> None:
    now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    request = parse_away("10 ngày nghỉ phép", now)
    assert request.until == now + timedelta(days=10) and request.note == "nghỉ phép"
    assert parse_away("12 tiếng", now).until == now + timedelta(hours=12)


@pytest.mark.parametrize(("arguments", "when"), [("1 2h", "2h"), ("1 2 giờ", "2 giờ"), ("#3 17 giờ 30", "17 giờ 30"),
                                                 ("1 30 phút", "30 phút")])
def test_extend_takes_the_vietnamese_deadline(arguments: str, when: str) -> None:
    from bot.domain.commands import parse_extend

    assert parse_extend(arguments)[1] == when


@pytest.mark.parametrize("arguments", ["1", "1 2h 3h", "1 2 giờ x"])
def test_extend_still_refuses_extra_words(arguments: str) -> None:
    from bot.domain.commands import parse_extend
    from bot.errors import UsageError

    with pytest.raises(UsageError):
        parse_extend(arguments)
