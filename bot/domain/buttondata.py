"""One declaration per kind of button data: its prefix and fields, from which both the packer the
keyboards use and the strict parser the use cases use are made, and the pattern the handler table
routes on. Nothing else writes or reads callback data, so the two can never drift apart.

Callback data is untrusted: a parser matches the whole string against bounded fields (digits with
no leading zero and a maximum length, actions from a closed list), and returns None for anything
else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Press = TypeVar("Press")
MAX_BYTES = 64  # Telegram's limit on callback data


@dataclass(frozen=True)
class Field:
    name: str
    pattern: str
    decode: Callable[[str], Any]
    encode: Callable[[Any], str]


def number(name: str, digits: int) -> Field:
    """A positive integer of at most `digits` digits (ids: no sign, no leading zero)."""
    return Field(name, rf"[1-9]\d{{0,{digits - 1}}}", int, str)


def choice(name: str, codes: Mapping[str, Any]) -> Field:
    """One of a closed list, written as its code (`{"r": "report"}` writes «report» as `r`)."""
    back = {value: code for code, value in codes.items()}

    def encode(value: Any) -> str:
        if value not in back:
            raise ValueError(f"{name}: no {value!r} among {sorted(map(str, back))}")
        return back[value]

    return Field(name, "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True)),
                 codes.__getitem__, encode)


def word(name: str, pattern: str) -> Field:
    return Field(name, pattern, str, str)


@dataclass(frozen=True)
class ButtonKind(Generic[Press]):
    """`prefix:field:field[:optional]`, made into `make(**fields)` when it parses; `valid` refuses
    combinations the fields alone allow."""

    prefix: str
    fields: tuple[Field, ...]
    make: Callable[..., Press]
    optional: Field | None = None
    valid: Callable[[Press], bool] = lambda press: True
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        body = ":".join(f"(?P<{f.name}>{f.pattern})" for f in self.fields)
        tail = f"(?::(?P<{self.optional.name}>{self.optional.pattern}))?" if self.optional else ""
        object.__setattr__(self, "_regex", re.compile(f"{re.escape(self.prefix)}:{body}{tail}"))

    @property
    def route(self) -> str:
        """What the handler table matches to send a press of this kind to its handler."""
        return f"^{re.escape(self.prefix)}:"

    def pack(self, *values: Any) -> str:
        count = len(self.fields)
        if not count <= len(values) <= count + (1 if self.optional else 0):
            raise ValueError(f"{self.prefix}: {count} values expected, not {len(values)}")
        parts = [f.encode(v) for f, v in zip(self.fields, values, strict=False)]
        if len(values) > count and values[count] is not None:
            assert self.optional is not None
            parts.append(self.optional.encode(values[count]))
        data = ":".join([self.prefix, *parts])
        if self.parse(data) is None or len(data.encode()) > MAX_BYTES:
            raise ValueError(f"{self.prefix}: {values!r} makes no valid button data")
        return data

    def parse(self, data: str | None) -> Press | None:
        match = self._regex.fullmatch(data or "")
        if not match:
            return None
        values = {f.name: f.decode(match[f.name]) for f in self.fields}
        if self.optional is not None:
            raw = match[self.optional.name]
            values[self.optional.name] = None if raw is None else self.optional.decode(raw)
        press = self.make(**values)
        return press if self.valid(press) else None
