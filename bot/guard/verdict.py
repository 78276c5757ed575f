"""What the guard decides, in the shape the `consult guard scan` contract prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class GuardAction(StrEnum):
    ALLOW = "allow"
    REDACT = "redact"
    BLOCK = "block"


class Level(StrEnum):
    MAT = "mat"
    TOI_MAT = "toi_mat"
    TUYET_MAT = "tuyet_mat"

    @property
    def rank(self) -> int:
        return {"mat": 1, "toi_mat": 2, "tuyet_mat": 3}[self.value]


def highest(levels: list[Level]) -> Level | None:
    return max(levels, key=lambda lv: lv.rank) if levels else None


@dataclass(frozen=True)
class Finding:
    rule: str
    start: int  # offsets into the original text, so a redaction cuts the right characters
    end: int
    level: Level | None
    action: GuardAction = GuardAction.BLOCK  # what this finding alone would do: block, or redact its span

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Verdict:
    action: GuardAction
    level: Level | None
    text: str | None  # what may be stored and relayed: the original, the redacted text, or None
    findings: tuple[Finding, ...] = ()
    rule: str | None = None  # the rule that decided the action
    policy_hash: str = ""
    reason: str | None = None  # for files refused unread: what the sender can do about it
    reason_key: str | None = None  # the same, as a message catalogue key (rendered in the sender's language)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_contract_json(self, item_id: Any = None) -> dict[str, Any]:
        return {
            "id": item_id,
            "action": self.action.value,
            "level": None if self.level is None else self.level.value,
            "text": self.text,
            "findings": [f.as_json() for f in self.findings],
            "rule": self.rule,
            "policy_hash": self.policy_hash,
            **({"reason": self.reason} if self.reason else {}),
        }
