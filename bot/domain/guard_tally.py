"""The officer's figures over a period (issue #29), from the cases' metadata alone: blocks by rule,
level and source; reports open, upheld and released; the people blocked again and again; blocks per
day by level (the chart). Pure: the cases come in as values, the figures go out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

NO_LEVEL = "none"  # a block for want of a verdict (nothing could be read)
REPEATED = 2  # a person blocked this many times in the period is named


@dataclass(frozen=True)
class CaseFacts:
    """What the tally reads of one case."""

    at: datetime
    actor: str
    agency: str | None
    rule: str | None
    level: str | None
    source: str
    reported: bool
    decision: str | None


@dataclass(frozen=True)
class Tally:
    blocks: int
    by_rule: dict[str, int]
    by_level: dict[str, int]
    by_source: dict[str, int]
    reports_open: int
    upheld: int
    released: int
    repeated: dict[str, int]  # actor -> blocks, for those blocked REPEATED times or more
    per_day: dict[date, dict[str, int]] = field(default_factory=dict)  # local day -> level -> blocks


def tally(cases: Iterable[CaseFacts], zone: str) -> Tally:
    listed = list(cases)
    tz = ZoneInfo(zone)
    per_day: dict[date, Counter[str]] = {}
    for case in listed:
        per_day.setdefault(case.at.astimezone(tz).date(), Counter())[case.level or NO_LEVEL] += 1
    actors = Counter(case.actor for case in listed)
    return Tally(
        blocks=len(listed),
        by_rule=dict(Counter(case.rule or "?" for case in listed).most_common()),
        by_level=dict(Counter(case.level or NO_LEVEL for case in listed).most_common()),
        by_source=dict(Counter(case.source for case in listed).most_common()),
        reports_open=sum(1 for case in listed if case.reported and case.decision is None),
        upheld=sum(1 for case in listed if case.decision == "upheld"),
        released=sum(1 for case in listed if case.decision == "released"),
        repeated={actor: count for actor, count in actors.most_common() if count >= REPEATED},
        per_day={day: dict(levels) for day, levels in sorted(per_day.items())},
    )


def precision_by_rule(cases: Iterable[CaseFacts]) -> dict[str, tuple[int, int, float | None]]:
    """Per rule, as the officers judged it: (upheld, released, upheld / (upheld + released)); None
    where nothing of that rule was decided."""
    upheld: Counter[str] = Counter()
    released: Counter[str] = Counter()
    rules: list[str] = []
    for case in cases:
        rule = case.rule or "?"
        if rule not in rules:
            rules.append(rule)
        if case.decision == "upheld":
            upheld[rule] += 1
        elif case.decision == "released":
            released[rule] += 1
    result: dict[str, tuple[int, int, float | None]] = {}
    for rule in rules:
        decided = upheld[rule] + released[rule]
        result[rule] = (upheld[rule], released[rule], upheld[rule] / decided if decided else None)
    return result
