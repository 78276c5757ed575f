"""Holding a transcript's rows against the events that recorded them.

`Facts` keeps, as the events stream by, the few that describe rows (the opening, the last answer
for each invitee, the end); `RowChecker` compares the consultation, each participant and each
message with them field by field, and the texts with their commitments (chain v2). Events older
than v2 carry less: their rows are compared on what they do carry and counted as written before v2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.audit.checks import Problems
from bot.domain.chain import Event
from bot.domain.facts import (
    ANSWER_EVENT,
    END_EVENTS,
    MESSAGE_FIELDS,
    MESSAGE_FIELDS_V1,
    commit,
    first_difference,
    is_v2,
    message_label,
    opened_kind,
)


@dataclass
class Facts:
    """What the events say, kept as they stream by: small (a few per invitee), never per message."""

    opened: Event | None = None
    answers: dict[str, Event] = field(default_factory=dict)
    ended: list[Event] = field(default_factory=list)
    deadline: Any = None
    first_seq: int | None = None
    count: int = 0
    last_seq: int | None = None
    head_found: Event | None = None
    events_up_to_head: int = 0
    events_at: int | None = None
    shredded: Event | None = None  # retention destroyed the consultation's content (its data key)

    def observe(self, event: Event, head_seq: int | None) -> None:
        self.count += 1
        self.first_seq = event.seq if self.first_seq is None else self.first_seq
        self.last_seq = event.seq
        if event.type == "opened" and self.opened is None:
            self.opened = event
            self.deadline = event.data.get("deadline_at")
        elif event.type == "extended":
            self.deadline = event.data.get("deadline_at")
        elif event.type == ANSWER_EVENT:
            self.answers[str(event.data.get("for", event.actor))] = event
        elif event.type in END_EVENTS:
            self.ended.append(event)
        elif event.type == "shredded":
            self.shredded = event
        if head_seq is not None and event.seq <= head_seq:
            self.events_up_to_head += 1
            if event.seq == head_seq:
                self.head_found = event


class RowChecker:
    """Compares rows with the facts their events recorded, adding each difference to `problems`."""

    def __init__(self, facts: Facts, problems: Problems) -> None:
        self.facts = facts
        self.problems = problems
        self.before_v2 = 0
        self.consultation: dict[str, Any] = {}
        self.commitment: bytes | None = None
        self.content_free = False  # exported after retention shredded it: no text may be carried

    def set_consultation(self, value: dict[str, Any]) -> None:
        self.consultation = value
        self.content_free = value.get("content") == "shredded"
        key_hex = value.get("text_commitment_key")
        try:
            self.commitment = bytes.fromhex(key_hex) if isinstance(key_hex, str) else None
        except ValueError:
            self.commitment = None

    def check_message(self, message: Mapping[str, Any], event: Event) -> None:
        data = event.data
        if not is_v2(data):
            self.before_v2 += 1
            fields = MESSAGE_FIELDS_V1
        else:
            fields = MESSAGE_FIELDS
        differs = first_difference(message, data, fields)
        if differs is not None:
            name, row, recorded = differs
            self.problems.add(f"messages id {message['id']}: {name} {row!r} differs from event seq {event.seq} "
                          f"({recorded!r})")
            return
        if self.content_free:
            if message.get("text") is not None:
                self.problems.add(f"messages id {message['id']}: a content-free bundle carries text")
            return
        if is_v2(data):
            text = message.get("text")
            expected = None if text is None or self.commitment is None else commit(
                self.commitment, message_label(int(message["id"])), str(text))
            if expected != data.get("text_hmac"):
                self.problems.add(f"messages id {message['id']}: text differs from what event seq {event.seq} "
                              "recorded (its commitment does not match)")

    def check_text(self, message: Mapping[str, Any]) -> None:
        text = message.get("text")
        if message.get("unreadable"):
            self.problems.add(f"messages id {message.get('id')}: its stored text no longer opens with the author and "
                          "time the row now has (changed in the database)")
        if message.get("guard_action") == "block" and text is not None:
            self.problems.add(f"messages id {message.get('id')}: a blocked message carries text")
        if text is not None and hashlib.sha256(str(text).encode()).hexdigest() != message.get("text_sha256"):
            self.problems.add(f"messages id {message.get('id')}: text does not match its text_sha256 (altered)")

    def check_participants(self, participants: list[Any]) -> None:
        opened = self.facts.opened
        by_person = {str(p.get("person")): p for p in participants if isinstance(p, dict)}
        if opened is None:
            self.problems.add("no 'opened' event")
            return
        invitees = {str(key) for key in _list(opened.data.get("invitees"))}
        if invitees and invitees != set(by_person):
            self.problems.add(f"participants {sorted(set(by_person) ^ invitees)} differ from those invited "
                              f"(event seq {opened.seq})")
        v2 = is_v2(opened.data)
        for person, row in sorted(by_person.items()):
            if v2:
                snapshot = _dict(_dict(opened.data.get("people")).get(person))
                recorded = {"name": snapshot.get("name"), "agency": snapshot.get("agency"),
                            "roles": _list(snapshot.get("roles")), "invited_at": opened.data.get("opened_at")}
                differs = first_difference(row, recorded, [(f, f) for f in ("name", "agency", "roles", "invited_at")])
                if differs is not None:
                    self.problems.add(f"participants {person}: {differs[0]} {differs[1]!r} differs from event seq "
                                  f"{opened.seq} ({differs[2]!r})")
                    continue
            else:
                self.before_v2 += 1
            self._answer(str(person), row)

    def _answer(self, person: str, row: Mapping[str, Any]) -> None:
        answer = self.facts.answers.get(person)
        if answer is None:
            expected: dict[str, Any] = {"position": None, "responded_at": None, "responded_by": None, "late": False}
            fields = list(expected) if self.facts.opened and is_v2(self.facts.opened.data) else ["position"]
            where = "no answer event"
        elif is_v2(answer.data):
            expected = {"position": answer.data.get("position"), "responded_at": answer.data.get("at"),
                        "responded_by": answer.actor, "late": answer.data.get("late"),
                        "responded_by_name": answer.data.get("by_name"),
                        "responded_by_agency": answer.data.get("by_agency")}
            fields = list(expected)
            where = f"event seq {answer.seq}"
        else:
            self.before_v2 += 1
            expected = {"position": answer.data.get("position"), "responded_by": answer.actor}
            fields = list(expected)
            where = f"event seq {answer.seq}"
        differs = first_difference(row, expected, [(f, f) for f in fields])
        if differs is not None:
            self.problems.add(f"participants {person}: {differs[0]} {differs[1]!r} is not what the events record "
                          f"({where}: {differs[2]!r})")

    def check_consultation(self) -> None:
        c, opened = self.consultation, self.facts.opened
        ended = self.facts.ended[-1] if self.facts.ended else None
        expected_state = {"closed": "closed", "cancelled": "cancelled"}.get(ended.type) if ended else "open"
        if c.get("state") != expected_state:
            self.problems.add(f"consultation: state {c.get('state')!r} but the events say {expected_state!r}")
        if opened is None:
            return
        if self.facts.deadline is not None and c.get("deadline_at") != self.facts.deadline:
            self.problems.add(f"consultation: deadline_at {c.get('deadline_at')!r} differs from the events "
                          f"({self.facts.deadline!r})")
        if not is_v2(opened.data):
            self.before_v2 += 1
            return
        opener = _dict(opened.data.get("opener"))
        recorded = {"opened_by": opened.actor, "opened_at": opened.data.get("opened_at"),
                    "scopes": opened.data.get("scopes"), "opened_by_name": opener.get("name"),
                    "opened_by_agency": opener.get("agency"), "kind": opened_kind(opened.data)}
        # A bundle written before kinds existed has none: it held consultations only.
        row = {**c, "kind": c.get("kind", "consultation")}
        differs = first_difference(row, recorded, [(f, f) for f in recorded])
        if differs is not None:
            self.problems.add(f"consultation: {differs[0]} {differs[1]!r} differs from event seq {opened.seq} "
                          f"({differs[2]!r})")
        self._commitment("title", c.get("title"), opened.data.get("title_hmac"), opened.seq)
        if ended is not None and is_v2(ended.data):
            if c.get("closed_at") != ended.data.get("at"):
                self.problems.add(f"consultation: closed_at {c.get('closed_at')!r} differs from event seq {ended.seq} "
                              f"({ended.data.get('at')!r})")
            if ended.type == "closed":
                self._commitment("outcome", c.get("outcome"), ended.data.get("outcome_hmac"), ended.seq)

    def _commitment(self, label: str, text: Any, recorded: Any, seq: int) -> None:
        if self.content_free:  # the text was destroyed with its key: what remains is that there is none
            if text is not None:
                self.problems.add(f"consultation: a content-free bundle carries its {label}")
            return
        expected = None if text is None or self.commitment is None else commit(self.commitment, label, str(text))
        if expected != recorded:
            self.problems.add(f"consultation: {label} differs from what event seq {seq} recorded (its commitment does "
                          "not match)")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
