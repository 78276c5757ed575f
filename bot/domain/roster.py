"""The roster: agencies, people and their roles, as the design's YAML contract describes it.

Validation here is about meaning (unknown agency, unknown role, an alternate who does not exist);
where in the file a problem sits is the loader's job (bot/policy/roster_file.py).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.domain.commands import control_characters

# The security officers (issue #29): `security_officer` answers for what their own agency's people
# send; `national_security_officer` for every agency. They see blocks' metadata, never content.
SECURITY_OFFICER = "security_officer"
NATIONAL_SECURITY_OFFICER = "national_security_officer"
BUILTIN_ROLES = frozenset({"coordinator", "auditor", "admin", SECURITY_OFFICER, NATIONAL_SECURITY_OFFICER})

_KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


def _printable(value: str) -> str:
    """A NUL or a bidirectional override in a name is refused: it would reach every invitation."""
    found = control_characters(value)
    if found:
        raise ValueError(f"control characters in the name: {', '.join(found)}")
    return value


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=_KEY_PATTERN)
    name: Name


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=_KEY_PATTERN)
    name: Name
    agency: str
    roles: tuple[str, ...] = ()
    # SQLite stores at most 2**63 - 1: a larger id passed `roster check` and crashed `roster import`.
    telegram_user_id: int | None = Field(default=None, gt=0, lt=2**63)
    alternate: str | None = None
    language: str | None = Field(default=None, pattern=r"^(vi|en)$")

    def has_role(self, role: str) -> bool:
        return role in self.roles


class Roster(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agencies: tuple[Agency, ...] = ()
    people: tuple[Person, ...] = ()

    def person(self, key: str) -> Person | None:
        return next((p for p in self.people if p.key == key), None)


def roster_problems(roster: Roster, known_roles: frozenset[str]) -> list[tuple[tuple[str | int, ...], str]]:
    """Meaning errors as (location in the document, what is wrong)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    agency_keys: set[str] = set()
    for index, agency in enumerate(roster.agencies):
        if agency.key in agency_keys:
            problems.append((("agencies", index, "key"), f"agency {agency.key!r} is listed twice"))
        agency_keys.add(agency.key)
    person_keys = {p.key for p in roster.people}
    seen_keys: set[str] = set()
    seen_ids: dict[int, str] = {}
    for index, person in enumerate(roster.people):
        where: tuple[str | int, ...] = ("people", index)
        if person.key in seen_keys:
            problems.append(((*where, "key"), f"person {person.key!r} is listed twice"))
        seen_keys.add(person.key)
        if person.agency not in agency_keys:
            problems.append(((*where, "agency"), f"unknown agency {person.agency!r}"))
        for role in person.roles:
            if role not in known_roles:
                problems.append(((*where, "roles"), f"unknown role {role!r}"))
        if person.alternate is not None:
            if person.alternate not in person_keys:
                problems.append(((*where, "alternate"), f"unknown alternate {person.alternate!r}"))
            elif person.alternate == person.key:
                problems.append(((*where, "alternate"), "a person cannot be their own alternate"))
        if person.telegram_user_id is not None:
            other = seen_ids.get(person.telegram_user_id)
            if other is not None:
                problems.append(
                    ((*where, "telegram_user_id"), f"telegram_user_id is already used by {other!r}")
                )
            seen_ids[person.telegram_user_id] = person.key
    return problems
