"""End to end: the real bot against the sandbox, the example roster's people, and what they see."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.clock import Clock, SystemClock
from bot.composition import default_guard, open_context
from bot.config import Settings, shipped_dir
from bot.policy.files import load_roster, load_routing
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer, SeedPerson
from bot.services.kernel.context import AppContext
from bot.services.people.roster import import_roster_file
from bot.telegram.endpoint import Endpoint
from tests.support.paths import EXAMPLE_ROSTER

TOKEN = "5000000001:test-token"


def seed(server: SandboxServer) -> int:
    roster = load_roster(EXAMPLE_ROSTER, load_routing(shipped_dir("policies")))
    return server.seed_roster([SeedPerson(p.telegram_user_id, p.name) for p in roster.people
                               if p.telegram_user_id is not None])


@asynccontextmanager
async def running_bot(settings: Settings, server: SandboxServer, roster: Path,
                      group: int | None = None, clock: Clock | None = None) -> AsyncIterator[BotRunner]:
    """The real bot in this process against `server`, with `roster` imported; stopped on exit."""
    group_chat_id = group if group is not None else server.group_chat_id
    async with open_context(settings, clock or SystemClock(), group_chat_id=group_chat_id,
                            guard=default_guard(settings)) as ctx:
        await import_roster_file(ctx, roster)
        runner = BotRunner(ctx, Endpoint.for_api_url(TOKEN, server.api_url))
        await runner.start()
        try:
            yield runner
        finally:
            await runner.stop()


COORD, MOIT, NSV, MOF, JKT, MOHA = 1001, 2001, 6001, 4001, 7001, 3001


async def last_bot_text(client: SandboxClient, chat_id: int, contains: str, thread_id: int | None = None) -> Any:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat_id, thread_id) if contains in (m.get("text") or "")]
        return found[-1] if found else None
    return await eventually(probe, what=f"a bot message containing {contains!r} in chat {chat_id}")


async def open_topic(client: SandboxClient, sandbox: SandboxServer) -> tuple[int, int, dict[str, Any]]:
    group = sandbox.group_chat_id
    assert group is not None
    await client.send_message(COORD, text="/urgent 2h aec: Ý kiến về dự thảo")
    invitation = await last_bot_text(client, MOIT, "Tham vấn khẩn #1")

    async def topic() -> Any:
        topics = await client.topics(group)
        return topics[0]["message_thread_id"] if topics else None
    return group, await eventually(topic, what="the topic"), invitation


async def visible_ids(client: SandboxClient, chat: int, thread: int | None = None) -> set[int]:
    return {m["message_id"] for m in await client.messages(chat, thread)}


async def stored_messages(ctx: AppContext) -> list[Any]:
    async with ctx.db.reading() as tx:
        return await tx.fetchall("SELECT guard_action, guard_level, body_enc FROM messages ORDER BY id")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def forge_press(sandbox: SandboxServer, user_id: int, message_id: int, data: str) -> str:
    """What the sandbox's control API refuses to do (press data the message does not carry), put
    straight into the update queue, as a modified client talking to Telegram could."""
    query_id = f"forged-{time.monotonic_ns()}"
    user = sandbox.state.user(user_id)
    message = sandbox.state.message(user_id, message_id)
    assert user is not None and message is not None
    sandbox.state.callbacks[query_id] = {"answered": False, "from": user_id, "pressed_at": time.time()}
    await sandbox.push_update("callback_query", {"id": query_id, "from": user.as_telegram(), "message": message,
                                                 "chat_instance": str(user_id), "data": data})
    return query_id
