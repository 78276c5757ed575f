"""How the readable copies name things: people by name and agency (never by key), times in the
deployment's zone to the second, events and their details in the export's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import from_iso
from bot.i18n import t


def local_time(at: str | None, zone: str) -> str:
    """`09:40:05 23/11/2026`, in `zone`; what a blank is for nothing."""
    if not at:
        return "—"
    return from_iso(at).astimezone(ZoneInfo(zone)).strftime("%H:%M:%S %d/%m/%Y")


def zone_label(zone: str, at: str | None = None) -> str:
    """`Asia/Ho_Chi_Minh (UTC+07:00)`, the offset as it was at `at`."""
    moment = from_iso(at) if at else datetime.now(ZoneInfo(zone))
    offset = moment.astimezone(ZoneInfo(zone)).strftime("%z")
    return f"{zone} (UTC{offset[:3]}:{offset[3:]})"


class Names:
    """Names for the keys a transcript holds: the people it lists, and the system's own actors."""

    def __init__(self, people: Mapping[str, Mapping[str, Any]], language: str) -> None:
        self.people = people
        self.language = language

    def name(self, key: str | None) -> str:
        """The person's name alone (for a line that says their agency elsewhere)."""
        found = self.people.get(key or "")
        return str(found.get("name")) if found and found.get("name") else self.who(key)

    def who(self, key: str | None, name: str | None = None, agency: str | None = None) -> str:
        """`Name (Agency)`; `name`/`agency` as recorded win over the roster's."""
        if name:
            return f"{name} ({agency})" if agency else name
        found = self.people.get(key or "")
        if found and found.get("name"):
            return f"{found['name']} ({found['agency']})" if found.get("agency") else str(found["name"])
        if key in (None, "", "system"):
            return t(self.language, "transcript.actor.system")
        if key == "scheduler":
            return t(self.language, "transcript.actor.scheduler")
        if key == "cli":
            return t(self.language, "transcript.actor.cli")
        if key.startswith("tg:") and key[3:].isdigit():
            return t(self.language, "transcript.actor.telegram", id=key[3:])
        return key  # not a person of the roster (people are never deleted): what `consult export --by` said


def answered_for(by: str, principal: str | None, names: Names, language: str) -> str:
    """`<alternate> (thay <invitee>, <agency>)`: who answered for whom, said as the card says it."""
    found = names.people.get(principal or "") or {}
    return t(language, "label.answered_for", name=by, principal=found.get("name") or names.name(principal),
             agency=found.get("agency") or "—")


def actor(event: Mapping[str, Any], names: Names, language: str) -> str:
    """Who did what the event records; an answer given for someone else names both."""
    data: Mapping[str, Any] = event.get("data") or {}
    principal = data.get("for") if event.get("type") == "answered" else None
    if principal and principal != event.get("actor"):
        return answered_for(str(data.get("by_name") or names.name(event.get("actor"))), str(principal), names,
                            language)
    return names.who(event.get("actor"))


def event_name(event_type: str, language: str) -> str:
    try:
        return t(language, f"event.{event_type}")
    except KeyError:
        return t(language, "event.other")


def position(value: str | None, language: str) -> str:
    return t(language, f"position.{value}") if value else t(language, "transcript.no_answer")


def level(value: str | None, language: str) -> str:
    return t(language, f"level.{value}") if value else "—"


def kind(value: str | None, language: str) -> str:
    """A consultation or a notice; a transcript written before kinds existed held a consultation."""
    return t(language, f"transcript.type.{value or 'consultation'}")


def state(value: str | None, language: str) -> str:
    try:
        return t(language, f"transcript.state.{value}")
    except KeyError:
        return "—"


def source(value: str | None, language: str) -> str:
    try:
        return t(language, f"transcript.source.{value}")
    except KeyError:
        return ""


def event_detail(event: Mapping[str, Any], names: Names, language: str, zone: str) -> str:
    """A short line saying what the event did, in `language`, naming people, never keys."""
    data: Mapping[str, Any] = event.get("data") or {}
    kind = event.get("type")
    if kind == "opened":
        return t(language, "detail.opened", count=len(data.get("invitees") or []),
                 deadline=local_time(data.get("deadline_at"), zone))
    if kind in ("invited", "handed_over"):
        attempt = data.get("attempt")
        said = [t(language, "detail.attempt", attempt=attempt)] if isinstance(attempt, int) and attempt > 1 else []
        if data.get("stand_in"):
            said.append(t(language, "detail.stand_in", name=data.get("stand_in_name") or names.who(
                str(data["stand_in"]))))
        elif data.get("alternate_not_enrolled"):  # not «nobody stands in»: named, never enrolled
            said.append(t(language, "detail.alternate_not_enrolled", name=data.get("alternate_name") or names.who(
                str(data["alternate_not_enrolled"]))))
        elif data.get("uncovered"):
            said.append(t(language, "detail.uncovered"))
        return "; ".join(said)
    if kind == "reported":
        return t(language, "detail.reported", via=data.get("via", "—"))
    if kind == "answered":  # for whom is said with who (`actor`)
        return position(data.get("position"), language) + (f" ({t(language, 'detail.late')})" if data.get("late")
                                                           else "")
    if kind == "more_time_amount" and isinstance(data.get("minutes"), int):
        return t(language, "detail.more_time_amount", minutes=data["minutes"])
    if kind in ("commented", "summarised", "objection_reason"):
        guard = data.get("guard")
        if guard in ("block", "redact"):
            return t(language, f"detail.message_{'blocked' if guard == 'block' else 'redacted'}",
                     id=data.get("message_id"), level=level(data.get("level"), language))
        return t(language, "detail.message", id=data.get("message_id"))
    if kind == "reminded":
        if data.get("manual"):
            return t(language, "detail.reminded_manual")
        return t(language, "detail.reminded", count=data.get("count", "—"))
    if kind == "escalated":
        return t(language, "detail.escalated", late=data.get("late", "—"), alternates=data.get("alternates", "—"))
    if kind == "extended":
        return t(language, "detail.extended", deadline=local_time(data.get("deadline_at"), zone))
    if kind == "closed":
        return t(language, "detail.closed", answered=data.get("answered", "—"), invited=data.get("invited", "—"))
    if kind == "blocked":
        return t(language, "detail.blocked", level=level(data.get("level"), language))
    if kind == "exported":
        return t(language, "detail.exported", messages=data.get("messages", "—"), events=data.get("events", "—"))
    if kind == "shredded":
        return t(language, "detail.shredded", days=data.get("age_days", "—"))
    return ""
