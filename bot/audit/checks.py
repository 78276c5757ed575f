"""What a verification reports: one line per check, OK or FAIL, with the details an auditor acts on."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LISTED = 10


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name}" + (f": {self.detail}" if self.detail else "")


@dataclass
class Problems:
    """Problems of one check: the first few in full, then a count."""

    found: list[str] = field(default_factory=list)
    more: int = 0

    def add(self, problem: str) -> None:
        if len(self.found) < MAX_LISTED:
            self.found.append(problem)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.found)

    def text(self) -> str:
        listed = "; ".join(f"transcript.json: {p}" for p in self.found)
        return listed + (f"; and {self.more} more" if self.more else "")
