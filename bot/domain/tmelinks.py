"""Links that take a reader from one place to the other (issue 26, item 5): from a private
message to the consultation's topic in the group, and from the topic back to the bot.

Telegram's own forms: a supergroup's topic is `https://t.me/c/<internal id>/<thread id>`, where
the internal id is the chat id without its `-100` prefix (only members can open it, so it shows
nothing to anyone else); the bot is `https://t.me/<username>`. A chat that is not a supergroup
has no such link, and neither has a bot whose username is unknown: then there is no link at all
rather than a broken one.
"""

from __future__ import annotations

import re

SUPERGROUP_PREFIX = "-100"
# Telegram usernames: 5-32 characters, a letter first, then letters, digits and underscores.
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


def internal_chat_id(chat_id: int) -> int | None:
    """The supergroup's id as t.me/c/ links write it; None for any other chat."""
    text = str(chat_id)
    if not text.startswith(SUPERGROUP_PREFIX) or len(text) == len(SUPERGROUP_PREFIX):
        return None
    rest = text[len(SUPERGROUP_PREFIX):]
    return int(rest) if rest.isdigit() and not rest.startswith("0") else None


def topic_link(chat_id: int | None, thread_id: int | None) -> str | None:
    """`https://t.me/c/<internal id>/<thread id>`, or None when the topic is not known (yet)."""
    if chat_id is None or thread_id is None or thread_id <= 0:
        return None
    internal = internal_chat_id(chat_id)
    return None if internal is None else f"https://t.me/c/{internal}/{thread_id}"


def bot_link(username: str | None) -> str | None:
    """`https://t.me/<username>`, or None when the bot's username is unknown or not one."""
    name = (username or "").lstrip("@")
    return f"https://t.me/{name}" if _USERNAME.fullmatch(name) else None
