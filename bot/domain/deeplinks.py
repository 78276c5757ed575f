"""The payloads of `t.me/<bot>?start=<payload>` links, made and read in one place.

Telegram allows up to 64 characters of [A-Za-z0-9_-]. Each kind of link has its own prefix and
a strict shape, so no payload can be taken for another kind: `e_<32 token characters>` enrolls,
`c_<number>` opens the bot for consultation #N. Links printed before the prefixes (a bare
32-character token, `c<number>`) still work: their lengths tell them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

TOKEN_LENGTH = 32  # secrets.token_urlsafe(24)
_ENROLL = re.compile(r"e_(?P<token>[A-Za-z0-9_-]{32})")
_CONSULTATION = re.compile(r"c_?(?P<consultation>[1-9]\d{0,8})")  # also the older `c<number>`
_OLD_ENROLL = re.compile(r"(?P<token>[A-Za-z0-9_-]{32})")


class StartKind(StrEnum):
    NONE = "none"  # a bare /start
    ENROLL = "enroll"
    CONSULTATION = "consultation"
    INVALID = "invalid"


@dataclass(frozen=True)
class StartPayload:
    kind: StartKind
    token: str | None = None
    consultation_id: int | None = None


def enrollment_payload(token: str) -> str:
    if not _OLD_ENROLL.fullmatch(token):
        raise ValueError("an enrollment token is 32 characters of [A-Za-z0-9_-]")
    return f"e_{token}"


def consultation_payload(consultation_id: int) -> str:
    return f"c_{consultation_id}"


def parse_start(payload: str) -> StartPayload:
    """What a /start payload asks for; anything not of a known shape is INVALID."""
    text = payload.strip()
    if not text:
        return StartPayload(StartKind.NONE)
    if match := _ENROLL.fullmatch(text):
        return StartPayload(StartKind.ENROLL, token=match["token"])
    if match := _CONSULTATION.fullmatch(text):
        return StartPayload(StartKind.CONSULTATION, consultation_id=int(match["consultation"]))
    if match := _OLD_ENROLL.fullmatch(text):
        return StartPayload(StartKind.ENROLL, token=match["token"])
    return StartPayload(StartKind.INVALID)
