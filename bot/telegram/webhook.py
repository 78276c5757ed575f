"""Webhook mode: Telegram POSTs each update to us; a request without our secret is refused.

The secret is random per start and registered with setWebhook, so a leaked one dies with the
process. An update is answered 200 only after it was processed (and its effects committed); a
failure answers 500, and Telegram redelivers — the processed-update ids make that harmless.
Updates are processed one at a time, in arrival order, exactly as long polling does.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.telegram.polling import ALLOWED_UPDATES, FAILED_KEY

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY = 1 << 20


def parse_listen(listen: str) -> tuple[str, int]:
    """`HOST:PORT` (or `[v6]:PORT`) -> its parts; a usage error names the value."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--listen wants HOST:PORT, got {listen!r}")
    return host.strip("[]"), int(port)


class WebhookServer:
    def __init__(self, application: Application, listen: str, public_url: str) -> None:  # type: ignore[type-arg]
        parts = urlsplit(public_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"--public-url must be an absolute URL, got {public_url!r}")
        self.application = application
        self.host, self.port = parse_listen(listen)
        self.public_url = public_url
        self.path = parts.path or "/"
        self.secret = secrets.token_urlsafe(32)
        self.refused = 0
        self._lock = asyncio.Lock()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._receive)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        await self.application.bot.set_webhook(
            self.public_url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES, max_connections=4,
        )
        log.info("webhook registered; listening on %s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.refused += 1
            log.warning("webhook request without the right secret token refused (from %s)", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            body = json.loads(await request.read())
            # JSON that is not an object with a numeric update_id (a list, null, a number) is a
            # bad request, not our failure: a 500 would have Telegram retry it for a day.
            if not isinstance(body, dict) or isinstance(body.get("update_id"), bool) \
                    or not isinstance(body.get("update_id"), int):
                raise ValueError("not an update object")
            update = Update.de_json(body, self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400, text="not an update")
        async with self._lock:
            self.application.bot_data.pop(FAILED_KEY, None)
            await self.application.process_update(update)
            failed = self.application.bot_data.get(FAILED_KEY) == update.update_id
        return web.Response(status=500 if failed else 200)
