"""The bot's longer texts, built once each from stored facts: invitation, status card, report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.consultation import Position, State
from bot.domain.routing import RoutingPolicy
from bot.i18n import t
from bot.services.formatting import local_time, time_left
from bot.store.repos.consultations import ConsultationRecord, Participant, StoredMessage
from bot.store.repos.people import PersonRecord

MAX_TEXT = 4096


@dataclass(frozen=True)
class Seat:
    """A participant with the person behind it, as the texts need them."""

    participant: Participant
    record: PersonRecord

    @property
    def label(self) -> str:
        return f"{self.record.person.name} ({self.record.agency_name})"


def scope_names(routing: RoutingPolicy, scopes: Sequence[str], language: str) -> str:
    rules = [routing.scopes[s] for s in scopes if s in routing.scopes]
    return ", ".join(r.name_vi if language == "vi" else r.name_en for r in rules)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def invitation(
    record: ConsultationRecord, coordinator: str, routing: RoutingPolicy, language: str, zone: str
) -> str:
    c = record.consultation
    return clip(
        t(
            language, "invite.body", consultation=c.id, title=c.title,
            scopes=scope_names(routing, c.scopes, language), deadline=local_time(c.deadline_at, zone),
            coordinator=coordinator,
        )
    )


def _position_label(position: Position, language: str) -> str:
    return t(language, f"position.{position.value}")


def status_card(record: ConsultationRecord, seats: Sequence[Seat], now: datetime, language: str, zone: str) -> str:
    c = record.consultation
    lines = [t(language, "card.header", consultation=c.id, title=c.title)]
    if c.state is State.OPEN:
        if now < c.deadline_at:
            lines.append(t(language, "card.deadline", deadline=local_time(c.deadline_at, zone),
                           left=time_left(c.deadline_at - now, language)))
        else:
            lines.append(t(language, "card.deadline_passed", deadline=local_time(c.deadline_at, zone)))
    elif c.closed_at is not None:
        key = "card.state_closed" if c.state is State.CLOSED else "card.state_cancelled"
        lines.append(t(language, key, at=local_time(c.closed_at, zone)))
    answered = [s for s in seats if s.participant.position is not None]
    pending = [s for s in seats if s.participant.position is None]
    lines.append("")
    lines.append(t(language, "card.answered", count=len(answered), total=len(seats)))
    for seat in answered:
        assert seat.participant.position is not None
        late = f" {t(language, 'card.late')}" if seat.participant.late else ""
        lines.append(f"  ✔ {seat.label}: {_position_label(seat.participant.position, language)}{late}")
    if pending:
        overdue = c.state is State.OPEN and now >= c.deadline_at
        lines.append(t(language, "card.overdue" if overdue else "card.pending"))
        for seat in pending:
            mark = f" {t(language, 'card.unreachable')}" if not seat.participant.reachable else ""
            lines.append(f"  • {seat.label}{mark}")
    return clip("\n".join(lines))


def outcome_report(
    record: ConsultationRecord,
    seats: Sequence[Seat],
    comments: Sequence[tuple[StoredMessage, str]],
    summary: str | None,
    language: str,
    zone: str,
) -> str:
    """Positions by agency, objections and comments, who never answered."""
    c = record.consultation
    none = t(language, "report.none")
    lines = [
        t(language, "report.header", consultation=c.id, title=c.title),
        t(language, "report.times", opened=local_time(c.opened_at, zone), deadline=local_time(c.deadline_at, zone),
          closed=local_time(c.closed_at, zone) if c.closed_at else "—"),
        "",
        t(language, "report.positions"),
    ]
    by_agency: dict[str, list[Seat]] = {}
    for seat in seats:
        by_agency.setdefault(seat.record.agency_name, []).append(seat)
    for agency, members in by_agency.items():
        answers = [
            f"{s.record.person.name}: {_position_label(s.participant.position, language)}"
            + (f" {t(language, 'card.late')}" if s.participant.late else "")
            for s in members if s.participant.position is not None
        ]
        lines.append(f"  {agency}: {'; '.join(answers) if answers else '—'}")
    objections = [s.label for s in seats if s.participant.position is Position.OBJECT]
    lines += ["", t(language, "report.objections"), *([f"  • {o}" for o in objections] or [f"  {none}"])]
    lines += ["", t(language, "report.comments", count=len(comments))]
    for message, author in comments:
        level = t(language, f"level.{message.guard_level}") if message.guard_level else "?"
        body = message.text if message.text is not None else t(language, "report.blocked_comment", level=level)
        lines.append(f"  • {author}: {body}")
    never = [s.label for s in seats if s.participant.position is None]
    lines += ["", t(language, "report.never"), *([f"  • {n}" for n in never] or [f"  {none}"])]
    if summary:
        lines += ["", t(language, "report.summary", summary=summary)]
    return clip("\n".join(lines))
