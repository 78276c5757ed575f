"""Where updates come in: the webhook when one is configured, long polling otherwise."""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from bot.runtime.tasks import Background
from bot.telegram.endpoint import Webhook
from bot.telegram.lanes import Lanes
from bot.telegram.polling import poll
from bot.telegram.webhook import WebhookServer


async def receive_updates(application: Application, webhook: Webhook | None, lanes: Lanes,  # type: ignore[type-arg]
                          stop_event: asyncio.Event, background: Background) -> WebhookServer | None:
    """Return the webhook's server, which must be stopped before the lanes are drained."""
    if webhook is not None:
        server = WebhookServer(application, webhook.listen, webhook.public_url, lanes)
        await server.start()
        return server
    # A webhook left by an earlier run would make every getUpdates fail with 409.
    await application.bot.delete_webhook(drop_pending_updates=False)
    background.spawn(poll(application, stop_event, lanes), "polling")
    return None
