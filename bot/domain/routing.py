"""Which roles a consultation's scope calls in, and so which people are invited."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.roster import BUILTIN_ROLES, Name, Person
from bot.errors import ScopeError, UnknownScopeError

_SCOPE_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
_AGENCY_KEY = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


class ScopeRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name_vi: str
    name_en: str
    roles: tuple[str, ...] = Field(min_length=1)


class RoleNames(BaseModel):
    """A focal-point role as people read it, in each language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name_vi: str
    name_en: str


class AgencyNames(BaseModel):
    """How an agency of the roster is written short, as ministries write it («BNG», «BVHTTDL»,
    «Ban Thư ký ASEAN»): declared here, once, because initials worked out from the full name read
    as nothing a ministry writes («PĐTTVNTA», issue 26 item 7). Without one the full name is used."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    short: Annotated[Name, Field(max_length=40)]

    @field_validator("short")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        if value != value.strip() or "\n" in value:
            raise ValueError("a short name is one line without surrounding spaces")
        return value


class RoutingPolicy(BaseModel):
    """`policies/routing.yaml`: focal-point roles and what each scope invites."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # role key -> its names ({name_vi, name_en}), or one name used in both languages
    roles: dict[str, RoleNames | str]
    scopes: dict[str, ScopeRule]
    # agency key (as in the roster) -> its short name; optional, agency by agency
    agencies: dict[str, AgencyNames] = Field(default_factory=dict)

    def agency_short(self, agency_key: str) -> str | None:
        """The agency's declared short name; None when the policy declares none."""
        names = self.agencies.get(agency_key)
        return names.short if names is not None else None

    def short_names(self, agencies: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Full name -> how to write it short, for (key, full name) pairs: the declared short
        name, else the full name itself — never initials made up from it."""
        return {name: self.agency_short(key) or name for key, name in agencies}

    def role_name(self, role: str, language: str) -> str | None:
        """A focal-point role's name in `language`; None for a role this policy does not name."""
        names = self.roles.get(role)
        if names is None:
            return None
        if isinstance(names, str):
            return names
        return names.name_vi if language == "vi" else names.name_en

    @field_validator("agencies")
    @classmethod
    def _agency_keys(cls, agencies: dict[str, AgencyNames]) -> dict[str, AgencyNames]:
        for key in agencies:
            if not _AGENCY_KEY.fullmatch(key):
                raise ValueError(f"agency key {key!r} must be a roster agency key (lower-case letters, digits, -_.)")
        return agencies

    @field_validator("scopes")
    @classmethod
    def _scope_keys(cls, scopes: dict[str, ScopeRule]) -> dict[str, ScopeRule]:
        for key in scopes:
            if not _SCOPE_KEY.fullmatch(key):
                raise ValueError(f"scope key {key!r} must be lower-case letters, digits or _")
        return scopes

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        found: list[tuple[tuple[str | int, ...], str]] = []
        for scope_key, rule in self.scopes.items():
            for index, role in enumerate(rule.roles):
                if role not in self.roles:
                    found.append((("scopes", scope_key, "roles", index), f"unknown role {role!r}"))
        shorts: dict[str, str] = {}
        for key, names in self.agencies.items():
            if names.short in shorts:
                found.append((("agencies", key, "short"),
                              f"short name {names.short!r} is already {shorts[names.short]!r}'s"))
            shorts.setdefault(names.short, key)
        for role in self.roles:
            if role in BUILTIN_ROLES:
                found.append((("roles", role), f"{role!r} is a built-in role and cannot be a focal-point role"))
        return found

    @property
    def known_roles(self) -> frozenset[str]:
        return frozenset(self.roles) | BUILTIN_ROLES

    def parse_scopes(self, expression: str) -> tuple[str, ...]:
        """`aec+apsc` -> ('aec', 'apsc'); unknown or repeated scopes are a usage error."""
        typed = [part.strip() for part in expression.split("+")]
        parts = [part.lower() for part in typed]
        if not expression.strip() or any(not part for part in parts):
            raise ScopeError(f"no scope given; choose from {', '.join(self.scopes)}", known=list(self.scopes))
        unknown = [shown for shown, part in zip(typed, parts, strict=True) if part not in self.scopes]
        if unknown:
            raise UnknownScopeError(
                f"unknown scope {unknown[0]!r}; choose from {', '.join(self.scopes)}",
                scope=unknown[0],  # as typed: the answer repeats it
                known=list(self.scopes),
            )
        return tuple(dict.fromkeys(parts))

    def roles_for(self, scopes: Iterable[str]) -> tuple[str, ...]:
        ordered: dict[str, None] = {}
        for scope in scopes:
            for role in self.scopes[scope].roles:
                ordered.setdefault(role, None)
        return tuple(ordered)


def resolve_invitees(policy: RoutingPolicy, scopes: Iterable[str], people: Iterable[Person]) -> list[Person]:
    """Everyone holding an invited role, once each, in roster order. Alternates are not invited
    for being someone's alternate — only for holding an invited role themselves."""
    wanted = set(policy.roles_for(scopes))
    return [person for person in people if wanted.intersection(person.roles)]
