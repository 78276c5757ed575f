"""How a rostered person is introduced where people are picked from a list (the sandbox page's
«Bạn là» picker): their roles and their agency as people read them, not only a name.

Kept apart from the sandbox, which knows no roster, and from the commands that seed it, so both
`consult run --sandbox` and the demo can say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.roster import Roster
from bot.domain.routing import RoutingPolicy
from bot.i18n import t
from bot.services.presentation.texts import role_names


@dataclass(frozen=True)
class PersonLabel:
    role: str | None
    agency: str | None


def person_labels(roster: Roster, routing: RoutingPolicy, language: str = "vi") -> dict[str, PersonLabel]:
    """person key -> their label; a person with no role who stands in for someone is named as
    that person's alternate («Người thay cho Đỗ Minh Khang»), which is what they are there for."""
    agencies = {a.key: a.name for a in roster.agencies}
    stands_in_for = {p.alternate: p.name for p in roster.people if p.alternate}
    labels: dict[str, PersonLabel] = {}
    for person in roster.people:
        role = role_names(routing, person.roles, language) or None
        if role is None and person.key in stands_in_for:
            role = t(language, "picker.alternate_for", name=stands_in_for[person.key])
        labels[person.key] = PersonLabel(role, agencies.get(person.agency))
    return labels
