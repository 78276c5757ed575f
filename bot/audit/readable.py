"""What the readable copies are made from: the signed transcript.json itself, read as a stream.

One pass keeps what is small (the consultation, participants, people, the events that are not
messages, for the timeline) and notes where the two long arrays start; the renderers then walk
messages and events from there, one at a time, so a copy of any size costs flat memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.audit.jsonstream import CanonicalReader
from bot.domain.facts import MESSAGE_EVENTS


@dataclass
class Readable:
    path: Path
    consultation: dict[str, Any] = field(default_factory=dict)
    participants: list[dict[str, Any]] = field(default_factory=list)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    timezone: str = "Asia/Ho_Chi_Minh"
    exported_at: str | None = None
    exported_by: str | None = None
    other_events: list[dict[str, Any]] = field(default_factory=list)  # every event that is not a message's
    event_count: int = 0
    message_count: int = 0
    events_at: int | None = None
    messages_at: int | None = None
    # How the deployment names each scope, in the copy's language (from its routing policy; the
    # signed document keeps the keys): «Kinh tế (aec)», not «aec».
    scope_names: dict[str, str] = field(default_factory=dict)

    def scopes(self, keys: Any) -> str:
        return ", ".join(f"{self.scope_names[k]} ({k})" if k in self.scope_names else str(k) for k in keys or [])

    def messages(self) -> Iterator[dict[str, Any]]:
        yield from _walk(self.path, self.messages_at)

    def events(self) -> Iterator[dict[str, Any]]:
        yield from _walk(self.path, self.events_at)


def _walk(path: Path, start: int | None) -> Iterator[dict[str, Any]]:
    if start is None:
        return
    with CanonicalReader(path, start=start) as reader:
        for item in reader.items():
            if isinstance(item, dict):
                yield item


def load(path: Path) -> Readable:
    readable = Readable(path)
    with CanonicalReader(path) as reader:
        for key in reader.members():
            if key == "events":
                readable.events_at = reader.offset()
                for event in reader.items():
                    readable.event_count += 1
                    if isinstance(event, dict) and event.get("type") not in MESSAGE_EVENTS:
                        readable.other_events.append(event)
            elif key == "messages":
                readable.messages_at = reader.offset()
                for _ in reader.items():
                    readable.message_count += 1
            else:
                value = reader.value()
                if key == "consultation" and isinstance(value, dict):
                    readable.consultation = value
                elif key == "participants" and isinstance(value, list):
                    readable.participants = [p for p in value if isinstance(p, dict)]
                elif key == "people" and isinstance(value, dict):
                    readable.people = value
                elif key == "timezone" and isinstance(value, str):
                    readable.timezone = value
                elif key == "exported_at":
                    readable.exported_at = value
                elif key == "exported_by":
                    readable.exported_by = value
    return readable
