"""What an event says about the rows an auditor reads, and how a transcript row is held against it.

Version 2 of the chain (`"v": 2` in an event's data) records every fact a transcript shows: a
message's author (key, name and agency as they were), time, kind, source, guard action and level,
the keyed hash of what was sent and a commitment to the text as stored; who answered for whom,
when, with what; the consultation's opener, times, scopes and a commitment to its title and
outcome. A row that says anything else than its event was changed after the fact.

Texts are committed with an HMAC under a key derived from the consultation's data key (see
`bot.store.crypto.commitment_key`): the event log holds nothing a dictionary attack could read,
retention's shredding makes the commitments as opaque as the ciphertexts, and a transcript, which
shows the texts anyway, publishes the key so that anyone can check them. Events written before
version 2 carry less; their rows are reported as "written before v2", not as altered.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

FACTS_VERSION = 2
MESSAGE_EVENTS = ("commented", "summarised")
ANSWER_EVENT = "answered"
END_EVENTS = ("closed", "cancelled")

# (transcript field, event data field) pairs compared for a message of version 2.
MESSAGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("from", "from"), ("from_name", "from_name"), ("from_agency", "from_agency"), ("at", "at"),
    ("kind", "kind"), ("source", "source"), ("guard_action", "guard"), ("guard_level", "level"),
    ("content_hmac", "content_hmac"),
)
# Before version 2 a message's event held only these.
MESSAGE_FIELDS_V1: tuple[tuple[str, str], ...] = (("guard_action", "guard"), ("content_hmac", "content_hmac"))


def commit(key: bytes, label: str, text: str) -> str:
    """The commitment to one stored text; `label` says which (title, outcome, message/N)."""
    return hmac.new(key, label.encode() + b"\x00" + text.encode("utf-8"), hashlib.sha256).hexdigest()


def message_label(message_id: int) -> str:
    return f"message/{message_id}"


def is_v2(data: Mapping[str, Any]) -> bool:
    return data.get("v") == FACTS_VERSION


def person_facts(name: str | None, agency: str | None) -> dict[str, Any]:
    return {"name": name, "agency": agency}


def message_event_data(
    *, message_id: int, author: str | None, author_name: str | None, author_agency: str | None, at: str,
    kind: str, source: str, guard: str, level: str | None, content_hmac: str | None, text_hmac: str | None,
) -> dict[str, Any]:
    return {
        "v": FACTS_VERSION, "message_id": message_id, "from": author, "from_name": author_name,
        "from_agency": author_agency, "at": at, "kind": kind, "source": source, "guard": guard, "level": level,
        "content_hmac": content_hmac, "text_hmac": text_hmac,
    }


def answer_event_data(*, principal: str, position: str, late: bool, at: str, by_name: str,
                      by_agency: str) -> dict[str, Any]:
    """`for` is whom the answer counts for; the event's actor is who pressed (an alternate may)."""
    return {"v": FACTS_VERSION, "for": principal, "position": position, "late": late, "at": at,
            "by_name": by_name, "by_agency": by_agency}


def opened_event_data(
    *, scopes: Sequence[str], deadline_at: str, opened_at: str, invitees: Sequence[str], title_hmac: str,
    opener: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]], kind: str = "consultation",
) -> dict[str, Any]:
    """`people`: each invitee's name, agency and roles as they were when invited. `kind` (a
    consultation or a notice) is recorded so that a transcript cannot pass one off as the other;
    events written before it was recorded were all consultations (`opened_kind`)."""
    return {"v": FACTS_VERSION, "kind": kind, "scopes": list(scopes), "deadline_at": deadline_at,
            "opened_at": opened_at, "invitees": list(invitees), "title_hmac": title_hmac, "opener": dict(opener),
            "people": {key: dict(value) for key, value in people.items()}}


def opened_kind(data: Mapping[str, Any]) -> Any:
    """The kind an opening event recorded; one written before kinds existed opened a consultation."""
    return data.get("kind", "consultation")


def ended_event_data(*, at: str, outcome_hmac: str | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"v": FACTS_VERSION, "at": at, **extra}
    if outcome_hmac is not None:
        data["outcome_hmac"] = outcome_hmac
    return data


def first_difference(row: Mapping[str, Any], data: Mapping[str, Any],
                     fields: Sequence[tuple[str, str]]) -> tuple[str, Any, Any] | None:
    """(transcript field, its value, the event's value) of the first field that differs."""
    for row_field, event_field in fields:
        if row.get(row_field) != data.get(event_field):
            return row_field, row.get(row_field), data.get(event_field)
    return None
