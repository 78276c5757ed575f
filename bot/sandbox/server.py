"""The sandbox HTTP server: Telegram's Bot API, a control API, and the web chat page.

The real bot reaches it through python-telegram-bot's `base_url` and cannot tell it from Telegram.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.control import ControlApi
from bot.sandbox.limits import Fault, Faults, FloodControl, FloodLimits
from bot.sandbox.methods import BotApi
from bot.sandbox.origin import control_guard
from bot.sandbox.params import BotApiError, read_params
from bot.sandbox.state import Chat, SandboxState, User

log = logging.getLogger(__name__)

TOKEN = re.compile(r"(\d+):[A-Za-z0-9_-]+")
WEB_DIR = Path(__file__).resolve().parent / "web"
GROUP_TITLE = "Điều phối ASEAN"
# Any well-formed token works against the sandbox; this one is used where none is configured.
SANDBOX_TOKEN = "5000000001:sandbox-token"  # noqa: S105 - not a secret
FUTURE_OFFSET_SLACK = 10


@dataclass(frozen=True)
class SeedPerson:
    telegram_user_id: int
    name: str
    username: str | None = None
    language_code: str | None = "vi"
    role: str | None = None  # the roster's roles and agency as people read them, for the page's picker
    agency: str | None = None


class SandboxServer:
    def __init__(self, *, rate_limits: bool = True, state_file: Path | None = None,
                 bot_username: str = "rapid_consult_bot", limits: FloodLimits | None = None) -> None:
        self.state_file = state_file
        if state_file is not None and state_file.exists():
            self.state = SandboxState.load(state_file)
        else:
            self.state = SandboxState(bot_username=bot_username)
        self.flood = FloodControl(limits) if rate_limits else None
        self.faults = Faults()
        self.call_log: list[dict[str, Any]] = []
        self.api = BotApi(self.state, self._changed)
        self.control = ControlApi(self)
        self._updates_changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_wakeup = asyncio.Event()
        self._save_handle: asyncio.TimerHandle | None = None
        self.host = "127.0.0.1"
        self.port = 0
        self._closing = False

    # -- lifecycle ----------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024,
                              middlewares=[control_guard(lambda: self.host, lambda: self.port)])
        app.router.add_route("*", "/bot{token}/{method}", self._bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self.control.register(app)
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", WEB_DIR)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port)
        await self._site.start()
        server = self._site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.host = host
        self.port = sockets[0].getsockname()[1] if sockets else port
        if self.state.webhook_url:
            self._start_webhook()

    async def stop(self) -> None:
        self._closing = True
        async with self._updates_changed:  # wake long polls so shutdown need not wait them out
            self._updates_changed.notify_all()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        self.save()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/bot"

    @property
    def file_url(self) -> str:
        return self.base_url + "/file/bot"

    @property
    def group_chat_id(self) -> int | None:
        forums = [c for c in self.state.chats.values() if c.type == "supergroup" and c.is_forum]
        return forums[0].id if forums else None

    def seed_roster(self, people: list[SeedPerson]) -> int:
        """Users who have started the bot, and one forum supergroup holding them all, the bot admin."""
        for person in people:
            self.state.users[str(person.telegram_user_id)] = User(
                person.telegram_user_id, person.name, person.username, person.language_code, started=True,
                role=person.role, agency=person.agency)
        group = self.group_chat_id or -1001000000001
        chat = self.state.chat(group) or Chat(id=group, type="supergroup", title=GROUP_TITLE, is_forum=True)
        chat.members = sorted({*chat.members, *(p.telegram_user_id for p in people)})
        self.state.chats[str(group)] = chat
        self._changed()
        return group

    # -- persistence and notification --------------------------------------------------------

    def _changed(self) -> None:
        if self.state_file is None:
            return
        if self._save_handle is None:
            self._save_handle = asyncio.get_running_loop().call_later(0.2, self.save)

    def save(self) -> None:
        self._save_handle = None
        if self.state_file is not None:
            self.state.save(self.state_file)

    def continue_after(self, update_id: int | None) -> None:
        """Number new updates after `update_id` (the last one a bot handled) if the saved counter
        is behind it: a sandbox killed before its state was written must not hand out ids the
        bot already took, which it would ignore as redeliveries."""
        if update_id is not None and self.state.next_update_id <= update_id and not self.state.updates:
            self.state.next_update_id = update_id + 1
            self._changed()

    def jump_update_counter(self, next_update_id: int) -> None:
        """Number the next update `next_update_id`, as Telegram does at random after a week
        without updates: refused while updates wait, since Telegram only renumbers an empty queue."""
        if self.state.updates:
            raise ValueError(f"{len(self.state.updates)} updates are waiting; Telegram renumbers only "
                             "an empty queue (after a week without updates)")
        self.state.next_update_id = next_update_id
        self._changed()

    async def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = self.state.push_update(kind, payload)
        self._changed()
        self._webhook_wakeup.set()
        async with self._updates_changed:
            self._updates_changed.notify_all()
        return update

    # -- Bot API ------------------------------------------------------------------------------

    async def _bot_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"]
        if not TOKEN.fullmatch(token):
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        started = time.time()
        params: dict[str, Any] = {}
        try:
            params, files = await read_params(request)
            for name, (file_name, _, _) in files.items():  # the log names uploads, not their bytes
                if not any(value == f"attach://{name}" for value in params.values()):
                    params.setdefault(name, f"attach://{file_name}")
            fault = self.faults.take(method)
            if fault is not None:
                if fault.status == "drop":
                    self._log(method, params, None, {"error_code": 0, "description": "connection dropped"}, started)
                    if request.transport is not None:
                        request.transport.abort()
                    raise ConnectionResetError("dropped by fault injection")
                raise BotApiError(int(fault.status),
                                  f"Too Many Requests: retry after {fault.retry_after}" if fault.status == 429
                                  else "Internal Server Error",
                                  {"retry_after": fault.retry_after} if fault.status == 429 else None)
            if self.flood is not None:
                chat_id = params.get("chat_id")
                retry_after = self.flood.check(method, chat_id if isinstance(chat_id, int) else None)
                if retry_after is not None:
                    raise BotApiError(429, f"Too Many Requests: retry after {retry_after}",
                                      {"retry_after": retry_after})
            result = await self._call(method, params, files)
        except BotApiError as error:
            self._log(method, params, None, {"error_code": error.code, "description": error.description}, started)
            return web.json_response(error.as_json(), status=error.code if error.code != 0 else 400)
        self._log(method, params, result, None, started)
        return web.json_response({"ok": True, "result": result})

    async def _call(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "setWebhook":
            return self._set_webhook(params)
        if method == "deleteWebhook":
            self.state.webhook_url = None
            if params.get("drop_pending_updates"):
                self.state.updates.clear()
            return True
        if method == "getWebhookInfo":
            return {"url": self.state.webhook_url or "", "has_custom_certificate": False,
                    "pending_update_count": len(self.state.updates)}
        handler = getattr(self.api, method, None) if method[:1].islower() else None
        if handler is None or method.startswith("_") or not callable(handler):
            raise BotApiError(404, "Not Found: method not found")
        return await handler(params, files)

    def _log(self, method: str, params: dict[str, Any], result: Any, error: dict[str, Any] | None,
             at: float) -> None:
        self.call_log.append({"method": method, "params": params, "result": result, "error": error, "time": at})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.state.webhook_url:
            raise BotApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                   "use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        # An offset beyond the next id by more than a few (telegram-bot-api allows 10) comes from
        # before a renumbering: Telegram then answers from the head of its queue and confirms
        # nothing, so a bot that adopts the ids it is given carries on (see jump_update_counter).
        if isinstance(offset, int) and 0 < offset <= self.state.next_update_id + FUTURE_OFFSET_SLACK:
            self.state.updates = [u for u in self.state.updates if u["update_id"] >= offset]
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0, min(50, int(params.get("timeout") or 0)))
        deadline = time.monotonic() + timeout
        allowed = params.get("allowed_updates")
        while True:
            pending = [u for u in self.state.updates
                       if not allowed or any(k in u for k in allowed)][:limit]
            if pending or time.monotonic() >= deadline or self._closing:
                return pending
            async with self._updates_changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._updates_changed.wait(), deadline - time.monotonic())

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or None
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise BotApiError(400, "Bad Request: secret token contains unallowed characters")
        self.state.webhook_url = url
        self.state.webhook_secret = secret
        if url:
            self._start_webhook()
        if params.get("drop_pending_updates"):
            self.state.updates.clear()
        self._changed()
        return True

    def _start_webhook(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_webhook())

    async def _deliver_webhook(self) -> None:
        """POST each update to the webhook, with the secret header, until it answers 200."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while self.state.webhook_url:
                if not self.state.updates:
                    # An Event, not the Condition getUpdates waits on: a cancelled Condition.wait
                    # must re-take its lock, which could hold up stop() indefinitely.
                    self._webhook_wakeup.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._webhook_wakeup.wait(), 1.0)
                    continue
                update = self.state.updates[0]
                headers = {"X-Telegram-Bot-Api-Secret-Token": self.state.webhook_secret or ""}
                if not self.state.webhook_secret:
                    headers = {}
                try:
                    async with session.post(self.state.webhook_url, json=update, headers=headers) as response:
                        delivered = response.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    delivered = False
                if delivered:
                    self.state.updates.pop(0)
                    self._changed()
                else:
                    await asyncio.sleep(0.5)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if not TOKEN.fullmatch(request.match_info["token"]):
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        path = request.match_info["path"]
        for stored in self.state.files.values():
            if stored.path == path:
                return web.Response(body=base64.b64decode(stored.content_b64), content_type=stored.mime_type)
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(WEB_DIR / "index.html")

    def add_fault(self, fault: Fault) -> None:
        self.faults.add(fault)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
