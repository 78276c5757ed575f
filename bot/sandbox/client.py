"""A small async client for the sandbox's control API, for tests, drills and the demo."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp

T = TypeVar("T")


class SandboxClientError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class SandboxClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxClient:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self._session is not None, "use `async with SandboxClient(...)`"
        async with self._session.request(method, self.base_url + path, json=body) as response:
            data = await response.json(content_type=None)
            if response.status >= 400:
                raise SandboxClientError(response.status, str(data.get("description", data)))
            return data

    async def request_raw(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The JSON the sandbox answered, refusals included (for tests of the refusals themselves)."""
        assert self._session is not None, "use `async with SandboxClient(...)`"
        async with self._session.request(method, self.base_url + path, json=body) as response:
            return await response.json(content_type=None)

    async def _request_dict(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self._request(method, path, body)
        assert isinstance(result, dict)
        return result

    # -- setting up ---------------------------------------------------------------------------

    async def add_user(self, user_id: int, first_name: str, *, username: str | None = None,
                       language_code: str | None = "vi", started: bool = True,
                       last_name: str | None = None) -> dict[str, Any]:
        return await self._request_dict("POST", "/sandbox/users", {"id": user_id, "first_name": first_name,
                                                              "username": username, "language_code": language_code,
                                                              "started": started, "last_name": last_name})

    async def add_chat(self, chat_id: int, title: str, members: list[int], admins: list[int] | None = None,
                       *, is_forum: bool = True, bot_admin: bool = True,
                       bot_rights: dict[str, bool] | None = None) -> dict[str, Any]:
        return await self._request_dict("POST", "/sandbox/chats", {
            "id": chat_id, "type": "supergroup", "title": title, "is_forum": is_forum, "members": members,
            "admins": admins or [], "bot_admin": bot_admin, "bot_rights": bot_rights or {}})

    # -- acting -------------------------------------------------------------------------------

    async def send_message(self, user_id: int, chat_id: int | None = None, text: str | None = None, *,
                           thread_id: int | None = None, reply_to: int | None = None,
                           document: tuple[str, bytes] | None = None, forward_from: int | None = None,
                           photo: bytes | None = None) -> int:
        body: dict[str, Any] = {"from": user_id, "chat_id": chat_id if chat_id is not None else user_id}
        if text is not None:
            body["text"] = text
        if thread_id is not None:
            body["message_thread_id"] = thread_id
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        if forward_from is not None:
            body["forward_from"] = forward_from
        if document is not None:
            body["document"] = {"file_name": document[0], "content_b64": base64.b64encode(document[1]).decode()}
        if photo is not None:
            body["photo"] = {"content_b64": base64.b64encode(photo).decode()}
        return int((await self._request("POST", "/sandbox/messages", body))["message_id"])

    async def post_update(self, user_id: int, chat_id: int, message: dict[str, Any], *,
                          thread_id: int | None = None) -> int:
        """A message carrying any of Telegram's Message fields (a topic named, a title changed, a
        forward, an external reply...), as a member's client would cause it."""
        body: dict[str, Any] = {"from": user_id, "chat_id": chat_id, "message": message}
        if thread_id is not None:
            body["message_thread_id"] = thread_id
        return int((await self._request("POST", "/sandbox/updates", body))["message_id"])

    async def edit_message(self, user_id: int, chat_id: int, message_id: int, text: str) -> None:
        await self._request("POST", "/sandbox/edits",
                            {"from": user_id, "chat_id": chat_id, "message_id": message_id, "text": text})

    async def press_button(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        result = await self._request("POST", "/sandbox/callbacks",
                                     {"from": user_id, "chat_id": chat_id, "message_id": message_id, "data": data})
        return str(result["callback_query_id"])

    async def callback_state(self, query_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("GET", f"/sandbox/callbacks/{query_id}")
        return result

    async def join_request(self, user_id: int, invite_link: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._request("POST", "/sandbox/join_requests",
                                                     {"from": user_id, "invite_link": invite_link})
        return result

    # -- observing ----------------------------------------------------------------------------

    async def chats(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._request("GET", "/sandbox/chats")
        return result

    async def messages(self, chat_id: int, thread_id: int | None = None) -> list[dict[str, Any]]:
        query = f"?thread_id={thread_id}" if thread_id is not None else ""
        try:
            result: list[dict[str, Any]] = await self._request("GET", f"/sandbox/chats/{chat_id}/messages{query}")
        except SandboxClientError as error:
            if error.status == 404:
                return []
            raise
        return result

    async def bot_messages(self, chat_id: int, thread_id: int | None = None) -> list[dict[str, Any]]:
        return [m for m in await self.messages(chat_id, thread_id) if m["from"].get("is_bot")]

    async def topics(self, chat_id: int) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._request("GET", f"/sandbox/chats/{chat_id}/topics")
        return result

    async def log(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._request("GET", "/sandbox/log")
        return result

    async def update_counter(self) -> dict[str, int]:
        result: dict[str, int] = await self._request("GET", "/sandbox/update_counter")
        return result

    async def jump_update_counter(self, next_update_id: int) -> None:
        """Renumber the next updates from `next_update_id` (Telegram does so after a quiet week)."""
        await self._request("POST", "/sandbox/update_counter", {"next_update_id": next_update_id})

    async def inject_fault(self, status: int | str, count: int, *, method: str | None = None,
                           retry_after: int = 1, rate: float = 1.0) -> None:
        await self._request("POST", "/sandbox/faults", {"status": status, "count": count, "method": method,
                                                        "retry_after": retry_after, "rate": rate})


async def eventually(probe: Callable[[], Awaitable[T | None]], within: float = 10.0, interval: float = 0.05,
                     what: str = "condition") -> T:
    """Poll until `probe` returns something truthy; fail loudly with `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(interval)
