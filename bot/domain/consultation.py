"""Consultations, their states and the answers of their participants — rules only, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.errors import InvalidTransitionError


class State(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Position(StrEnum):
    AGREE = "agree"
    OBJECT = "object"
    MORE_TIME = "more_time"
    ACKNOWLEDGED = "acknowledged"  # the one answer to a notice


class Kind(StrEnum):
    """An urgent consultation asks for positions; a notice disseminates a leaders' decision or
    guideline and asks only that it be acknowledged. Both are numbered, routed, reminded and
    escalated alike."""

    CONSULTATION = "consultation"
    NOTICE = "notice"

    @property
    def positions(self) -> tuple[Position, ...]:
        """The answers this kind takes, in the order its buttons show them."""
        if self is Kind.NOTICE:
            return (Position.ACKNOWLEDGED,)
        return (Position.AGREE, Position.OBJECT, Position.MORE_TIME)


@dataclass(frozen=True)
class Consultation:
    id: int
    title: str
    scopes: tuple[str, ...]
    opened_by: str
    opened_at: datetime
    deadline_at: datetime
    state: State = State.OPEN
    closed_at: datetime | None = None
    kind: Kind = Kind.CONSULTATION

    @property
    def is_notice(self) -> bool:
        return self.kind is Kind.NOTICE

    def takes(self, position: Position) -> bool:
        """Whether `position` is an answer this consultation asks for."""
        return position in self.kind.positions

    def close(self, at: datetime) -> Consultation:
        self._require_open("close")
        return replace(self, state=State.CLOSED, closed_at=at)

    def cancel(self, at: datetime) -> Consultation:
        self._require_open("cancel")
        return replace(self, state=State.CANCELLED, closed_at=at)

    def extend(self, new_deadline: datetime, now: datetime) -> Consultation:
        self._require_open("extend")
        if new_deadline <= now:
            raise InvalidTransitionError("the new deadline is not in the future", consultation=self.id)
        return replace(self, deadline_at=new_deadline)

    def accepts_answers(self) -> bool:
        return self.state is State.OPEN

    def is_late(self, at: datetime) -> bool:
        return at > self.deadline_at

    def _require_open(self, action: str) -> None:
        if self.state is not State.OPEN:
            raise InvalidTransitionError(
                f"consultation #{self.id} is {self.state.value}; cannot {action}",
                consultation=self.id,
                state=self.state.value,
            )


@dataclass(frozen=True)
class Answer:
    """A participant's recorded position; the last one given before close counts."""

    person_key: str
    position: Position
    responded_at: datetime
    late: bool
    responded_by: str
