"""The sandbox's world: users, chats, topics, messages, files, invite links, pending updates.

Plain data, so it can be written to a JSON file (`--state`) and read back. Objects are kept in
Telegram's own JSON shapes where the Bot API returns them, which keeps serialisation trivial.
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BOT_ID_DEFAULT = 5000000001
# Telegram numbers a bot's first updates (and the first after a week without any) from a random
# point, not 1 (telegram-bot-api's queue picks one in this range): a fresh sandbox does too, so a
# bot whose database remembers another sandbox's ids is not fooled into taking new updates for old.
FIRST_UPDATE_ID_RANGE = (200_001, 1 << 30)
MAX_UPDATE_ID = (1 << 31) - 1


def first_update_id() -> int:
    return random.randint(*FIRST_UPDATE_ID_RANGE)


@dataclass
class User:
    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    started: bool = True
    blocked_bot: bool = False
    last_name: str | None = None
    # Not Telegram's: who the person is in the roster, for the page's picker («Bạn là»).
    role: str | None = None
    agency: str | None = None

    def as_telegram(self) -> dict[str, Any]:
        result: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            result["last_name"] = self.last_name
        if self.username:
            result["username"] = self.username
        if self.language_code:
            result["language_code"] = self.language_code
        return result


@dataclass
class Topic:
    message_thread_id: int
    name: str
    icon_color: int = 7322096
    closed: bool = False


@dataclass
class Chat:
    id: int
    type: str  # private | supergroup
    title: str | None = None
    is_forum: bool = False
    members: list[int] = field(default_factory=list)
    admins: list[int] = field(default_factory=list)
    bot_admin: bool = True
    bot_rights: dict[str, bool] = field(default_factory=lambda: {
        "can_manage_chat": True, "can_delete_messages": True, "can_manage_video_chats": False,
        "can_restrict_members": True, "can_promote_members": False, "can_change_info": True,
        "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
        "can_delete_stories": False, "can_send_welcome_messages": False, "can_pin_messages": True,
        "can_manage_topics": True, "is_anonymous": False,
    })
    topics: dict[str, Topic] = field(default_factory=dict)  # str(thread id) -> Topic (JSON keys are strings)
    pinned: list[int] = field(default_factory=list)
    next_message_id: int = 1
    photo: list[dict[str, Any]] | None = None  # the chat's photo, as the PhotoSize list it was set with

    def as_telegram(self, private_user: User | None = None) -> dict[str, Any]:
        if self.type == "private" and private_user is not None:
            result = {"id": self.id, "type": "private", "first_name": private_user.first_name}
            if private_user.username:
                result["username"] = private_user.username
            return result
        return {"id": self.id, "type": self.type, "title": self.title or "", "is_forum": self.is_forum}


def _file_ids(value: Any) -> set[str]:
    """Every file id a message (or any part of it) refers to."""
    if isinstance(value, dict):
        found = {value["file_id"]} if isinstance(value.get("file_id"), str) else set()
        return found.union(*(_file_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_file_ids(v) for v in value))
    return set()


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    path: str
    content_b64: str


@dataclass
class InviteLink:
    invite_link: str
    chat_id: int
    name: str | None
    member_limit: int | None
    creates_join_request: bool
    expire_date: int | None
    used: int = 0
    revoked: bool = False


@dataclass
class SandboxState:
    bot_id: int = BOT_ID_DEFAULT
    bot_username: str = "rapid_consult_bot"
    users: dict[str, User] = field(default_factory=dict)
    chats: dict[str, Chat] = field(default_factory=dict)
    messages: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # chat -> message id -> Message
    deleted: dict[str, list[int]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    invite_links: dict[str, InviteLink] = field(default_factory=dict)
    join_requests: dict[str, list[int]] = field(default_factory=dict)  # chat -> user ids waiting
    callbacks: dict[str, dict[str, Any]] = field(default_factory=dict)  # query id -> {answered, ...}
    next_update_id: int = field(default_factory=first_update_id)
    next_callback_id: int = 1
    next_file_id: int = 1
    updates: list[dict[str, Any]] = field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # Ephemeral messages (Bot API 10.2): chat -> the ones still shown, each seen by its receiver only.
    ephemeral: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    next_ephemeral_id: int = 1
    # False plays a Bot API server older than 10.2, which ignores ephemeral_message_parameters.
    ephemeral_supported: bool = True
    disabled_buttons_supported: bool = True  # False plays a server older than Bot API 10.3

    # -- lookups ------------------------------------------------------------------------------

    def user(self, user_id: int) -> User | None:
        return self.users.get(str(user_id))

    def chat(self, chat_id: int) -> Chat | None:
        return self.chats.get(str(chat_id))

    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "rapid-consult", "username": self.bot_username}

    def private_chat(self, user: User) -> Chat:
        chat = self.chat(user.id)
        if chat is None:
            chat = Chat(id=user.id, type="private", members=[user.id])
            self.chats[str(user.id)] = chat
        return chat

    def chat_json(self, chat: Chat) -> dict[str, Any]:
        return chat.as_telegram(self.user(chat.id) if chat.type == "private" else None)

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return self.messages.get(str(chat_id), {}).get(str(message_id))

    def new_message(self, chat: Chat, sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        message = {"message_id": message_id, "date": int(time.time()), "chat": self.chat_json(chat),
                   "from": sender, **{k: v for k, v in fields.items() if v is not None}}
        self.messages.setdefault(str(chat.id), {})[str(message_id)] = message
        return message

    def forget(self, chat_id: int, message_id: int) -> None:
        """A deleted message keeps its place (id, date, chat, sender) and loses its content, here and
        in every reply quoting it, with the files it alone carried: a drill's blocked posts must not
        pile up in plaintext in the state file."""
        kept = {"message_id", "date", "chat", "from", "message_thread_id", "is_topic_message"}
        messages = self.messages.get(str(chat_id), {})
        message = messages.get(str(message_id))
        if message is None:
            return
        files = _file_ids(message)
        messages[str(message_id)] = {k: v for k, v in message.items() if k in kept}
        for other in messages.values():
            quoted = other.get("reply_to_message")
            if isinstance(quoted, dict) and quoted.get("message_id") == message_id:
                other["reply_to_message"] = {k: v for k, v in quoted.items() if k in kept}
        still_used = {file_id for chat in self.messages.values() for m in chat.values() for file_id in _file_ids(m)}
        for file_id in files - still_used:
            self.files.pop(file_id, None)

    def visible_messages(self, chat_id: int, thread_id: int | None = None) -> list[dict[str, Any]]:
        gone = set(self.deleted.get(str(chat_id), []))
        result = [m for key, m in self.messages.get(str(chat_id), {}).items() if int(key) not in gone]
        if thread_id is not None:
            result = [m for m in result if m.get("message_thread_id") == thread_id]
        return sorted(result, key=lambda m: int(m["message_id"]))

    def ephemeral_for(self, chat_id: int, viewer: int, thread_id: int | None = None) -> list[dict[str, Any]]:
        """The ephemeral messages `viewer` sees in a chat (nobody else sees them)."""
        shown = [m for m in self.ephemeral.get(str(chat_id), []) if m["receiver_user"]["id"] == viewer]
        if thread_id is not None:
            shown = [m for m in shown if m.get("message_thread_id") == thread_id]
        return shown

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        return update

    # -- persistence --------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the state beside `path` owner-only (it holds every message) and rename it in."""
        tmp = path.with_suffix(path.suffix + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(json.dumps(asdict(self), ensure_ascii=False))
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> SandboxState:
        raw = json.loads(path.read_text())
        state = cls(**{k: v for k, v in raw.items() if k not in {"users", "chats", "files", "invite_links"}})
        state.users = {k: User(**v) for k, v in raw["users"].items()}
        state.chats = {}
        for key, value in raw["chats"].items():
            topics = {tk: Topic(**tv) for tk, tv in value.pop("topics").items()}
            state.chats[key] = Chat(**value, topics=topics)
        state.files = {k: StoredFile(**v) for k, v in raw["files"].items()}
        state.invite_links = {k: InviteLink(**v) for k, v in raw["invite_links"].items()}
        return state
