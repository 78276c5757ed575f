"""Telegram's checks that a bot meets in practice: text length, entity markup, button data."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.sandbox.params import bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
              "pre", "blockquote", "tg-emoji"}
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>|<")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def units(text: str) -> int:
    """Telegram's length of a text: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def visible(text: str, parse_mode: Any) -> str:
    """What the reader sees of a text, which is what Telegram counts: markup removed."""
    if parse_mode == "HTML":
        return html.unescape(_TAG.sub("", text))
    if parse_mode == "MarkdownV2":
        return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)[*_~|`]", "", text))
    return text


def check_text(text: Any, *, caption: bool = False, parse_mode: Any = None) -> str:
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    if units(visible(text, parse_mode)) > (MAX_CAPTION if caption else MAX_TEXT):
        raise bad_request("message caption is too long" if caption else "message is too long")
    return text


def check_parse_mode(text: str, parse_mode: Any) -> None:
    if parse_mode in (None, ""):
        return
    if parse_mode == "HTML":
        _check_html(text)
    elif parse_mode == "MarkdownV2":
        _check_markdown_v2(text)
    elif parse_mode == "Markdown":
        for marker in ("*", "_", "`"):
            if text.count(marker) % 2:
                raise bad_request(f"can't parse entities: Can't find end of the entity starting at byte offset "
                                  f"{len(text[: text.rfind(marker)].encode())}")
    else:
        raise bad_request("unsupported parse_mode")


def _check_html(text: str) -> None:
    stack: list[str] = []
    for match in _TAG.finditer(text):
        offset = len(text[: match.start()].encode())
        if match.group(0) == "<":
            raise bad_request(f"can't parse entities: Unexpected end of name token at byte offset {offset}")
        closing, name = match.group(1), match.group(2).lower()
        if name not in _HTML_TAGS:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}')
        if closing:
            if not stack or stack[-1] != name:
                raise bad_request(f'can\'t parse entities: Unexpected end tag at byte offset {offset}')
            stack.pop()
        else:
            stack.append(name)
    if stack:
        raise bad_request(f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1]}"')


def _check_markdown_v2(text: str) -> None:
    escaped = False
    for char in text:
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
            continue
        if char in _MDV2_RESERVED and char not in "*_~`|[]()":
            raise bad_request(f"can't parse entities: Character '{char}' is reserved and must be escaped with the "
                              f"preceding '\\'")


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    if markup in (None, ""):
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # other keyboard kinds are passed through untouched
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not (1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA):
                raise bad_request("BUTTON_DATA_INVALID")
            if data is None and not any(k in button for k in ("url", "switch_inline_query", "login_url",
                                                                   "switch_inline_query_current_chat", "pay",
                                                                   "copy_text", "web_app", "callback_game")):
                raise bad_request("BUTTON_TYPE_INVALID")
    return markup


def inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a Message carries: only an inline keyboard. A reply keyboard or force_reply shapes the
    recipient's client but is not part of the message Telegram returns."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def command_entities(text: str) -> list[dict[str, Any]] | None:
    """Telegram marks a leading /command as a bot_command entity; python-telegram-bot relies on it."""
    if not text.startswith("/"):
        return None
    word = text.split(maxsplit=1)[0]
    if not re.fullmatch(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,64})?", word):
        return None
    return [{"type": "bot_command", "offset": 0, "length": len(word)}]
