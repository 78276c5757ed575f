"""Which roles a consultation's scope calls in, and so which people are invited."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.roster import BUILTIN_ROLES, Person
from bot.errors import ScopeError, UnknownScopeError

_SCOPE_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")


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


class RoutingPolicy(BaseModel):
    """`policies/routing.yaml`: focal-point roles and what each scope invites."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # role key -> its names ({name_vi, name_en}), or one name used in both languages
    roles: dict[str, RoleNames | str]
    scopes: dict[str, ScopeRule]

    def role_name(self, role: str, language: str) -> str | None:
        """A focal-point role's name in `language`; None for a role this policy does not name."""
        names = self.roles.get(role)
        if names is None:
            return None
        if isinstance(names, str):
            return names
        return names.name_vi if language == "vi" else names.name_en

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
