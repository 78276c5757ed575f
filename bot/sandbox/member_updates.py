"""`POST /sandbox/updates`: any message a member's client can cause, with its effect on the chat.

A red team tries what a normal client allows: naming or renaming a topic, changing the group's
title or photo, adding members, forwarding from a channel, replying to another chat, posting as a
channel, polls and checklists, a via_bot keyboard. The caller writes the Message fields as Telegram
would send them; the sandbox fills what Telegram fills (message_id, date, chat, from, the thread),
turns `{"content_b64": ...}` placeholders into stored files (photos as PhotoSize lists, a document
with its thumbnail), applies the message's effect on the chat, and delivers it as an update.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from bot.sandbox.methods import BotApi
from bot.sandbox.params import BotApiError
from bot.sandbox.state import Chat, SandboxState, Topic
from bot.sandbox.validation import units

# What Telegram fills and no client can set.
FILLED = frozenset({"message_id", "date", "chat", "from", "message_thread_id", "is_topic_message", "edit_date"})
PHOTO_FIELDS = frozenset({"photo", "new_chat_photo"})
MAX_TOPIC_NAME = 128
MAX_TITLE = 128


class Refused(Exception):
    """What the control API answers with a 4xx: a description, a stable reason, a status."""

    def __init__(self, description: str, reason: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.reason = reason
        self.status = status


def build(state: SandboxState, api: BotApi, chat: Chat, sender: dict[str, Any], thread: Any,
          fields: Any) -> dict[str, Any]:
    """The message as Telegram would deliver it, its effect applied to `chat` and `state`."""
    if not isinstance(fields, dict) or not fields:
        raise Refused("'message' must be a non-empty object of Message fields", "bad_field")
    filled = sorted(FILLED.intersection(fields))
    if filled:
        raise Refused(f"Telegram fills {', '.join(filled)}; a client cannot set them", "bad_field")
    message = {key: _files(api, key, value) for key, value in fields.items()}
    topic = _topic(chat, thread, message)
    _effect(chat, message, topic)  # before the message is made: its `chat` shows a new title
    if topic is not None:
        message["message_thread_id"] = topic.message_thread_id
        message["is_topic_message"] = True
    if "forum_topic_created" in message:
        thread_id = chat.next_message_id  # a topic is numbered by the message that creates it
        chat.topics[str(thread_id)] = Topic(thread_id, message["forum_topic_created"]["name"],
                                            int(message["forum_topic_created"].get("icon_color") or 7322096))
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
    return state.new_message(chat, sender, **message)


def _topic(chat: Chat, thread: Any, message: dict[str, Any]) -> Topic | None:
    if thread is None:
        if any(key in message for key in ("forum_topic_edited", "forum_topic_closed", "forum_topic_reopened")):
            raise Refused("a topic's service message needs 'message_thread_id'", "bad_field")
        return None
    if isinstance(thread, bool) or not isinstance(thread, int):
        raise Refused("'message_thread_id' must be an integer", "bad_field")
    topic = chat.topics.get(str(thread))
    if topic is None:
        raise Refused("message thread not found", "topic_not_found", 404)
    if topic.closed and "forum_topic_reopened" not in message:
        raise Refused("the topic is closed", "topic_closed", 403)
    return topic


def _effect(chat: Chat, message: dict[str, Any], topic: Topic | None) -> None:
    """What the message does to the chat, checked as Telegram checks the client's request."""
    created = message.get("forum_topic_created")
    if created is not None:
        if not chat.is_forum:
            raise Refused("the chat is not a forum", "not_forum")
        _name(created, required=True)
    edited = message.get("forum_topic_edited")
    if edited is not None and topic is not None:
        name = _name(edited, required=False)
        if name:
            topic.name = name
    if "forum_topic_closed" in message and topic is not None:
        topic.closed = True
    if "forum_topic_reopened" in message and topic is not None:
        topic.closed = False
    if "new_chat_title" in message:
        title = message["new_chat_title"]
        if not isinstance(title, str) or not title.strip() or units(title) > MAX_TITLE:
            raise Refused(f"'new_chat_title' must be 1 to {MAX_TITLE} characters", "bad_field")
        chat.title = title
    if "new_chat_photo" in message:
        chat.photo = message["new_chat_photo"]
    if message.get("delete_chat_photo"):
        chat.photo = None
    for member in message.get("new_chat_members") or []:
        if not isinstance(member, dict) or not isinstance(member.get("id"), int) or not member.get("first_name"):
            raise Refused("each of 'new_chat_members' must be a User with 'id' and 'first_name'", "bad_field")
        member.setdefault("is_bot", False)
        if member["id"] not in chat.members:
            chat.members.append(member["id"])
    left = message.get("left_chat_member")
    if isinstance(left, dict) and left.get("id") in chat.members:
        chat.members.remove(left["id"])


def _name(service: Any, *, required: bool) -> str | None:
    if not isinstance(service, dict):
        raise Refused("a topic's service field must be an object", "bad_field")
    name = service.get("name")
    if name is None and not required:
        return None
    if not isinstance(name, str) or not name.strip() or units(name) > MAX_TOPIC_NAME:
        raise Refused(f"a topic's name must be 1 to {MAX_TOPIC_NAME} characters", "bad_field")
    return name


def _files(api: BotApi, key: str, value: Any) -> Any:
    """`{"content_b64"}` placeholders stored as Telegram stores them: a photo (or a chat photo) as
    its PhotoSize list, any other file as a Document (with a `thumbnail` of its own), recursively
    (an external reply's document or photo)."""
    if isinstance(value, list):
        return [_files(api, key, item) for item in value]
    if not isinstance(value, dict):
        return value
    if "content_b64" in value:
        content = _decode(value["content_b64"], key)
        if key in PHOTO_FIELDS:
            try:
                return api.store_photo(content)
            except BotApiError:
                raise Refused(f"'{key}' is not a picture", "not_a_picture") from None
        if key == "thumbnail":
            try:
                sizes = api.store_photo(content)
            except BotApiError:
                raise Refused("'thumbnail' is not a picture", "not_a_picture") from None
            return next((s for s in reversed(sizes) if max(s["width"], s["height"]) <= 320), sizes[0])
        stored = api.store_file(str(value.get("file_name") or "file"),
                                str(value.get("mime_type") or "application/octet-stream"), content)
        document = api.document_json(stored)
        if "thumbnail" in value:
            document["thumbnail"] = _files(api, "thumbnail", value["thumbnail"])
        return document
    return {k: _files(api, k, v) for k, v in value.items()}


def _decode(raw: Any, key: str) -> bytes:
    try:
        return base64.b64decode(str(raw), validate=True)
    except (binascii.Error, ValueError):
        raise Refused(f"'{key}.content_b64' is not base64", "bad_file") from None
