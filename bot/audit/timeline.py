"""The timeline chart of a consultation, as geometry only: one row per invitee from invitation to
answer, the reminders, escalations and deadlines marked, so an auditor sees at a glance who
answered late. `bot/audit/html.py` draws it as inline SVG, `bot/audit/pdf.py` with fpdf2.

Positions along the time axis are fractions of the chart's width (0 = opening, 1 = the latest
moment shown), so each renderer scales them to its own units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.audit.labels import Names
from bot.clock import from_iso
from bot.i18n import t

COLOURS = {"agree": "#2e7d32", "object": "#c62828", "more_time": "#f9a825", "acknowledged": "#1565c0",
           None: "#9e9e9e"}
MARK_COLOURS = {"deadline": "#d32f2f", "earlier_deadline": "#ef9a9a", "reminder": "#ef6c00",
                "escalated": "#6a1b9a", "closed": "#37474f"}
_STEPS = [timedelta(seconds=s) for s in (1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                                          43200, 86400, 172800, 604800)]


@dataclass(frozen=True)
class Row:
    name: str
    agency: str
    start: float
    end: float
    position: str | None
    late: bool
    answered: bool
    note: str  # "late", "for …", shown at the bar's end


@dataclass(frozen=True)
class Mark:
    at: float
    kind: str  # a key of MARK_COLOURS
    label: str


@dataclass(frozen=True)
class Chart:
    rows: list[Row]
    marks: list[Mark]
    ticks: list[tuple[float, str]]


def _time(value: Any) -> datetime | None:
    return from_iso(value) if isinstance(value, str) and value else None


def build(consultation: Mapping[str, Any], participants: Sequence[Mapping[str, Any]],
          events: Sequence[Mapping[str, Any]], names: Names, language: str, zone: str) -> Chart:
    opened = _time(consultation.get("opened_at"))
    if opened is None:
        return Chart([], [], [])
    deadline = _time(consultation.get("deadline_at")) or opened
    closed = _time(consultation.get("closed_at"))
    invited: dict[str, datetime] = {}
    moments = [deadline, *(m for m in (closed,) if m)]
    marks: list[tuple[datetime, str]] = []
    for event in events:
        at, kind, data = _time(event.get("at")), event.get("type"), event.get("data") or {}
        if at is None:
            continue
        if kind == "invited" and event.get("actor") not in invited:
            invited[str(event.get("actor"))] = at
        elif kind in ("reminded", "escalated"):
            marks.append((at, "reminder" if kind == "reminded" else "escalated"))
            moments.append(at)
        elif kind in ("opened", "extended"):
            earlier = _time(data.get("deadline_at"))
            if earlier is not None and earlier != deadline:
                marks.append((earlier, "earlier_deadline"))
    answers = [_time(p.get("responded_at")) for p in participants]
    moments.extend(a for a in answers if a is not None)
    end = max([opened + timedelta(seconds=1), *moments])
    span = (end - opened).total_seconds() * 1.04

    def frac(moment: datetime) -> float:
        return max(0.0, min(1.0, (moment - opened).total_seconds() / span))

    rows = []
    for p in sorted(participants, key=lambda p: (str(p.get("agency") or ""), str(p.get("name") or ""))):
        key = str(p.get("person"))
        start = invited.get(key, _time(p.get("invited_at")) or opened)
        answered_at = _time(p.get("responded_at"))
        note = t(language, "transcript.late") if p.get("late") else ""
        by = p.get("responded_by")
        if by and by != key:
            helper = p.get("responded_by_name") or names.name(by)
            note = (note + "; " if note else "") + t(language, "transcript.chart.by", name=helper)
        rows.append(Row(str(p.get("name") or names.name(key)), str(p.get("agency") or ""), frac(start),
                        frac(answered_at or closed or end), p.get("position"), bool(p.get("late")),
                        answered_at is not None, note))
    chart_marks = [Mark(frac(at), kind, t(language, f"transcript.chart.{kind}")) for at, kind in sorted(marks)]
    chart_marks.append(Mark(frac(deadline), "deadline", t(language, "transcript.chart.deadline")))
    if closed is not None:
        chart_marks.append(Mark(frac(closed), "closed", t(language, "transcript.chart.closed")))
    return Chart(rows, chart_marks, _ticks(opened, span, zone))


def _ticks(opened: datetime, span: float, zone: str) -> list[tuple[float, str]]:
    step = next((s for s in _STEPS if span / s.total_seconds() <= 7), _STEPS[-1])
    local = opened.astimezone(ZoneInfo(zone))
    seconds = step.total_seconds()
    first = local - timedelta(seconds=(local.timestamp() % seconds)) + step if seconds < 86400 else (
        local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1))
    fmt = "%H:%M:%S" if seconds < 60 else "%H:%M" if seconds < 86400 else "%d/%m"
    ticks = [(0.0, local.strftime("%H:%M:%S %d/%m"))]
    moment = first
    while (moment - local).total_seconds() < span:
        position = (moment - local).total_seconds() / span
        if position > 0.08:
            ticks.append((position, moment.strftime(fmt)))
        moment += step
    return ticks


def stagger(spans: Sequence[tuple[float, float]], lines: int = 3, gap: float = 1.0) -> list[int | None]:
    """For each label, given as its (left, right) extent in drawing order, the line under the axis
    it goes on (0 the first) so that no two labels on a line touch; None when no line has room (the
    mark keeps its line and, in the SVG, its tooltip). Names such as «Người thay» and «Kết thúc» of
    marks a minute apart used to be drawn over each other."""
    taken: list[list[tuple[float, float]]] = [[] for _ in range(lines)]
    placed: list[int | None] = []
    for left, right in spans:
        for line, occupied in enumerate(taken):
            if all(right + gap <= other_left or left >= other_right + gap for other_left, other_right in occupied):
                occupied.append((left, right))
                placed.append(line)
                break
        else:
            placed.append(None)
    return placed
