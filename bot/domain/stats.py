"""How each agency answered over a period: the figures behind `/stats`, as a pure function.

The unit is the agency, not the person: an agency is consulted once per consultation however many
of its people hold an invited role, it has answered as soon as one of them (or an alternate for
them) has, and it answered late only if none of its answers came in time. Its time to answer in
a consultation runs from its first invitation to its first answer.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import StatsPeriodError

DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class InvitationRow:
    """One person invited to one consultation on behalf of an agency, and what became of it."""

    agency: str
    consultation_id: int
    invited_at: datetime
    responded_at: datetime | None = None
    late: bool = False


@dataclass(frozen=True)
class AgencyStats:
    agency: str
    received: int  # consultations the agency was invited to
    answered: int  # of those, answered by at least one of its people
    answered_late: int  # of those answered, answered only after the deadline
    median_time_to_answer: timedelta | None  # None when it answered none

    @property
    def unanswered(self) -> int:
        return self.received - self.answered


@dataclass(frozen=True)
class PeriodStats:
    since: datetime
    until: datetime
    consultations: int  # distinct consultations with an invitation in the period
    agencies: tuple[AgencyStats, ...]

    @property
    def empty(self) -> bool:
        return self.consultations == 0


def parse_period(text: str | None) -> int:
    """`/stats` → 30 days; `/stats 7d` (or `7`) → 7 days."""
    if text is None or not text.strip():
        return DEFAULT_DAYS
    cleaned = text.strip().lower().removesuffix("d")
    if not cleaned.isascii() or not cleaned.isdigit() or not 1 <= int(cleaned) <= MAX_DAYS:
        raise StatsPeriodError(f"cannot read {text!r} as a number of days", max_days=MAX_DAYS)
    return int(cleaned)


def period_stats(rows: Iterable[InvitationRow], since: datetime, until: datetime,
                 agencies: Sequence[str] = ()) -> PeriodStats:
    """Per-agency figures for invitations made in [since, until).

    `agencies` lists agencies to show even with nothing in the period (the roster's, in its
    order); others found in the rows follow in alphabetical order.
    """
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since and until must carry a time zone")
    if until < since:
        raise ValueError("the period ends before it starts")
    # agency -> consultation -> its rows in the period
    grouped: dict[str, dict[int, list[InvitationRow]]] = {}
    consultations: set[int] = set()
    for row in rows:
        if since <= row.invited_at < until:
            grouped.setdefault(row.agency, {}).setdefault(row.consultation_id, []).append(row)
            consultations.add(row.consultation_id)
    order = list(dict.fromkeys(agencies)) + sorted(a for a in grouped if a not in set(agencies))
    return PeriodStats(since, until, len(consultations),
                       tuple(_agency(agency, grouped.get(agency, {})) for agency in order))


def _agency(agency: str, by_consultation: dict[int, list[InvitationRow]]) -> AgencyStats:
    answered = late = 0
    seconds: list[float] = []
    for invitations in by_consultation.values():
        answers = [r for r in invitations if r.responded_at is not None]
        if not answers:
            continue
        answered += 1
        if all(r.late for r in answers):
            late += 1
        first_invited = min(r.invited_at for r in invitations)
        first_answer = min(r.responded_at for r in answers if r.responded_at is not None)
        seconds.append(max(0.0, (first_answer - first_invited).total_seconds()))
    median = timedelta(seconds=statistics.median(seconds)) if seconds else None
    return AgencyStats(agency, len(by_consultation), answered, late, median)
