"""Which language to speak to a person in: one rule, used wherever a text is written for someone.

The person's own choice (from `/lang`, or the roster) wins; without one, the caller's default —
the deployment's language, or for an update from someone not yet known what their Telegram
client says. A text for a place rather than a person (a topic, the group) uses the deployment's.
"""

from __future__ import annotations

from bot.domain.roster import Person


def language_for(person: Person | None, default: str) -> str:
    return person.language if person is not None and person.language else default
