"""Webhook mode: Telegram POSTs each update to us; a request without our secret is refused.

The secret is random per start and registered with setWebhook, so a leaked one dies with the
process. Updates are handed to the lanes (bot/telegram/lanes.py) as they come, several at once: a
quick update is answered 200 once handled (milliseconds) or set aside, a file update as soon as it
is held in the database — its read goes on after the answer, and a redelivery of it is skipped.
A transient failure answers 500 after `ANSWER_SECONDS` and Telegram redelivers; a redelivery of an
update still in flight waits for the same work, never starts it twice.

The server is exposed to the Internet behind the proxy: a body that is not an update (too deep, an
integer beyond 64 bits, a message without its chat) is a 400, never our failure; headers and body
must arrive within their timeouts; connections are capped, the oldest idle one closed first, so
idle connections cannot take every file descriptor and stop delivery.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.telegram.lanes import MESSAGE_KINDS, Lanes
from bot.telegram.polling import ALLOWED_UPDATES

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY = 1 << 20
MAX_DEPTH = 64  # Telegram's updates nest a dozen levels (a reply's pinned message's ...)
INT64 = (-(1 << 63), (1 << 63) - 1)
HEADER_SECONDS = 10.0  # a connection must send its request's headers within this
BODY_SECONDS = 10.0
MAX_CONNECTIONS = 256  # well under systemd's LimitNOFILE=1024, with room for the database and the guard
ANSWER_SECONDS = 25.0  # a slow command (/report builds a DOCX); beyond it Telegram is told to come back


def parse_listen(listen: str) -> tuple[str, int]:
    """`HOST:PORT` (or `[v6]:PORT`) -> its parts; a usage error names the value."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--listen wants HOST:PORT, got {listen!r}")
    return host.strip("[]"), int(port)


def check_update(body: Any) -> None:
    """Raise ValueError unless `body` is shaped like an update: an object with an integer update_id,
    nesting at most MAX_DEPTH, every integer within 64 bits, every message with its chat and id."""
    if not isinstance(body, dict) or isinstance(body.get("update_id"), bool) \
            or not isinstance(body.get("update_id"), int):
        raise ValueError("not an update object")
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError("nested too deep")
        if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
            raise ValueError("an integer beyond 64 bits")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    for kind in MESSAGE_KINDS:
        message = body.get(kind)
        if message is not None and (not isinstance(message, dict) or not isinstance(message.get("chat"), dict)
                                    or not isinstance(message.get("message_id"), int)):
            raise ValueError("a message without its chat or id")


class Watched(asyncio.Protocol):
    """aiohttp's protocol for one connection, under a header deadline and the connection cap."""

    def __init__(self, inner: asyncio.Protocol, server: WebhookServer) -> None:
        self.inner = inner
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.headers_in = False
        self._tail = b""
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.admit(self)
        self._deadline = asyncio.get_running_loop().call_later(HEADER_SECONDS, self._too_slow)
        self.inner.connection_made(transport)

    def _too_slow(self) -> None:
        if not self.headers_in and self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if not self.headers_in:
            self._tail = (self._tail + data)[-(len(data) + 3):]
            if b"\r\n\r\n" in self._tail:
                self.headers_in = True
                if self._deadline is not None:
                    self._deadline.cancel()
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self.server.connections.pop(self, None)
        self.inner.connection_lost(exc)


class WebhookServer:
    def __init__(self, application: Application, listen: str, public_url: str,  # type: ignore[type-arg]
                 lanes: Lanes | None = None, max_connections: int | None = None) -> None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"--public-url must be an absolute URL, got {public_url!r}")
        self.application = application
        self.lanes = lanes or Lanes(application)
        self.host, self.port = parse_listen(listen)
        self.public_url = public_url
        self.path = parts.path or "/"
        self.secret = secrets.token_urlsafe(32)
        self.refused = 0
        self.max_connections = max_connections or MAX_CONNECTIONS
        self.connections: dict[Watched, None] = {}  # in arrival order: the first is the oldest
        self.in_flight: dict[int, asyncio.Future[None]] = {}
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._receive)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0, keepalive_timeout=HEADER_SECONDS)
        await self._runner.setup()
        factory = self._runner.server
        assert factory is not None
        self._server = await asyncio.get_running_loop().create_server(
            lambda: Watched(factory(), self), self.host, self.port)
        await self.application.bot.set_webhook(
            self.public_url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES, max_connections=4,
        )
        log.info("webhook registered; listening on %s:%s%s", self.host, self.port, self.path)

    def admit(self, connection: Watched) -> None:
        """Take a new connection; at the cap, close the oldest that has not sent its headers yet
        (or else the oldest of all)."""
        if len(self.connections) >= self.max_connections:
            idle = next((c for c in self.connections if not c.headers_in), None)
            victim = idle or next(iter(self.connections))
            self.connections.pop(victim, None)
            if victim.transport is not None:
                victim.transport.abort()
        self.connections[connection] = None

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.abort()
        await self.lanes.drain(2.0)

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.refused += 1
            log.warning("webhook request without the right secret token refused (from %s)", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            raw = await asyncio.wait_for(request.read(), BODY_SECONDS)
        except TimeoutError:
            return web.Response(status=408, text="body too slow")
        try:
            body = json.loads(raw)
            # Not an update is a bad request, not our failure: a 500 would have Telegram retry it for a day.
            check_update(body)
        except (ValueError, TypeError, RecursionError):
            return web.Response(status=400, text="not an update")
        update_id = int(body["update_id"])
        acked = self.in_flight.get(update_id)
        if acked is None:
            acked = self._hand_over(body)
            if not acked.done():
                self.in_flight[update_id] = acked
                acked.add_done_callback(lambda _: self.in_flight.pop(update_id, None))
        try:
            await asyncio.wait_for(asyncio.shield(acked), ANSWER_SECONDS)
        except TimeoutError:
            return web.Response(status=500)  # still retried (the database or the network): Telegram redelivers
        except asyncio.CancelledError:
            if acked.cancelled():  # the bot is stopping before it was handled
                return web.Response(status=500)
            raise
        return web.Response(status=200)

    def _hand_over(self, body: dict[str, Any]) -> asyncio.Future[None]:
        try:
            update = Update.de_json(body, self.application.bot)
        except Exception as error:  # whatever the library raises, the update is set aside
            return self.lanes.unparseable(body, error)
        return self.lanes.submit(update)
