"""Canonical JSON (RFC 8785), fast.

`rfc8785.dumps` is written in Python and costs ~27 µs for an event; the standard library's C
encoder with sorted keys and no spaces gives the very same bytes (~6 µs) for everything this
project writes: integers within ±2^53, strings of the Basic Multilingual Plane as keys, no floats.
RFC 8785 and `json.dumps(ensure_ascii=False)` escape strings alike (`\\" \\\\ \\b \\f \\n \\r \\t`,
other controls as lower-case `\\u00xx`, nothing else). Where the output shows anything else — a
number with a fraction or exponent or of 16 digits or more, a character outside the BMP (whose
UTF-16 order may differ from code-point order), a lone surrogate — `rfc8785` decides. The pattern
may also match inside a string: that costs only the slow path. `tests/unit/audit/test_canonical.py`
holds the two to the same output.
"""

from __future__ import annotations

import json
import re
from typing import Any

import rfc8785

_SLOW = re.compile(r"(?:^|[:,\[])-?\d+(?:[.eE]|\d{15})|[\ud800-\udfff\U00010000-\U0010ffff]")
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode


def canonical_text(value: Any) -> str:
    text = _encode(value)
    if _SLOW.search(text) is None:
        return text
    return rfc8785.dumps(value).decode("utf-8")


def canonical(value: Any) -> bytes:
    return canonical_text(value).encode("utf-8")
