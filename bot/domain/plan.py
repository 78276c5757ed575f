"""The deadline plan: which steps a consultation gets, and when. Pure: values in, values out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.deadline import parse_duration
from bot.errors import DeadlineError


class StepKind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"
    AUTO_CLOSE = "auto_close"


class Tone(StrEnum):
    GENTLE = "gentle"
    FIRM = "firm"
    URGENT = "urgent"


MERGE_WITHIN = timedelta(seconds=1)


def _duration(value: str) -> str:
    try:
        parse_duration(value)
    except DeadlineError as exc:  # pydantic reports ValueErrors with their location in the file
        raise ValueError(str(exc)) from exc
    return value


class ReminderRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    at: float | None = Field(default=None, gt=0, lt=1)
    before: str | None = None
    tone: Tone = Tone.GENTLE

    @field_validator("before")
    @classmethod
    def _before(cls, value: str | None) -> str | None:
        return None if value is None else _duration(value)

    @model_validator(mode="after")
    def _exactly_one_point(self) -> ReminderRule:
        if (self.at is None) == (self.before is None):
            raise ValueError("a reminder needs exactly one of `at` (fraction of the window) or `before`")
        return self


class EscalationRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tone: Tone = Tone.URGENT


class AutoCloseRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    after: str
    tone: Tone = Tone.FIRM

    @field_validator("after")
    @classmethod
    def _after(cls, value: str) -> str:
        return _duration(value)


class DeadlinePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reminders: tuple[ReminderRule, ...] = (ReminderRule(at=0.5), ReminderRule(at=0.8, tone=Tone.FIRM))
    escalation: EscalationRule = EscalationRule()
    auto_close: AutoCloseRule | None = None

    @field_validator("reminders")
    @classmethod
    def _no_duplicates(cls, reminders: tuple[ReminderRule, ...]) -> tuple[ReminderRule, ...]:
        points = [(r.at, r.before) for r in reminders]
        if len(points) != len(set(points)):
            raise ValueError("the same reminder point is listed twice")
        return reminders


@dataclass(frozen=True)
class PlannedStep:
    kind: StepKind
    due_at: datetime
    tone: Tone


def plan_steps(policy: DeadlinePolicy, opened_at: datetime, deadline_at: datetime, now: datetime) -> list[PlannedStep]:
    """The steps still to come for a window; points already past (or before opening) are dropped,
    and reminders within a second of each other or of the deadline are merged."""
    window = deadline_at - opened_at
    reminders: list[PlannedStep] = []
    for rule in policy.reminders:
        if rule.at is not None:
            due = opened_at + window * rule.at
        else:
            assert rule.before is not None
            due = deadline_at - parse_duration(rule.before)
        if due <= opened_at or due <= now or deadline_at - due < MERGE_WITHIN:
            continue
        if any(abs(r.due_at - due) < MERGE_WITHIN for r in reminders):
            continue
        reminders.append(PlannedStep(StepKind.REMINDER, due, rule.tone))
    steps = sorted(reminders, key=lambda s: s.due_at)
    if deadline_at > now:
        steps.append(PlannedStep(StepKind.ESCALATION, deadline_at, policy.escalation.tone))
    if policy.auto_close is not None:
        close_at = deadline_at + parse_duration(policy.auto_close.after)
        if close_at > now:
            steps.append(PlannedStep(StepKind.AUTO_CLOSE, close_at, policy.auto_close.tone))
    return steps
