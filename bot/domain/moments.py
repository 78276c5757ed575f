"""The moments a message names, as Telegram `date_time` entities (Bot API 9.5).

Every time the bot writes — a deadline, an absence's end, when a consultation closed — is written
by one function (`bot.services.presentation.formatting.local_time`) in one shape, «HH:MM dd/mm/YYYY» (with
seconds only in drills), in the deployment's zone. A `date_time` entity over that text lets each
reader's client show the same moment on their own clock: the Permanent Mission in Jakarta reads
Jakarta's time, not Hanoi's. The text itself stays a correct local time for clients that do not
render the entity.

The entities are found in the finished text, after it is rendered and split, because that is the
only place where their UTF-16 offsets are known; what is found is exactly the shape the bot itself
writes, and texts that carry someone else's words (relayed comments) are never annotated.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.textparts import length as utf16_len

# The shape local_time writes: 17:05 05/12/2026, or 17:05:09 05/12/2026 in drills.
WRITTEN_MOMENT = re.compile(r"(?<![\d:/])([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))? (\d\d)/(\d\d)/(\d{4})(?![\d/])")
# Short time and short date, in the reader's locale and zone ("w?[dD]?[tT]?" or "r" in the Bot API).
FORMAT = "dt"
# Telegram accepts moments up to 1098 days ahead; a later one is left as plain text.
MAX_AHEAD_SECONDS = 1098 * 86400


def date_time_entities(text: str, zone: str, now: datetime) -> list[dict[str, Any]]:
    """A `date_time` entity for every moment written in `text` the way the bot writes them."""
    entities: list[dict[str, Any]] = []
    tz = ZoneInfo(zone)
    for match in WRITTEN_MOMENT.finditer(text):
        hour, minute, second, day, month, year = match.groups()
        try:
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=tz)
        except ValueError:  # 31/02: not a moment the bot wrote
            continue
        unix = int(moment.timestamp())
        if unix < 0 or unix > now.timestamp() + MAX_AHEAD_SECONDS:
            continue
        entities.append({"type": "date_time", "offset": utf16_len(text[: match.start()]),
                         "length": utf16_len(match.group(0)), "unix_time": unix, "date_time_format": FORMAT})
    return entities


def merged(existing: list[dict[str, Any]] | None, added: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`existing` entities with `added` ones that overlap none of them (Telegram refuses entities
    that partly overlap), ordered by offset as Telegram returns them."""
    kept = list(existing or [])
    for entity in added:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if all(end <= e["offset"] or start >= e["offset"] + e["length"] for e in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: (e["offset"], -e["length"]))
