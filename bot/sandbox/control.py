"""The sandbox's control API: act as people, look at what they see, inject faults."""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any, Protocol
from urllib.parse import quote

from aiohttp import web

from bot.sandbox import member_updates
from bot.sandbox.limits import Fault
from bot.sandbox.methods import BotApi
from bot.sandbox.params import BotApiError
from bot.sandbox.state import MAX_UPDATE_ID, Chat, SandboxState, User
from bot.sandbox.validation import MAX_CAPTION, MAX_TEXT, command_entities, units


class Host(Protocol):
    """What the control API drives: the sandbox server it is mounted on (server.py), named here so
    the two modules do not import each other."""

    state: SandboxState
    api: BotApi
    call_log: list[dict[str, Any]]

    def _changed(self) -> None: ...

    async def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def jump_update_counter(self, next_update_id: int) -> None: ...

    def add_fault(self, fault: Fault) -> None: ...


class ControlError(web.HTTPBadRequest):
    """A refusal of the control API: `description` for people reading the JSON, `reason` a stable
    code the web page turns into its own words (in Vietnamese), and any `details` it needs."""

    def __init__(self, description: str, status: int = 400, *, reason: str = "bad_request", **details: Any) -> None:
        body = {"ok": False, "error_code": status, "description": description, "reason": reason, **details}
        super().__init__(text=json.dumps(body, ensure_ascii=False), content_type="application/json")
        self.set_status(status)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ControlError("the body must be a JSON object", reason="bad_body") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object", reason="bad_body")
    return body


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(f"'{key}' must be an integer", reason="bad_field", field=key)
    return value


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ControlError(f"'{key}' must be a string", reason="bad_field", field=key)
    return value


def _roster_fields(user: User) -> dict[str, str]:
    return {k: v for k, v in (("role", user.role), ("agency", user.agency)) if v}


def _caption(text: Any) -> str:
    if not isinstance(text, str):
        raise ControlError("'text' must be a string", reason="bad_field", field="text")
    if units(text) > MAX_CAPTION:
        raise ControlError(f"caption is longer than {MAX_CAPTION} characters", reason="caption_too_long",
                           length=units(text), limit=MAX_CAPTION)
    return text


class ControlApi:
    def __init__(self, server: Host) -> None:
        self.server = server
        self.state = server.state

    def register(self, app: web.Application) -> None:
        routes = [
            ("GET", "/sandbox/users", self.list_users), ("POST", "/sandbox/users", self.add_user),
            ("GET", "/sandbox/chats", self.list_chats), ("POST", "/sandbox/chats", self.add_chat),
            ("GET", "/sandbox/chats/{chat_id}/messages", self.chat_messages),
            ("GET", "/sandbox/chats/{chat_id}/topics", self.chat_topics),
            ("GET", "/sandbox/files/{file_id}", self.file),
            ("POST", "/sandbox/messages", self.send_message), ("POST", "/sandbox/edits", self.edit_message),
            ("POST", "/sandbox/updates", self.post_update),
            ("POST", "/sandbox/callbacks", self.press_button),
            ("GET", "/sandbox/callbacks/{query_id}", self.callback_state),
            ("POST", "/sandbox/join_requests", self.join_request),
            ("GET", "/sandbox/log", self.get_log), ("POST", "/sandbox/faults", self.add_fault),
            ("GET", "/sandbox/update_counter", self.update_counter),
            ("POST", "/sandbox/update_counter", self.jump_update_counter),
            ("GET", "/sandbox/features", self.get_features), ("POST", "/sandbox/features", self.set_features),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)

    # -- people and chats ---------------------------------------------------------------------

    async def list_users(self, request: web.Request) -> web.Response:
        """Telegram User objects plus `started`, and `role` and `agency` where the roster gave them
        (extra keys only: a client reading the older listing reads this one unchanged)."""
        return web.json_response([{**u.as_telegram(), "started": u.started, **_roster_fields(u)}
                                  for u in self.state.users.values()])

    async def add_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user_id = _int(body, "id")
        if user_id <= 0:
            raise ControlError("'id' must be positive", reason="bad_field", field="id")
        user = User(user_id, str(body.get("first_name") or f"User {user_id}"), body.get("username"),
                    body.get("language_code"), started=bool(body.get("started", True)),
                    last_name=body.get("last_name") or None, role=_text(body, "role"), agency=_text(body, "agency"))
        self.state.users[str(user_id)] = user
        self.server._changed()
        return web.json_response(user.as_telegram())

    async def list_chats(self, request: web.Request) -> web.Response:
        return web.json_response([self.state.chat_json(c) for c in self.state.chats.values()])

    async def add_chat(self, request: web.Request) -> web.Response:
        body = await _body(request)
        chat_id = _int(body, "id")
        if chat_id >= 0:
            raise ControlError("group chat ids are negative", reason="bad_field", field="id")
        chat = Chat(id=chat_id, type=str(body.get("type", "supergroup")), title=str(body.get("title", "")),
                    is_forum=bool(body.get("is_forum", True)), members=[int(m) for m in body.get("members", [])],
                    admins=[int(a) for a in body.get("admins", [])], bot_admin=bool(body.get("bot_admin", True)))
        for right, allowed in (body.get("bot_rights") or {}).items():
            chat.bot_rights[str(right)] = bool(allowed)
        self.state.chats[str(chat_id)] = chat
        self.server._changed()
        return web.json_response(self.state.chat_json(chat))

    def _chat(self, raw: str) -> Chat:
        """The chat; a person's private chat with the bot exists from the start, as in Telegram
        (anyone can open the bot and write first), even before the bot has written in it."""
        try:
            chat_id = int(raw)
        except ValueError:
            raise ControlError("chat not found", 404, reason="chat_not_found") from None
        chat = self.state.chat(chat_id)
        if chat is None and chat_id > 0 and (person := self.state.user(chat_id)) is not None:
            chat = self.state.private_chat(person)
        if chat is None:
            raise ControlError("chat not found", 404, reason="chat_not_found")
        return chat

    async def chat_messages(self, request: web.Request) -> web.Response:
        chat = self._chat(request.match_info["chat_id"])
        thread = request.query.get("thread_id")
        thread_id = int(thread) if thread else None
        shown = self.state.visible_messages(chat.id, thread_id)
        viewer = request.query.get("viewer")  # whose view: their ephemeral messages are shown to them alone
        if viewer and viewer.lstrip("-").isdigit():
            shown += self.state.ephemeral_for(chat.id, int(viewer), thread_id)
        return web.json_response(shown)

    async def file(self, request: web.Request) -> web.Response:
        """A file sent in a chat, for the page: a photo shown inline, a document downloaded under
        its name (the bot's DOCX report, the /stats chart, a transcript)."""
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError("file not found", 404, reason="file_not_found")
        inline = stored.mime_type.startswith("image/")
        name = quote(stored.file_name, safe="")  # RFC 6266/5987: any name, Vietnamese included
        return web.Response(body=base64.b64decode(stored.content_b64), content_type=stored.mime_type, headers={
            "Content-Disposition": f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff"})

    async def chat_topics(self, request: web.Request) -> web.Response:
        chat = self._chat(request.match_info["chat_id"])
        return web.json_response([{"message_thread_id": t.message_thread_id, "name": t.name, "closed": t.closed}
                                  for t in chat.topics.values()])

    # -- acting as a person -------------------------------------------------------------------

    def _sender(self, body: dict[str, Any]) -> User:
        user = self.state.user(_int(body, "from"))
        if user is None:
            raise ControlError("unknown user in 'from'", reason="unknown_user")
        return user

    def _chat_for(self, user: User, body: dict[str, Any]) -> Chat:
        chat_id = _int(body, "chat_id")
        if chat_id == user.id:
            return self.state.private_chat(user)
        chat = self.state.chat(chat_id)
        if chat is None:
            raise ControlError("chat not found", 404, reason="chat_not_found")
        if user.id not in chat.members:
            raise ControlError("the user is not a member of that chat", 403, reason="not_member")
        return chat

    async def send_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self._sender(body)
        chat = self._chat_for(user, body)
        fields: dict[str, Any] = {}
        text = body.get("text")
        document = body.get("document")
        photo = body.get("photo")
        if photo:
            if not isinstance(photo, dict):
                raise ControlError("'photo' must be an object with content_b64", reason="bad_file")
            try:
                content = base64.b64decode(str(photo.get("content_b64", "")), validate=True)
            except (binascii.Error, ValueError):
                raise ControlError("photo.content_b64 is not base64", reason="bad_file") from None
            try:
                fields["photo"] = self.server.api.store_photo(content)
            except BotApiError:
                raise ControlError("photo.content_b64 is not a picture", reason="not_a_picture") from None
            if text:
                fields["caption"] = _caption(text)
        elif document:
            try:
                content = base64.b64decode(str(document.get("content_b64", "")), validate=True)
            except (binascii.Error, ValueError):
                raise ControlError("document.content_b64 is not base64", reason="bad_file") from None
            stored = self.server.api.store_file(str(document.get("file_name") or "file"),
                                                str(document.get("mime_type") or "application/octet-stream"), content)
            fields["document"] = self.server.api.document_json(stored)
            if text:
                fields["caption"] = _caption(text)
        elif isinstance(text, str) and text:
            if units(text) > MAX_TEXT:  # counted as Telegram counts: UTF-16 code units
                raise ControlError(f"text is longer than {MAX_TEXT} characters", reason="text_too_long",
                                   length=units(text), limit=MAX_TEXT)
            fields["text"] = text
            fields["entities"] = command_entities(text)
        else:
            raise ControlError("a message needs 'text', 'document' or 'photo'", reason="empty_message")
        thread = body.get("message_thread_id")
        if thread is not None:
            topic = chat.topics.get(str(thread))
            if topic is None:
                raise ControlError("message thread not found", 404, reason="topic_not_found")
            if topic.closed:
                raise ControlError("the topic is closed", 403, reason="topic_closed")
            fields["message_thread_id"] = int(thread)
            fields["is_topic_message"] = True
        reply_id = body.get("reply_to_message_id")
        if reply_id is not None:
            target = self.state.message(chat.id, int(reply_id))
            if target is None:
                raise ControlError("message to reply to not found", 404, reason="reply_not_found")
            fields["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
        if body.get("forward_from"):
            forwarded = self.state.user(int(body["forward_from"]))
            if forwarded is not None:
                fields["forward_origin"] = {"type": "user", "date": int(time.time()),
                                            "sender_user": forwarded.as_telegram()}
        if chat.type == "private" and isinstance(text, str) and text.startswith("/start"):
            user.started = True
            user.blocked_bot = False
        message = self.state.new_message(chat, user.as_telegram(), **fields)
        await self.server.push_update("message", message)
        return web.json_response({"message_id": message["message_id"]})

    async def post_update(self, request: web.Request) -> web.Response:
        """`{"from", "chat_id", "message_thread_id"?, "message": {...}}`: a message with any of
        Telegram's Message fields, as a member's client would cause it (see member_updates)."""
        body = await _body(request)
        user = self._sender(body)
        chat = self._chat_for(user, body)
        try:
            message = member_updates.build(self.state, self.server.api, chat, user.as_telegram(),
                                           body.get("message_thread_id"), body.get("message"))
        except member_updates.Refused as refused:
            raise ControlError(refused.description, refused.status, reason=refused.reason) from None
        await self.server.push_update("message", message)
        return web.json_response({"message_id": message["message_id"]})

    async def edit_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self._sender(body)
        chat = self._chat_for(user, body)
        message = self.state.message(chat.id, _int(body, "message_id"))
        if message is None or message["from"].get("id") != user.id:
            raise ControlError("no such message of this user", 404, reason="not_your_message")
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise ControlError("'text' is required", reason="empty_message")
        key = "caption" if "document" in message or "photo" in message else "text"
        message[key] = text
        message["edit_date"] = int(time.time())
        if key == "text":
            entities = command_entities(text)
            if entities:
                message["entities"] = entities
            else:
                message.pop("entities", None)
        await self.server.push_update("edited_message", dict(message))
        return web.json_response({"message_id": message["message_id"]})

    async def press_button(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self._sender(body)
        chat = self._chat_for(user, body)
        message = self.state.message(chat.id, _int(body, "message_id"))
        data = body.get("data")
        buttons = [] if message is None else [
            b.get("callback_data") for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
        ]
        if message is None or data not in buttons:
            raise ControlError("that message carries no button with this data", reason="stale_button")
        query_id = str(self.state.next_callback_id)
        self.state.next_callback_id += 1
        self.state.callbacks[query_id] = {"answered": False, "from": user.id, "pressed_at": time.time()}
        await self.server.push_update("callback_query", {
            "id": query_id, "from": user.as_telegram(), "message": message,
            "chat_instance": str(abs(chat.id)), "data": data,
        })
        return web.json_response({"callback_query_id": query_id})

    async def callback_state(self, request: web.Request) -> web.Response:
        query = self.state.callbacks.get(request.match_info["query_id"])
        if query is None:
            raise ControlError("unknown callback query", 404, reason="unknown_callback")
        return web.json_response(query)

    async def join_request(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self._sender(body)
        link = self.state.invite_links.get(str(body.get("invite_link")))
        if link is None or link.revoked:
            raise ControlError("invite link not found", 404, reason="link_not_found")
        chat = self.state.chat(link.chat_id)
        assert chat is not None
        if not link.creates_join_request:
            if link.member_limit is not None and link.used >= link.member_limit:
                raise ControlError("the invite link has reached its member limit", 403, reason="link_full")
            link.used += 1
            if user.id not in chat.members:
                chat.members.append(user.id)
            self.server._changed()
            return web.json_response({"joined": True})
        self.state.join_requests.setdefault(str(chat.id), []).append(user.id)
        await self.server.push_update("chat_join_request", {
            "chat": self.state.chat_json(chat), "from": user.as_telegram(), "user_chat_id": user.id,
            "date": int(time.time()), "invite_link": self.server.api.invite_link_json(link),
        })
        return web.json_response({"joined": False, "requested": True})

    # -- observing and breaking ---------------------------------------------------------------

    async def get_log(self, request: web.Request) -> web.Response:
        return web.json_response(self.server.call_log)

    async def update_counter(self, request: web.Request) -> web.Response:
        return web.json_response({"next_update_id": self.state.next_update_id, "pending": len(self.state.updates)})

    async def jump_update_counter(self, request: web.Request) -> web.Response:
        """`{"next_update_id": N}`: renumber updates from N, as Telegram does after a quiet week."""
        body = await _body(request)
        wanted = _int(body, "next_update_id")
        if not 0 < wanted <= MAX_UPDATE_ID:
            raise ControlError(f"'next_update_id' must be between 1 and {MAX_UPDATE_ID}")
        try:
            self.server.jump_update_counter(wanted)
        except ValueError as exc:
            raise ControlError(str(exc), 409) from None
        return web.json_response({"next_update_id": wanted, "pending": 0})

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await _body(request)
        status = body.get("status")
        if status not in (429, 500, "drop", "mixed"):
            raise ControlError("'status' must be 429, 500, \"drop\" or \"mixed\"")
        rate = float(body.get("rate", 1.0))
        if not 0.0 < rate <= 1.0:
            raise ControlError("'rate' must be in (0, 1]")
        fault = Fault(status, int(body.get("count", 1)), body.get("method"), int(body.get("retry_after", 1)), rate)
        self.server.add_fault(fault)
        return web.json_response({"ok": True})

    def _features(self) -> dict[str, bool]:
        return {"ephemeral": self.state.ephemeral_supported, "disabled_buttons": self.state.disabled_buttons_supported}

    async def get_features(self, request: web.Request) -> web.Response:
        return web.json_response(self._features())

    async def set_features(self, request: web.Request) -> web.Response:
        """Play an older Bot API server: `{"ephemeral": false}` ignores ephemeral_message_parameters
        and posts such messages for everyone (before Bot API 10.2); `{"disabled_buttons": false}`
        refuses a disabled button as a button of no type (before 10.3)."""
        body = await _body(request)
        unknown = set(body) - {"ephemeral", "disabled_buttons"}
        if unknown or not all(isinstance(value, bool) for value in body.values()):
            raise ControlError("features: 'ephemeral' and 'disabled_buttons', each true or false")
        self.state.ephemeral_supported = body.get("ephemeral", self.state.ephemeral_supported)
        self.state.disabled_buttons_supported = body.get("disabled_buttons", self.state.disabled_buttons_supported)
        self.server._changed()
        return web.json_response(self._features())
