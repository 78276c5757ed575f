"""The one check every text the bot sends passes before it is queued: it fits, or it goes in parts.

`UnitOfWork` runs each queued call through `fitted`. A message over Telegram's 4,096 UTF-16 units
becomes numbered parts (`(1/3) …`), in order, the buttons on the last; a caption over 1,024 keeps
what fits on the file and the rest follows as messages in the same place; a pop-up answer over 200
is shortened with "…" and said in full in a private message. Nothing is cut silently. Texts that
are rendered when they leave (the status card, block notices) are built to fit by their renderers;
an edit cannot be split, so an edit that does not fit is a bug and fails loudly here.

The part that keeps a call's own de-duplication key is the one whose result matters (the message
carrying the buttons, or the file): the sender records message ids by that key. The other parts get
keys of their own, `part:<n>:<key>`, which the sender records nothing for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.textparts import ALERT_LIMIT, CAPTION_LIMIT, TEXT_LIMIT, fits, with_headers

Call = tuple[str, str, dict[str, Any]]  # (de-duplication key, method, payload)
MEDIA = ("sendDocument", "sendPhoto")
EDITS = {"editMessageText": ("text", TEXT_LIMIT), "editMessageCaption": ("caption", CAPTION_LIMIT)}
# What a follow-up part keeps of the call it continues: where it goes, nothing else.
PLACE = ("chat_id", "$thread", "message_thread_id", "disable_notification")


class TextTooLongError(ValueError):
    """An edit (or another call that cannot be split) carries more text than Telegram takes."""


def part_key(index: int, dedup_key: str) -> str:
    return f"part:{index}:{dedup_key}"


def fitted(dedup_key: str, method: str, payload: Mapping[str, Any]) -> list[Call]:
    """The calls that together send `payload` within Telegram's limits (usually just itself)."""
    params = dict(payload)
    if method == "sendMessage" and isinstance(params.get("text"), str) and not fits(params["text"], TEXT_LIMIT):
        return _message_parts(dedup_key, params)
    if method in MEDIA and isinstance(params.get("caption"), str) and not fits(params["caption"], CAPTION_LIMIT):
        return _caption_parts(dedup_key, method, params)
    if method in EDITS:
        field, limit = EDITS[method]
        if isinstance(params.get(field), str) and not fits(params[field], limit):
            raise TextTooLongError(f"{method} under {dedup_key.split(':')[0]} carries more than {limit} units")
    alert = params.get("text") if method == "answerCallbackQuery" else None
    if isinstance(alert, str) and not fits(alert, ALERT_LIMIT):
        raise TextTooLongError("a pop-up answer over 200 units must go through UnitOfWork.answer_press")
    return [(dedup_key, method, params)]


def _message_parts(dedup_key: str, params: dict[str, Any]) -> list[Call]:
    markup = params.pop("reply_markup", None)
    chunks = with_headers(params.pop("text"), entities=params.pop("entities", None) or ())
    calls: list[Call] = []
    for index, chunk in enumerate(chunks, start=1):
        last = index == len(chunks)
        part = {**params, "text": chunk.text}
        if chunk.entities:
            part["entities"] = list(chunk.entities)
        if last and markup is not None:
            part["reply_markup"] = markup
        calls.append((dedup_key if last else part_key(index, dedup_key), "sendMessage", part))
    return calls


def _caption_parts(dedup_key: str, method: str, params: dict[str, Any]) -> list[Call]:
    chunks = with_headers(params.pop("caption"), first_limit=CAPTION_LIMIT,
                          entities=params.pop("caption_entities", None) or ())
    first = {**params, "caption": chunks[0].text}
    if chunks[0].entities:
        first["caption_entities"] = list(chunks[0].entities)
    calls: list[Call] = [(dedup_key, method, first)]
    place = {key: params[key] for key in PLACE if key in params}
    for index, chunk in enumerate(chunks[1:], start=2):
        part: dict[str, Any] = {**place, "text": chunk.text}
        if chunk.entities:
            part["entities"] = list(chunk.entities)
        calls.append((part_key(index, dedup_key), "sendMessage", part))
    return calls
