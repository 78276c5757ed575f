"""The one check every text the bot sends passes before it is queued: it fits, or it goes in parts.

`UnitOfWork` runs each queued call through `fitted`. A message over Telegram's 4,096 UTF-16 units
becomes numbered parts (`(1/3) …`), in order, the buttons on the last; a caption over 1,024 keeps
what fits on the file and the rest follows as messages in the same place; a pop-up answer over 200
is shortened with "…" and said in full in a private message. Nothing is cut silently. Texts that
are rendered when they leave (the status card, block notices) are built to fit by their renderers;
an edit cannot be split, so an edit that does not fit is a bug and fails loudly here.

The part that keeps the message's own kind and key is the one whose result matters (the message
carrying the buttons, or the file): its delivery is what the delivery service acts on. The other
parts are of kind `PART`, keyed `part:<n>:<key>`, and their delivery means nothing more; they go
where the message goes (same chat, same consultation, same dependency).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain.outbox import MessageKind, Outgoing
from bot.domain.textparts import ALERT_LIMIT, CAPTION_LIMIT, TEXT_LIMIT, fits, with_headers

MEDIA = ("sendDocument", "sendPhoto")
EDITS = {"editMessageText": ("text", TEXT_LIMIT), "editMessageCaption": ("caption", CAPTION_LIMIT)}
# What a follow-up part keeps of the call it continues: where it goes, nothing else.
PLACE = ("chat_id", "message_thread_id", "disable_notification")


class TextTooLongError(ValueError):
    """An edit (or another call that cannot be split) carries more text than Telegram takes."""


def part(message: Outgoing, index: int, payload: dict[str, Any]) -> Outgoing:
    """The `index`th leading part of `message`: a plain message, where it goes."""
    return replace(message, kind=MessageKind.PART, ident=(index, message.dedup_key), method="sendMessage",
                   payload=payload, upload=None, render=None)


def fitted(message: Outgoing) -> list[Outgoing]:
    """The messages that together send `message` within Telegram's limits (usually just itself)."""
    method, params = message.method, dict(message.payload)
    if method == "sendMessage" and isinstance(params.get("text"), str) and not fits(params["text"], TEXT_LIMIT):
        return _message_parts(message, params)
    if method in MEDIA and isinstance(params.get("caption"), str) and not fits(params["caption"], CAPTION_LIMIT):
        return _caption_parts(message, params)
    if method in EDITS:
        field, limit = EDITS[method]
        if isinstance(params.get(field), str) and not fits(params[field], limit):
            raise TextTooLongError(f"{method} of kind {message.kind.value} carries more than {limit} units")
    alert = params.get("text") if method == "answerCallbackQuery" else None
    if isinstance(alert, str) and not fits(alert, ALERT_LIMIT):
        raise TextTooLongError("a pop-up answer over 200 units must go through UnitOfWork.answer_press")
    return [replace(message, payload=params)]


def _message_parts(message: Outgoing, params: dict[str, Any]) -> list[Outgoing]:
    markup = params.pop("reply_markup", None)
    chunks = with_headers(params.pop("text"), entities=params.pop("entities", None) or ())
    calls: list[Outgoing] = []
    for index, chunk in enumerate(chunks, start=1):
        last = index == len(chunks)
        payload = {**params, "text": chunk.text}
        if chunk.entities:
            payload["entities"] = list(chunk.entities)
        if last and markup is not None:
            payload["reply_markup"] = markup
        calls.append(replace(message, payload=payload) if last else part(message, index, payload))
    return calls


def _caption_parts(message: Outgoing, params: dict[str, Any]) -> list[Outgoing]:
    chunks = with_headers(params.pop("caption"), first_limit=CAPTION_LIMIT,
                          entities=params.pop("caption_entities", None) or ())
    first = {**params, "caption": chunks[0].text}
    if chunks[0].entities:
        first["caption_entities"] = list(chunks[0].entities)
    calls: list[Outgoing] = [replace(message, payload=first)]
    place = {key: params[key] for key in PLACE if key in params}
    for index, chunk in enumerate(chunks[1:], start=2):
        payload: dict[str, Any] = {**place, "text": chunk.text}
        if chunk.entities:
            payload["entities"] = list(chunk.entities)
        calls.append(part(message, index, payload))
    return calls
