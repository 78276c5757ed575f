"""Absence: how long a focal point is away, and who receives for them meanwhile.

Decision 47's mechanism only works if someone always answers for each agency. A person on leave
says so with `/away <until>`; until then their invitations and reminders go straight to their
alternate, and with no alternate the coordinator is told at once instead of at the deadline.
An absence always ends by itself: it is stored as the moment it ends, never as a flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import AwayMalformedError, AwayNoteError, AwayPastError, AwayTooFarError, UsageError

MAX_AWAY = timedelta(days=90)
MAX_NOTE = 200
OFF_WORDS = frozenset({"off", "tắt", "hủy", "huỷ"})
_DURATION = re.compile(r"^(?:(?P<d>[0-9]{1,3})d)?(?:(?P<h>[0-9]{1,4})h)?$")
_WORDED = re.compile(r"(?P<n>[0-9]{1,3})\s+(?P<unit>ngày|ngay|giờ|gio|tiếng|tieng)(?=\s|$)", re.IGNORECASE)
_AWAY_UNITS = {"ngày": "d", "ngay": "d", "giờ": "h", "gio": "h", "tiếng": "h", "tieng": "h"}
_DATE = re.compile(r"^(?P<day>[0-9]{1,2})[/.-](?P<month>[0-9]{1,2})(?:[/.-](?P<year>[0-9]{4}))?$")


@dataclass(frozen=True)
class AwayRequest:
    """What `/away …` asked for: an end (None for `/away off`) and an optional note."""

    until: datetime | None
    note: str = ""


@dataclass(frozen=True)
class Receiver:
    """Who gets what is meant for a person now.

    `uncovered` is the case the coordinator must hear about at once: the person is away and
    nobody stands in (no alternate, or the alternate is away too); `receiver` is then still the
    person, so nothing is lost when they come back.
    """

    receiver: str
    away: bool
    uncovered: bool = False

    @property
    def stand_in(self) -> bool:
        return self.away and not self.uncovered


def parse_away(arguments: str, now: datetime, zone: str = "Asia/Ho_Chi_Minh") -> AwayRequest:
    """The arguments of `/away`: `<until> [note]` or `off`."""
    words = arguments.strip().split(maxsplit=1)
    if not words:
        raise UsageError("usage: /away <until> [note] or /away off", usage="away")
    if words[0].lower() in OFF_WORDS:
        return AwayRequest(None)
    note = words[1].strip() if len(words) > 1 else ""
    worded = _WORDED.match(arguments.strip())
    if worded:  # `10 ngày`, `12 giờ`, `2 tuần`: the number and its unit are one word for parse_until
        words = [worded["n"] + _AWAY_UNITS[worded["unit"].lower()]]
        note = arguments.strip()[worded.end():].strip()
    if len(note) > MAX_NOTE:
        raise AwayNoteError("the note is too long", limit=MAX_NOTE)
    return AwayRequest(parse_until(words[0], now, zone), note)


def parse_until(text: str, now: datetime, zone: str = "Asia/Ho_Chi_Minh") -> datetime:
    """When an absence ends: `3d`, `12h`, `1d12h` from now, or a date `05/12` (or `05/12/2027`)
    meaning the end of that day in `zone` — the next 5 December if this year's is over.

    The end of a day is the first moment of the next one, so "away until 05/12" covers all of
    5 December and `now < until` is the whole test of being away. Raises AwayMalformedError,
    AwayPastError or AwayTooFarError (more than MAX_AWAY ahead).
    """
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    cleaned = text.strip().lower()
    duration = _DURATION.match(cleaned)
    if cleaned and duration and any(duration.groupdict().values()):
        delta = timedelta(days=int(duration["d"] or 0), hours=int(duration["h"] or 0))
        if delta <= timedelta(0):
            raise AwayPastError("an absence must end in the future", value=text)
        until = now + delta
    else:
        date_match = _DATE.match(cleaned)
        if not date_match:
            raise AwayMalformedError("cannot read the end of the absence", value=text)
        until = _end_of_date(int(date_match["day"]), int(date_match["month"]),
                             int(date_match["year"]) if date_match["year"] else None, now, ZoneInfo(zone), text)
    if until.astimezone(UTC) - now.astimezone(UTC) > MAX_AWAY:  # as instants, whatever the zones
        raise AwayTooFarError("an absence may last at most 90 days", value=text, max_days=MAX_AWAY.days)
    return until


def _end_of_date(day: int, month: int, year: int | None, now: datetime, zone: ZoneInfo, text: str) -> datetime:
    local_now = now.astimezone(zone)
    years = [year] if year is not None else [local_now.year, local_now.year + 1]
    valid = False
    for candidate_year in years:
        try:
            start = datetime(candidate_year, month, day, tzinfo=zone)
        except ValueError:  # 31/02, 29/02 outside a leap year, month 13
            continue
        valid = True
        # Local midnight after that day; aware datetimes compare as instants, so a DST change
        # that day shortens or lengthens the absence by exactly what the clocks did.
        end = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        if end.astimezone(UTC) > now.astimezone(UTC):
            return end.astimezone(now.tzinfo)
    if not valid:
        raise AwayMalformedError("no such date", value=text)
    raise AwayPastError("that day is over", value=text)


def is_away(away_until: datetime | None, now: datetime) -> bool:
    return away_until is not None and now < away_until


def receiver_for(person: str, alternate: str | None, away_until: datetime | None, now: datetime,
                 alternate_away_until: datetime | None = None) -> Receiver:
    """Whoever should get an invitation or reminder meant for `person` at `now`."""
    if not is_away(away_until, now):
        return Receiver(person, away=False)
    if alternate is None or alternate == person or is_away(alternate_away_until, now):
        return Receiver(person, away=True, uncovered=True)
    return Receiver(alternate, away=True)
