"""The Bot API methods, each answering as Telegram does, including its refusals."""

from __future__ import annotations

import base64
import io
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.markup import apply as markup_applied
from bot.sandbox.params import BotApiError, bad_request
from bot.sandbox.state import Chat, InviteLink, SandboxState, StoredFile, Topic
from bot.sandbox.validation import (
    check_entities,
    check_parse_mode,
    check_protect,
    check_reply_markup,
    check_text,
    inline_only,
    units,
)

Params = dict[str, Any]
Files = dict[str, tuple[str, str, bytes]]
Method = Callable[["BotApi", Params, Files], Awaitable[Any]]

FORBIDDEN_START = "Forbidden: bot can't initiate conversation with a user"
PHOTO_SIDES = (90, 320, 800, 1280, 2560)


@dataclass(frozen=True)
class _Encoded:
    file_unique_id: str
    content: bytes


def photo_sizes(content: bytes) -> list[tuple[_Encoded, int, int]]:
    """The JPEG renditions Telegram would make of a photo; BotApiError if it is not a picture."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(content))
        opened.load()
        image = (ImageOps.exif_transpose(opened) or opened).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    renditions: list[tuple[_Encoded, int, int]] = []
    for side in PHOTO_SIDES:
        copy = image.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        if renditions and (copy.width, copy.height) == renditions[-1][1:]:
            break  # the picture is smaller than this size: the previous one is the original
        out = io.BytesIO()
        copy.save(out, "JPEG", quality=87)
        renditions.append((_Encoded(secrets.token_hex(4), out.getvalue()), copy.width, copy.height))
    return renditions


def _preview(text: str, options: Any) -> dict[str, Any] | None:
    """What Telegram shows under a text with a link: a preview of the page (its title, a picture),
    unless the sender disabled it."""
    if isinstance(options, dict) and options.get("is_disabled"):
        return {"is_disabled": True}
    link = re.search(r"https?://\S+", text)
    if link is None:
        return None
    return {"url": str(options.get("url") or link.group(0)) if isinstance(options, dict) else link.group(0)}


EPHEMERAL_ANSWER_SECONDS = 15  # how long a non-administrator bot may answer a person ephemerally


class BotApi:
    def __init__(self, state: SandboxState, on_change: Callable[[], None]) -> None:
        self.state = state
        self.on_change = on_change

    # -- shared checks ------------------------------------------------------------------------

    def target_chat(self, params: Params, *, for_sending: bool = True) -> Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.state.chat(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            user = self.state.user(chat_id) if isinstance(chat_id, int) else None
            if user is None:
                raise bad_request("chat not found")
            chat = self.state.private_chat(user)
        if chat.type == "private" and for_sending:
            user = self.state.user(chat.id)
            if user is None or not user.started:
                raise BotApiError(403, FORBIDDEN_START)
            if user.blocked_bot:
                raise BotApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def thread(self, chat: Chat, params: Params) -> int | None:
        thread_id = params.get("message_thread_id")
        if thread_id in (None, 0):
            return None
        topic = chat.topics.get(str(thread_id))
        if topic is None:
            raise bad_request("message thread not found")
        if topic.closed:
            raise bad_request("TOPIC_CLOSED")
        return int(thread_id)

    def reply_to(self, chat: Chat, params: Params) -> dict[str, Any] | None:
        reply_id = params.get("reply_to_message_id")
        parameters = params.get("reply_parameters")
        if isinstance(parameters, dict):
            reply_id = parameters.get("message_id")
        if reply_id is None:
            return None
        target = self.state.message(chat.id, int(reply_id))
        if target is None:
            raise bad_request("message to be replied not found")
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def existing_message(self, chat: Chat, params: Params, what: str) -> dict[str, Any]:
        message_id = params.get("message_id")
        message = self.state.message(chat.id, int(message_id)) if message_id is not None else None
        if message is None or int(message["message_id"]) in self.state.deleted.get(str(chat.id), []):
            raise bad_request(f"message to {what} not found")
        return message

    # -- methods ------------------------------------------------------------------------------

    async def getMe(self, params: Params, files: Files) -> Any:
        return {**self.state.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    async def sendMessage(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params)
        text = check_text(params.get("text"), parse_mode=params.get("parse_mode"))
        check_parse_mode(text, params.get("parse_mode"))
        text, parsed = markup_applied(text, params.get("parse_mode"))
        markup = inline_only(self.keyboard(params))
        thread = self.thread(chat, params)
        if params.get("ephemeral_message_parameters") is not None and self.state.ephemeral_supported:
            return self._send_ephemeral(chat, params, text=text, reply_markup=markup, message_thread_id=thread,
                                        **self.formatting(text, params, "entities"))
        reply = self.reply_to(chat, params)
        message = self.state.new_message(
            chat, self.state.bot_user(), text=text, reply_markup=markup, message_thread_id=thread,
            is_topic_message=True if thread else None, reply_to_message=reply,
            link_preview_options=_preview(text, params.get("link_preview_options")),
            **self.formatting(text, params, "entities"), **({"entities": parsed} if parsed else {}),
        )
        self.on_change()
        return message

    def keyboard(self, params: Params) -> dict[str, Any] | None:
        return check_reply_markup(params.get("reply_markup"), self.state.disabled_buttons_supported)

    def _send_ephemeral(self, chat: Chat, params: Params, **fields: Any) -> dict[str, Any]:
        """A message only its receiver sees (Bot API 10.2/10.3). Telegram's rules: groups only; the
        receiver a member; a bot that is not an administrator may answer only a person's message
        or button press of the last 15 seconds. message_id is 0; it is addressed by
        ephemeral_message_id, and removed only by deleteEphemeralMessage."""
        parameters = params.get("ephemeral_message_parameters")
        if not isinstance(parameters, dict):
            raise bad_request("can't parse ephemeral_message_parameters JSON object")
        receiver_id = parameters.get("receiver_user_id")
        if not isinstance(receiver_id, int) or isinstance(receiver_id, bool):
            raise bad_request("receiver_user_id is required")
        if chat.type not in ("group", "supergroup"):
            raise bad_request("ephemeral messages can be sent only to group chats")
        receiver = self.state.user(receiver_id)
        if receiver is None or receiver_id not in chat.members:
            raise bad_request("USER_NOT_PARTICIPANT")
        if not chat.bot_admin and not self._answers_recent(chat, receiver_id, parameters.get("callback_query_id")):
            raise bad_request("not enough rights to send an ephemeral message to the user")
        ephemeral_id = self.state.next_ephemeral_id
        self.state.next_ephemeral_id += 1
        message = {"message_id": 0, "ephemeral_message_id": ephemeral_id, "date": int(time.time()),
                   "chat": self.state.chat_json(chat), "from": self.state.bot_user(),
                   "receiver_user": receiver.as_telegram(), **{k: v for k, v in fields.items() if v is not None}}
        self.state.ephemeral.setdefault(str(chat.id), []).append(message)
        self.on_change()
        return message

    def _answers_recent(self, chat: Chat, user_id: int, query_id: Any) -> bool:
        """Whether the receiver wrote in the chat, or pressed a button whose query is named, in the
        last 15 seconds: what a bot without administrator rights may answer ephemerally."""
        since = time.time() - EPHEMERAL_ANSWER_SECONDS
        if query_id is not None:
            query = self.state.callbacks.get(str(query_id))
            return query is not None and query.get("from") == user_id and query.get("pressed_at", 0) >= since
        return any(m.get("from", {}).get("id") == user_id and m.get("date", 0) >= since
                   for m in self.state.messages.get(str(chat.id), {}).values())

    async def deleteEphemeralMessage(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        receiver, ephemeral_id = params.get("receiver_user_id"), params.get("ephemeral_message_id")
        shown = self.state.ephemeral.get(str(chat.id), [])
        found = next((m for m in shown if m["ephemeral_message_id"] == ephemeral_id
                      and m["receiver_user"]["id"] == receiver), None)
        if found is None:
            raise bad_request("message to delete not found")
        shown.remove(found)
        self.on_change()
        return True

    @staticmethod
    def formatting(text: str | None, params: Params, field: str) -> dict[str, Any]:
        """What a sent message keeps of its formatting: the entities given with it (checked as
        Telegram checks them) and whether its content is protected from forwarding and saving."""
        kept: dict[str, Any] = {}
        entities = check_entities(text or "", params.get(field), time.time())
        if entities is not None:
            if params.get("parse_mode") not in (None, ""):
                raise bad_request(f"{field} can't be used together with parse_mode")
            kept[field] = entities
        if check_protect(params.get("protect_content")):
            kept["has_protected_content"] = True
        return kept

    async def sendDocument(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params)
        document = params.get("document")
        reference = document if isinstance(document, str) else ""
        attached = reference.removeprefix("attach://") if reference.startswith("attach://") else None
        if attached is not None and attached in files:  # Telegram's attach://<name> form, as aiogram uses
            name, mime, content = files[attached]
            stored = self.store_file(name, mime, content)
        elif "document" in files:
            name, mime, content = files["document"]
            stored = self.store_file(name, mime, content)
        elif isinstance(document, str) and document in self.state.files and "document" not in files:
            stored = self.state.files[document]
        else:
            raise bad_request("there is no document in the request")
        caption = params.get("caption")
        if caption is not None:
            check_text(caption, caption=True, parse_mode=params.get("parse_mode"))
            check_parse_mode(caption, params.get("parse_mode"))
        thread = self.thread(chat, params)
        message = self.state.new_message(
            chat, self.state.bot_user(), document=self.document_json(stored), caption=caption,
            reply_markup=inline_only(self.keyboard(params)), message_thread_id=thread,
            is_topic_message=True if thread else None, **self.formatting(caption, params, "caption_entities"),
        )
        self.on_change()
        return message

    def store_file(self, name: str, mime: str, content: bytes, folder: str = "documents") -> StoredFile:
        number = self.state.next_file_id
        self.state.next_file_id += 1
        prefix = "AgACAgIAAx" if folder == "photos" else "BQACAgIAAx"
        stored = StoredFile(
            file_id=f"{prefix}{number:08d}{secrets.token_hex(6)}", file_unique_id=f"AgAD{number:08d}",
            file_name=name, mime_type=mime or "application/octet-stream", path=f"{folder}/file_{number}",
            content_b64=base64.b64encode(content).decode(),
        )
        self.state.files[stored.file_id] = stored
        return stored

    def store_photo(self, content: bytes) -> list[dict[str, Any]]:
        """A picture as Telegram keeps a photo: re-encoded as JPEG in a few sizes, smallest first
        (each side at most 90, 320, 800, 1280 and 2560 pixels), as a list of PhotoSize."""
        sizes = []
        for stored, width, height in photo_sizes(content):
            photo = self.store_file(f"{stored.file_unique_id}.jpg", "image/jpeg", stored.content, "photos")
            sizes.append({"file_id": photo.file_id, "file_unique_id": photo.file_unique_id, "width": width,
                          "height": height, "file_size": len(stored.content)})
        return sizes

    async def sendPhoto(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params)
        photo = params.get("photo")
        if "photo" in files:
            sizes = self.store_photo(files["photo"][2])
        elif isinstance(photo, str) and photo.startswith("attach://") and photo[len("attach://"):] in files:
            sizes = self.store_photo(files[photo[len("attach://"):]][2])
        elif isinstance(photo, str) and photo in self.state.files:
            sizes = self._sizes_of(photo)
        else:
            raise bad_request("there is no photo in the request")
        caption = params.get("caption")
        if caption is not None:
            check_text(caption, caption=True, parse_mode=params.get("parse_mode"))
            check_parse_mode(caption, params.get("parse_mode"))
        thread = self.thread(chat, params)
        message = self.state.new_message(
            chat, self.state.bot_user(), photo=sizes, caption=caption,
            reply_markup=inline_only(self.keyboard(params)), message_thread_id=thread,
            is_topic_message=True if thread else None, **self.formatting(caption, params, "caption_entities"),
        )
        self.on_change()
        return message

    def _sizes_of(self, file_id: str) -> list[dict[str, Any]]:
        """The sizes a photo was posted with, found by the file id of any of them."""
        for messages in self.state.messages.values():
            for message in messages.values():
                sizes = message.get("photo") or []
                if any(size["file_id"] == file_id for size in sizes):
                    return [dict(size) for size in sizes]
        stored = self.state.files[file_id]  # a document's file sent as a photo: re-encoded like an upload
        return self.store_photo(base64.b64decode(stored.content_b64))

    @staticmethod
    def document_json(stored: StoredFile) -> dict[str, Any]:
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_name": stored.file_name,
                "mime_type": stored.mime_type, "file_size": len(base64.b64decode(stored.content_b64))}

    async def getFile(self, params: Params, files: Files) -> Any:
        stored = self.state.files.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(base64.b64decode(stored.content_b64)), "file_path": stored.path}

    async def editMessageText(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        message = self.existing_message(chat, params, "edit")
        text = check_text(params.get("text"), parse_mode=params.get("parse_mode"))
        check_parse_mode(text, params.get("parse_mode"))
        text, parsed = markup_applied(text, params.get("parse_mode"))
        markup = self.keyboard(params)
        entities = parsed or check_entities(text, params.get("entities"), time.time())
        if entities is None:
            message.pop("entities", None)
        else:
            message["entities"] = entities
        return self._edit(message, text=text, reply_markup=markup)

    async def editMessageReplyMarkup(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        message = self.existing_message(chat, params, "edit")
        markup = self.keyboard(params)
        return self._edit(message, text=message.get("text"), reply_markup=markup)

    def _edit(self, message: dict[str, Any], *, text: str | None, reply_markup: dict[str, Any] | None) -> Any:
        if message["from"].get("id") != self.state.bot_id:
            raise bad_request("message can't be edited")
        if message.get("text") == text and message.get("reply_markup") == reply_markup:
            raise bad_request("message is not modified: specified new message content and reply markup are exactly "
                              "the same as a current content and reply markup of the message")
        if text is not None:
            message["text"] = text
        if reply_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = reply_markup
        message["edit_date"] = int(time.time())
        self.on_change()
        return message

    async def deleteMessage(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        message = self.existing_message(chat, params, "delete")
        if chat.type != "private" and message["from"].get("id") != self.state.bot_id and not (
            chat.bot_admin and chat.bot_rights.get("can_delete_messages")
        ):
            raise bad_request("message can't be deleted")
        if "forum_topic_created" in message:  # a topic's first message goes only with the topic
            raise bad_request("message can't be deleted")
        self.state.deleted.setdefault(str(chat.id), []).append(int(message["message_id"]))
        self.state.forget(chat.id, int(message["message_id"]))
        self.on_change()
        return True

    async def answerCallbackQuery(self, params: Params, files: Files) -> Any:
        query = self.state.callbacks.get(str(params.get("callback_query_id")))
        if query is None or query.get("answered"):
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and units(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        query["answered_at"] = time.time()
        query["answer_text"] = text
        query["show_alert"] = bool(params.get("show_alert"))
        self.on_change()
        return True

    def _forum(self, params: Params, right: str) -> Chat:
        chat = self.target_chat(params, for_sending=False)
        if chat.type != "supergroup" or not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if not (chat.bot_admin and chat.bot_rights.get(right)):
            raise bad_request("not enough rights to manage topics" if right == "can_manage_topics"
                              else "not enough rights")
        return chat

    async def createForumTopic(self, params: Params, files: Files) -> Any:
        chat = self._forum(params, "can_manage_topics")
        name = params.get("name")
        if not isinstance(name, str) or not 1 <= units(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        icon_color = int(params.get("icon_color") or 7322096)
        creation = self.state.new_message(chat, self.state.bot_user(), forum_topic_created={
            "name": name, "icon_color": icon_color})
        thread_id = int(creation["message_id"])
        creation["message_thread_id"] = thread_id
        creation["is_topic_message"] = True
        chat.topics[str(thread_id)] = Topic(thread_id, name, icon_color)
        self.on_change()
        return {"message_thread_id": thread_id, "name": name, "icon_color": icon_color}

    async def closeForumTopic(self, params: Params, files: Files) -> Any:
        chat = self._forum(params, "can_manage_topics")
        topic = chat.topics.get(str(params.get("message_thread_id")))
        if topic is None:
            raise bad_request("TOPIC_ID_INVALID")
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        self.on_change()
        return True

    async def editForumTopic(self, params: Params, files: Files) -> Any:
        chat = self._forum(params, "can_manage_topics")
        topic = chat.topics.get(str(params.get("message_thread_id")))
        if topic is None:
            raise bad_request("TOPIC_ID_INVALID")
        name = params.get("name")
        if name is not None and (not isinstance(name, str) or units(name) > 128):
            raise bad_request("TOPIC_TITLE_TOO_LONG" if isinstance(name, str) else "TOPIC_TITLE_EMPTY")
        if not name or name == topic.name:  # an empty name keeps the current one, as Telegram does
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.name = name
        self._service(chat, forum_topic_edited={"name": name}, message_thread_id=topic.message_thread_id,
                      is_topic_message=True)
        return True

    def _changing_info(self, params: Params, what: str) -> Chat:
        chat = self.target_chat(params, for_sending=False)
        if chat.type == "private":
            raise bad_request("chat not found")
        if not (chat.bot_admin and chat.bot_rights.get("can_change_info")):
            raise bad_request(f"not enough rights to change chat {what}")
        return chat

    async def setChatTitle(self, params: Params, files: Files) -> Any:
        chat = self._changing_info(params, "title")
        title = params.get("title")
        if not isinstance(title, str) or not title.strip():
            raise bad_request("chat title is empty")
        if units(title) > 128:
            raise bad_request("chat title is too long")
        if title == chat.title:
            raise bad_request("chat title is not modified")
        chat.title = title
        self._service(chat, new_chat_title=title)
        return True

    async def deleteChatPhoto(self, params: Params, files: Files) -> Any:
        chat = self._changing_info(params, "photo")
        if not chat.photo:
            raise bad_request("CHAT_NOT_MODIFIED")
        chat.photo = None
        self._service(chat, delete_chat_photo=True)
        return True

    def _service(self, chat: Chat, **fields: Any) -> None:
        """The service message a change by the bot leaves in the chat (a bot gets no update of it)."""
        self.state.new_message(chat, self.state.bot_user(), **fields)
        self.on_change()

    async def pinChatMessage(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        if chat.type != "private" and not (chat.bot_admin and chat.bot_rights.get("can_pin_messages")):
            raise bad_request("not enough rights to pin a message")
        message = self.existing_message(chat, params, "pin")
        chat.pinned.append(int(message["message_id"]))
        self.on_change()
        return True

    async def createChatInviteLink(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        if chat.type == "private":
            raise bad_request("chat not found")
        if not (chat.bot_admin and chat.bot_rights.get("can_invite_users")):
            raise bad_request("not enough rights to manage chat invite link")
        limit = params.get("member_limit")
        joins = bool(params.get("creates_join_request"))
        if limit is not None and not 1 <= int(limit) <= 99999:
            raise bad_request("USAGE_LIMIT_INVALID")
        if limit is not None and joins:
            raise bad_request("member limit can't be specified for links requiring administrator approval")
        link = InviteLink(f"https://t.me/+{secrets.token_urlsafe(12)}", chat.id, params.get("name"),
                          None if limit is None else int(limit), joins, params.get("expire_date"))
        self.state.invite_links[link.invite_link] = link
        self.on_change()
        return self.invite_link_json(link)

    def invite_link_json(self, link: InviteLink) -> dict[str, Any]:
        result: dict[str, Any] = {"invite_link": link.invite_link, "creator": self.state.bot_user(),
                                  "creates_join_request": link.creates_join_request, "is_primary": False,
                                  "is_revoked": link.revoked}
        for key in ("name", "member_limit", "expire_date"):
            if getattr(link, key) is not None:
                result[key] = getattr(link, key)
        return result

    async def approveChatJoinRequest(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        user_id = params.get("user_id")
        waiting = self.state.join_requests.get(str(chat.id), [])
        if user_id not in waiting:
            raise bad_request("HIDE_REQUESTER_MISSING")
        waiting.remove(user_id)
        if user_id not in chat.members:
            chat.members.append(int(user_id))
        self.on_change()
        return True

    async def declineChatJoinRequest(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        waiting = self.state.join_requests.get(str(chat.id), [])
        if params.get("user_id") not in waiting:
            raise bad_request("HIDE_REQUESTER_MISSING")
        waiting.remove(params["user_id"])
        self.on_change()
        return True

    async def getChatMember(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        user_id = params.get("user_id")
        if user_id == self.state.bot_id:
            if chat.type != "private" and chat.bot_admin:
                return {"status": "administrator", "user": self.state.bot_user(), "can_be_edited": False,
                        **chat.bot_rights}
            return {"status": "member", "user": self.state.bot_user()}
        user = self.state.user(user_id) if isinstance(user_id, int) else None
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        if chat.type == "private" or user.id not in chat.members:
            return {"status": "left", "user": user.as_telegram()}
        if user.id in chat.admins:
            return {"status": "administrator", "user": user.as_telegram(), "can_be_edited": False,
                    **{k: v for k, v in chat.bot_rights.items()}}
        return {"status": "member", "user": user.as_telegram()}

    async def getChat(self, params: Params, files: Files) -> Any:
        chat = self.target_chat(params, for_sending=False)
        photo: dict[str, Any] = {}
        if chat.photo:
            small, big = chat.photo[0], chat.photo[-1]
            photo = {"photo": {"small_file_id": small["file_id"], "small_file_unique_id": small["file_unique_id"],
                               "big_file_id": big["file_id"], "big_file_unique_id": big["file_unique_id"]}}
        return {**self.state.chat_json(chat), **photo, "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                                        "premium_subscription": False, "gifts_from_channels": False}}

    async def setMyCommands(self, params: Params, files: Files) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an array of at most 100 BotCommand")
        for command in commands:
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name == name.lower()):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    async def deleteMyCommands(self, params: Params, files: Files) -> Any:
        return True
