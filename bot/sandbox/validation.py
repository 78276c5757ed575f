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
BUTTON_STYLES = {"success", "danger", "primary"}  # Bot API 9.4
ENTITY_TYPES = {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic",
                "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre",
                "text_link", "text_mention", "custom_emoji", "date_time"}
# date_time's format: "r" (relative), or day of week, date and time, each optional, in this order.
DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
MAX_AHEAD_SECONDS = 1098 * 86400


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


def check_reply_markup(markup: Any, allow_disabled: bool = True) -> dict[str, Any] | None:
    """Telegram's checks on a keyboard; `allow_disabled` False plays a server older than Bot API
    10.3, to which a disabled button is a button of no type."""
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
            style = button.get("style")
            if style is not None and style not in BUTTON_STYLES:
                raise bad_request("BUTTON_STYLE_INVALID")
            if "disabled" in button and not allow_disabled:
                raise bad_request("BUTTON_TYPE_INVALID")
            if "disabled" in button and not isinstance(button["disabled"], dict):
                raise bad_request("can't parse DisabledButton JSON object")
            data = button.get("callback_data")
            if data is not None and not (1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA):
                raise bad_request("BUTTON_DATA_INVALID")
            if data is None and not any(k in button for k in ("url", "switch_inline_query", "login_url",
                                                                   "switch_inline_query_current_chat", "pay",
                                                                   "copy_text", "web_app", "callback_game",
                                                                   "disabled")):
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


def check_entities(text: str, entities: Any, now: float) -> list[dict[str, Any]] | None:
    """Telegram's checks on a list of entities: known types, UTF-16 offsets within the text, and
    for `date_time` (Bot API 9.5) a Unix time within 1098 days and a valid format."""
    if entities in (None, "", []):
        return None
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad_request("can't parse entities JSON object")
    size = units(text)
    for entity in entities:
        kind, offset, length = entity.get("type"), entity.get("offset"), entity.get("length")
        if kind not in ENTITY_TYPES:
            raise bad_request(f"can't parse entities: unsupported entity type {kind!r}")
        if not isinstance(offset, int) or not isinstance(length, int) or isinstance(offset, bool) \
                or offset < 0 or length <= 0 or offset + length > size:
            raise bad_request("can't parse entities: entity beyond the end of the text")
        if kind == "date_time":
            unix = entity.get("unix_time")
            if not isinstance(unix, int) or isinstance(unix, bool) or not 0 <= unix <= now + MAX_AHEAD_SECONDS:
                raise bad_request("can't parse entities: invalid date_time unix_time")
            form = entity.get("date_time_format", "")
            if not isinstance(form, str) or not DATE_TIME_FORMAT.fullmatch(form):
                raise bad_request("can't parse entities: invalid date_time_format")
    return [dict(e) for e in entities]


def check_protect(value: Any) -> bool:
    if value in (None, False, True):
        return bool(value)
    raise bad_request("invalid protect_content specified")
