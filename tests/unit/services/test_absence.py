"""`/away`: reading when an absence ends, and who receives for an away person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.absence import MAX_AWAY, AwayRequest, Receiver, is_away, parse_away, parse_until, receiver_for
from bot.errors import (
    AwayError,
    AwayMalformedError,
    AwayNoteError,
    AwayPastError,
    AwayTooFarError,
    UsageError,
)
from bot.services.presentation.errors_render import render_error

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 on 1 December in Hà Nội


def hanoi(*args: int) -> datetime:
    return datetime(*args, tzinfo=HANOI)


@pytest.mark.parametrize(("text", "delta"), [
    ("3d", timedelta(days=3)), ("12h", timedelta(hours=12)), ("1d12h", timedelta(days=1, hours=12)),
    (" 2D ", timedelta(days=2)), ("90d", MAX_AWAY),
])
def test_durations_count_from_now(text: str, delta: timedelta) -> None:
    assert parse_until(text, NOW) == NOW + delta


def test_a_date_means_the_end_of_that_day_in_local_time() -> None:
    until = parse_until("05/12", NOW)
    assert until == hanoi(2026, 12, 6, 0, 0) == datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
    assert until.tzinfo == NOW.tzinfo  # given back in the caller's zone
    assert parse_until("5/12", NOW) == parse_until("05.12", NOW) == parse_until("05-12-2026", NOW) == until
    assert is_away(until, hanoi(2026, 12, 5, 23, 59)) and not is_away(until, hanoi(2026, 12, 6, 0, 0))


def test_today_is_allowed_until_its_last_minute() -> None:
    late_evening = hanoi(2026, 12, 1, 23, 59)
    assert parse_until("01/12", late_evening) == hanoi(2026, 12, 2, 0, 0)


def test_the_local_day_not_the_utc_day_decides() -> None:
    # 16:30 UTC on 1 December is 23:30 in Hà Nội: "01/12" still has half an hour to run
    assert parse_until("01/12", datetime(2026, 12, 1, 16, 30, tzinfo=UTC)) == hanoi(2026, 12, 2, 0, 0)
    # 17:30 UTC on 1 December is already 2 December in Hà Nội: "01/12" is over, next year's is too far
    with pytest.raises(AwayTooFarError):
        parse_until("01/12", datetime(2026, 12, 1, 17, 30, tzinfo=UTC))
    # 17:30 UTC on 30 November is 00:30 on 1 December in Hà Nội: "30/11" is over
    with pytest.raises(AwayTooFarError):
        parse_until("30/11", datetime(2026, 11, 30, 17, 30, tzinfo=UTC))


def test_a_date_already_past_this_year_is_next_years() -> None:
    new_year_eve = hanoi(2026, 12, 30, 9, 0)
    assert parse_until("02/01", new_year_eve) == hanoi(2027, 1, 3, 0, 0)
    assert parse_until("31/12", new_year_eve) == hanoi(2027, 1, 1, 0, 0)


def test_the_end_of_day_follows_a_daylight_saving_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    now = datetime(2026, 3, 28, 12, 0, tzinfo=paris)  # clocks go forward in the night of 28 to 29 March
    until = parse_until("29/03", now, "Europe/Paris")
    assert until == datetime(2026, 3, 30, 0, 0, tzinfo=paris)
    assert until.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=35)  # 12 + 24 - 1: an hour lost
    assert until.utcoffset() == timedelta(hours=2)


def test_february_29() -> None:
    with pytest.raises(AwayMalformedError):
        parse_until("29/02", hanoi(2026, 2, 10, 9, 0))  # neither 2026 nor 2027 has one
    assert parse_until("29/02", hanoi(2028, 2, 10, 9, 0)) == hanoi(2028, 3, 1, 0, 0)


@pytest.mark.parametrize("text", ["", "soon", "3", "3w", "-3d", "3d4", "32/12", "31/02", "00/12", "12/13",
                                  "1/2/26", "1d2h3m", "٣d", "05/12 12:00"])
def test_malformed(text: str) -> None:
    with pytest.raises(AwayMalformedError):
        parse_until(text, NOW)


@pytest.mark.parametrize("text", ["0d", "0h", "0d0h", "01/12/2025", "30/11/2026"])
def test_past(text: str) -> None:
    with pytest.raises(AwayPastError):
        parse_until(text, NOW)


@pytest.mark.parametrize("text", ["91d", "2161h", "90d1h", "15/03", "05/12/2027", "999d",
                                  "30/11"])  # this year's 30/11 is over, so next year's: too far
def test_too_far(text: str) -> None:
    with pytest.raises(AwayTooFarError) as caught:
        parse_until(text, NOW)
    assert caught.value.params["max_days"] == 90


def test_the_last_day_within_ninety_days_is_accepted() -> None:
    # 90 days from 10:00 on 1 December is 10:00 on 1 March; the end of 28 February is within it
    assert parse_until("28/02", NOW) == hanoi(2027, 3, 1, 0, 0)
    with pytest.raises(AwayTooFarError):
        parse_until("01/03", NOW)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="time zone"):
        parse_until("3d", datetime(2026, 12, 1, 10, 0))


def test_errors_speak_both_languages_and_name_the_input() -> None:
    for error in (AwayMalformedError("x", value="soon"), AwayPastError("x", value="30/11"),
                  AwayTooFarError("x", value="91d", max_days=90), AwayNoteError("x", limit=200)):
        assert isinstance(error, AwayError) and isinstance(error, UsageError)
        for language in ("vi", "en"):
            text = render_error(error, language)
            assert "{" not in text
            assert str(error.params.get("value", error.params.get("limit"))) in text
    assert "90" in render_error(AwayTooFarError("x", value="91d", max_days=90), "vi")


def test_parse_away_arguments() -> None:
    assert parse_away("off", NOW) == AwayRequest(None)
    assert parse_away("OFF ignored words", NOW) == AwayRequest(None)
    assert parse_away("3d nghỉ phép năm", NOW) == AwayRequest(NOW + timedelta(days=3), "nghỉ phép năm")
    assert parse_away("05/12", NOW) == AwayRequest(hanoi(2026, 12, 6, 0, 0))
    with pytest.raises(UsageError) as caught:
        parse_away("   ", NOW)
    assert caught.value.params == {"usage": "away"}
    assert render_error(caught.value, "en").startswith("Usage: /away <until>")
    with pytest.raises(AwayNoteError):
        parse_away("3d " + "x" * 201, NOW)
    with pytest.raises(AwayMalformedError):
        parse_away("tomorrow on leave", NOW)


def test_who_receives_for_a_person() -> None:
    until = NOW + timedelta(days=3)
    assert receiver_for("moit-1", "moit-2", None, NOW) == Receiver("moit-1", away=False)
    assert receiver_for("moit-1", "moit-2", until, NOW) == Receiver("moit-2", away=True)
    assert receiver_for("moit-1", "moit-2", until, NOW).stand_in
    # the absence ends by itself, to the second
    assert receiver_for("moit-1", "moit-2", until, until) == Receiver("moit-1", away=False)
    assert receiver_for("moit-1", "moit-2", until, until - timedelta(seconds=1)).receiver == "moit-2"
    # away without an alternate: still the person, flagged for the coordinator
    alone = receiver_for("jkt-2", None, until, NOW)
    assert alone == Receiver("jkt-2", away=True, uncovered=True) and not alone.stand_in
    # the alternate away too: nobody stands in
    assert receiver_for("moit-1", "moit-2", until, NOW, alternate_away_until=until) == \
        Receiver("moit-1", away=True, uncovered=True)
    # the alternate's absence over: they receive
    assert receiver_for("moit-1", "moit-2", until, NOW, alternate_away_until=NOW).receiver == "moit-2"
