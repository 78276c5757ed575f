"""The bot's longer texts, built once each from stored facts: invitation, status card, report.

Each fits Telegram's limits by construction or says how it is split; nothing here cuts a text.
Who answered is said as the issue asks: the alternate who answered for an invitee is named, with
the invitee and the agency — "Ngô Thị Mai (thay Hoàng Văn Dũng, Bộ Nội vụ): Phản đối (trễ hạn)".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.consultation import Consultation, Position, State
from bot.domain.routing import RoutingPolicy
from bot.domain.textparts import TEXT_LIMIT, Block, fits, pack
from bot.i18n import t
from bot.services.kernel.seats import Seat
from bot.services.presentation.formatting import local_time, time_left
from bot.store.repos.consultations import ConsultationRecord, StoredMessage
from bot.store.repos.people import PersonRecord

BULLET = "  • "
CONTINUED = "    "  # a comment's further lines sit under its first, not at the margin


def for_kind(consultation: Consultation, key: str) -> str:
    """The catalogue key of a text that a notice words differently (`<key>.notice`): a notice asks
    people to acknowledge, not to give a position."""
    return f"{key}.notice" if consultation.is_notice else key


def attribution(invitee: PersonRecord, responder: PersonRecord | None, language: str) -> str:
    """Who gave an invitee's answer: "<name> (<agency>)", or "<alternate> (thay <invitee>, <agency>)"."""
    if responder is None or responder.key == invitee.key:
        return f"{invitee.person.name} ({invitee.agency_name})"
    return t(language, "label.answered_for", name=responder.person.name, principal=invitee.person.name,
             agency=invitee.agency_name)


def answer_text(invitee: PersonRecord, responder: PersonRecord | None, position: Position, late: bool,
                language: str) -> str:
    """`<who>: <position>[ (late)]`, the same on the card, in the report and in notices."""
    suffix = f" {t(language, 'card.late')}" if late else ""
    return f"{attribution(invitee, responder, language)}: {_position_label(position, language)}{suffix}"


def acknowledgement_line(seat: Seat, language: str, zone: str) -> str:
    """`<who> — <when>[ (late)]`: a notice's outcome lists who acknowledged it and when."""
    at = seat.participant.responded_at
    suffix = f" {t(language, 'card.late')}" if seat.participant.late else ""
    return f"{answered_label(seat, language)} — {local_time(at, zone) if at else '—'}{suffix}"


def answered_label(seat: Seat, language: str) -> str:
    return attribution(seat.record, seat.responder, language)


def answer_line(seat: Seat, language: str) -> str:
    assert seat.participant.position is not None
    return answer_text(seat.record, seat.responder, seat.participant.position, seat.participant.late, language)


def role_names(routing: RoutingPolicy, roles: Sequence[str], language: str) -> str:
    """Roles as people read them: built-in ones from the catalogue, focal-point ones by the names
    the routing policy gives them; a role known to neither by its key."""
    names = []
    for role in roles:
        name = routing.role_name(role, language)
        if name is None:
            try:
                name = t(language, f"role.{role}")
            except KeyError:
                name = role
        names.append(name)
    return "; ".join(names)


def scope_names(routing: RoutingPolicy, scopes: Sequence[str], language: str) -> str:
    rules = [routing.scopes[s] for s in scopes if s in routing.scopes]
    return ", ".join(r.name_vi if language == "vi" else r.name_en for r in rules)


def invitation(
    record: ConsultationRecord, coordinator: str, routing: RoutingPolicy, language: str, zone: str
) -> str:
    c = record.consultation
    return t(
        language, for_kind(c, "invite.body"), consultation=c.id, title=c.title,
        scopes=scope_names(routing, c.scopes, language), deadline=local_time(c.deadline_at, zone),
        coordinator=coordinator,
    )


def _position_label(position: Position, language: str) -> str:
    return t(language, f"position.{position.value}")


def status_card(record: ConsultationRecord, seats: Sequence[Seat], now: datetime, language: str, zone: str,
                *, full: bool = False) -> str:
    """The pinned card. It is one message, edited in place, so it must fit: when every name does
    not, answers are counted by position and the pending list ends with how many more there are and
    where to see them all (`/status N`, which sends the `full` card in parts)."""
    c = record.consultation
    fixed = [t(language, for_kind(c, "card.header"), consultation=c.id, title=c.title)]
    if c.state is State.OPEN:
        if now < c.deadline_at:
            fixed.append(t(language, "card.deadline", deadline=local_time(c.deadline_at, zone),
                           left=time_left(c.deadline_at - now, language)))
        else:
            fixed.append(t(language, "card.deadline_passed", deadline=local_time(c.deadline_at, zone)))
    elif c.closed_at is not None:
        key = "card.state_closed" if c.state is State.CLOSED else "card.state_cancelled"
        fixed.append(t(language, key, at=local_time(c.closed_at, zone)))
    answered = [s for s in seats if s.participant.position is not None]
    pending = [s for s in seats if s.participant.position is None]
    answered_head = t(language, for_kind(c, "card.answered"), count=len(answered), total=len(seats))
    pending_head = None
    if pending:
        overdue = c.state is State.OPEN and now >= c.deadline_at
        pending_head = t(language, for_kind(c, "card.overdue" if overdue else "card.pending"))
    open_now = c.state is State.OPEN
    pending_lines = [f"  • {s.label}" + (f" {t(language, 'card.unreachable')}" if not s.participant.reachable
                                         else "") + (s.away_mark(now, language) if open_now else "")
                     for s in pending]
    lines = [*fixed, "", answered_head, *[f"  ✔ {answer_line(s, language)}" for s in answered]]
    if pending_head:
        lines += [pending_head, *pending_lines]
    text = "\n".join(lines)
    if full or fits(text):
        return text
    tally = " · ".join(
        f"{_position_label(p, language)}: {n}" for p in Position
        if (n := sum(1 for s in answered if s.participant.position is p)))
    compact = [*fixed, "", answered_head, *([f"  ✔ {tally}"] if tally else [])]
    if pending_head:
        compact.append(pending_head)
        shown = 0
        for line in pending_lines:
            more = t(language, "card.more", count=len(pending) - shown - 1, consultation=c.id)
            if not fits("\n".join([*compact, line, more])):
                break
            compact.append(line)
            shown += 1
        if shown < len(pending):
            compact.append(t(language, "card.more", count=len(pending) - shown, consultation=c.id))
    return "\n".join(compact)


def objection_notice(record: ConsultationRecord, seats: Sequence[Seat], language: str) -> tuple[str, frozenset[str]]:
    """The coordinator's notice of objections: who objects now, in the order they did; and whose
    objections it tells (by invitee key). It fits one message: past that, how many more."""
    c = record.consultation
    objecting = sorted((s for s in seats if s.participant.position is Position.OBJECT),
                       key=lambda s: s.participant.responded_at or c.opened_at)
    told = frozenset(s.record.key for s in objecting)
    if not objecting:
        return t(language, "answer.objection_withdrawn", consultation=c.id, title=c.title), told
    if len(objecting) == 1:
        return t(language, "answer.objection_notice", consultation=c.id, title=c.title,
                 who=answer_line(objecting[0], language)), told
    lines = [t(language, "answer.objections_notice", consultation=c.id, title=c.title, count=len(objecting))]
    for shown, seat in enumerate(objecting):
        line = _bullet(answer_line(seat, language))
        more = t(language, "card.more", count=len(objecting) - shown - 1, consultation=c.id)
        if not fits("\n".join([*lines, line, more])):
            lines.append(t(language, "card.more", count=len(objecting) - shown, consultation=c.id))
            break
        lines.append(line)
    return "\n".join(lines), told


# -- the outcome report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    """A comment as the report lists it: who, and the text as stored (allowed or redacted)."""

    author: str
    text: str


@dataclass(frozen=True)
class CommentTally:
    """What the report says of the comments: those it lists, and those with nothing to list (their
    content was blocked, or redacted to nothing but placeholders) as counts."""

    shown: list[Comment] = field(default_factory=list)
    blocked: int = 0
    emptied: int = 0


def tally_comments(comments: Sequence[tuple[StoredMessage, str]], nothing_left: Callable[[str], bool]) -> CommentTally:
    tally = CommentTally()
    for message, author in comments:
        if message.text is None or message.guard_action == "block":
            tally = CommentTally(tally.shown, tally.blocked + 1, tally.emptied)
        elif message.guard_action == "redact" and nothing_left(message.text):
            tally = CommentTally(tally.shown, tally.blocked, tally.emptied + 1)
        else:
            tally.shown.append(Comment(author, message.text))
    return tally


@dataclass(frozen=True)
class OutcomeReport:
    """The report's sections, kept apart so a report too long for one message can be sent in
    numbered parts with the conclusion (summary, then who never answered) first."""

    title_line: str
    times: str
    positions: list[str]
    objections: list[str]
    comments: list[str]
    never: list[str]
    summary: list[str]
    part_title: Callable[[int, int], str]  # (part, parts) -> the line that opens each part
    continued: Callable[[str], str]  # a section's heading -> the heading of its continuation

    def text(self) -> str:
        """The whole report in reading order: what is stored, signed and exported."""
        sections = [self.positions, self.objections, self.comments, self.never, self.summary]
        return "\n".join([self.title_line, self.times, *["\n".join(["", *s]) for s in sections if s]])

    def parts(self, limit: int = TEXT_LIMIT) -> list[str]:
        """One message if it fits; otherwise numbered parts, each naming the report, with the
        summary and the non-respondents moved to the front and the comments last."""
        whole = self.text()
        if fits(whole, limit):
            return [whole]
        blocks = [Block(self.times)]
        for section in (self.summary, self.never, self.positions, self.objections, self.comments):
            if not section:
                continue
            heading = section[0]
            blocks.append(Block("\n" + heading + ("\n" + section[1] if len(section) > 1 else "")))
            blocks += [Block(item, heading=self.continued(heading)) for item in section[2:]]
        return pack(blocks, lambda index, count: self.part_title(index, count) + "\n", limit)


def _bullet(text: str) -> str:
    """A list item whose further lines stay under it."""
    return BULLET + text.replace("\n", "\n" + CONTINUED)


def outcome_report(
    record: ConsultationRecord,
    seats: Sequence[Seat],
    comments: CommentTally,
    summary: str | None,
    language: str,
    zone: str,
) -> OutcomeReport:
    """Positions by agency, objections and comments, who never answered, the coordinator's summary.
    For a notice: who acknowledged and when, comments, who did not, the summary."""
    c = record.consultation
    none = f"  {t(language, 'report.none')}"
    by_agency: dict[str, list[Seat]] = {}
    for seat in seats:
        by_agency.setdefault(seat.record.agency_name, []).append(seat)
    if c.is_notice:
        acknowledged = [s for s in seats if s.participant.position is not None]
        positions = [t(language, "report.positions.notice", count=len(acknowledged), total=len(seats))]
        positions += [_bullet(acknowledgement_line(s, language, zone)) for s in acknowledged] or [none]
    else:
        positions = [t(language, "report.positions")]
        for members in by_agency.values():
            for seat in members:
                if seat.participant.position is not None:
                    positions.append(_bullet(answer_line(seat, language)))
                else:
                    positions.append(_bullet(f"{seat.label}: —"))
    objections = [_bullet(answered_label(s, language)) for s in seats if s.participant.position is Position.OBJECT]
    shown = comments.shown
    comment_lines = [t(language, "report.comments", count=len(shown))]
    comment_lines += [_bullet(f"{comment.author}: {comment.text}") for comment in shown]
    if comments.blocked:
        comment_lines.append(f"  {t(language, 'report.blocked_count', count=comments.blocked)}")
    if comments.emptied:
        comment_lines.append(f"  {t(language, 'report.emptied_count', count=comments.emptied)}")
    if len(comment_lines) == 1:
        comment_lines.append(none)
    never = [_bullet(s.label) for s in seats if s.participant.position is None]
    return OutcomeReport(
        title_line=t(language, for_kind(c, "report.header"), consultation=c.id, title=c.title),
        times=t(language, "report.times", opened=local_time(c.opened_at, zone),
                deadline=local_time(c.deadline_at, zone), closed=local_time(c.closed_at, zone) if c.closed_at else "—"),
        positions=positions,
        objections=[] if c.is_notice else [t(language, "report.objections"), *(objections or [none])],
        comments=comment_lines,
        never=[t(language, for_kind(c, "report.never")), *(never or [none])],
        summary=[t(language, "report.summary", summary=summary.replace("\n", "\n" + CONTINUED))] if summary else [],
        part_title=lambda index, count: t(language, for_kind(c, "report.part_header"), consultation=c.id,
                                          title=c.title, index=index, count=count),
        continued=lambda heading: t(language, "report.continued", heading=heading.rstrip(":").rstrip()),
    )
