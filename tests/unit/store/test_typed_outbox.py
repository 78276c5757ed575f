"""The typed outbox: what a row is lives in its columns, not in its key. Rows queued before the
upgrade (migration 0008) get their columns from their keys, and are delivered with the same
consequences as before; invitation attempts are counted from a column."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram.error import Forbidden

from bot.clock import FakeClock
from bot.config import shipped_dir
from bot.domain.outbox import MessageKind, Outgoing
from bot.services.kernel.context import AppContext
from bot.store import migrations
from bot.store.datakeys import deployment_data_key, load_data_key
from bot.store.db import Database
from bot.store.repos import outbox
from bot.telegram.sender import OutboxSender
from tests.support import KeywordGuard
from tests.support.flow import GROUP, MOIT, events, open_one

LEGACY_KEYS = {  # key -> (kind, consultation, person, for person, attempt, depends on)
    "topic:1": ("topic", 1, None, None, None, None),
    "card:1": ("card", 1, None, None, None, "topic"),
    "pin:1": ("pin", 1, None, None, None, "card"),
    "card-edit:1:3": ("card-edit", 1, None, None, None, "card"),
    "invite:1:moit-1:2": ("invite", 1, "moit-1", None, 2, None),
    "part:1:invite:1:moit-1:2": ("part", 1, None, None, None, None),
    "escalate:1:moit-1:moit-2": ("escalate", 1, "moit-2", "moit-1", None, None),
    "escalate:1:coordinator:9": ("escalate-notice", 1, None, None, None, None),
    "unreachable:1:jkt-2": ("unreachable", 1, "jkt-2", None, None, "topic"),
    "relay:6001:12": ("relay", 1, None, None, None, "topic"),
    "part:2:relay:6001:12": ("part", 1, None, None, None, "topic"),
    "extend:1:moit-1:2026-01-01T10:00:00+00:00": ("extend", 1, "moit-1", None, None, None),
    "member:1:moit-1": ("member", 1, "moit-1", None, None, None),
    "blocked-notice:-100:0:tg:5:1": ("blocked-notice", 1, None, None, None, None),
    "reply:7@t:1": ("reply", 1, None, None, None, None),
    "invite:1:moit-1:back12": ("invite", 1, "moit-1", None, None, None),
    "stand-in:1:moit-1:moit-2:invite1": ("stand-in", 1, "moit-2", "moit-1", None, None),
    "uncovered:1:moit-1:1767225600": ("uncovered", 1, "moit-1", None, None, None),
    "rebound:moit-1:7@t": ("rebound", 1, "moit-1", None, None, None),
    "stats-chart:7@t": ("stats-chart", 1, None, None, None, None),
    "t:1": (None, 1, None, None, None, None),
}


async def test_the_upgrade_reads_each_rows_kind_and_subject_from_its_key(tmp_path: Path) -> None:
    before = tmp_path / "before"
    before.mkdir()
    for path in shipped_dir("migrations").glob("*.sql"):
        if int(path.name[:4]) < 8:
            shutil.copy(path, before / path.name)
    db = await Database.open(tmp_path / "c.db")
    try:
        await migrations.upgrade(db, before, FakeClock())
        async with db.transaction() as tx:
            for id_, key in enumerate(LEGACY_KEYS, start=1):
                await tx.execute("INSERT INTO outbox (id, dedup_key, key_owner, chat_id, method, payload_enc,"
                                 " not_before, created_at) VALUES (?, ?, 1, 5, 'sendMessage', x'00', 't', 't')",
                                 (id_, key))
        applied = await migrations.upgrade(db, shipped_dir("migrations"), FakeClock())
        assert 8 in [m.version for m in applied]
        async with db.reading() as tx:
            rows = await tx.fetchall("SELECT dedup_key, kind, consultation_id, person_key, for_person_key, attempt,"
                                     " depends_on FROM outbox ORDER BY id")
        assert {r[0]: tuple(r)[1:] for r in rows} == LEGACY_KEYS
    finally:
        await db.close()


class Telegram:
    """Answers like Telegram; refuses private messages to `forbidden` chats with 403."""

    def __init__(self, forbidden: int | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.forbidden = forbidden

    async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((method, dict(api_kwargs)))
        if api_kwargs.get("chat_id") == self.forbidden:
            raise Forbidden("Forbidden: bot can't initiate conversation with a user")
        return {"message_id": 100 + len(self.calls), "message_thread_id": 7}


async def _drain(ctx: AppContext, sender: OutboxSender) -> None:
    for _ in range(40):
        await sender.tick()
        await asyncio.gather(*sender._tasks)
        async with ctx.db.reading() as tx:
            if not await outbox.pending_count(tx):
                return
        assert isinstance(ctx.clock, FakeClock)
        ctx.clock.advance(timedelta(seconds=1))  # a row waiting for its dependency is looked at again half a second on


async def _as_before_the_upgrade(ctx: AppContext) -> None:
    """Queue the opening of consultation 1 as the code before migration 0008 did — placeholders in
    the payloads, meaning only in the keys — and let the migration read the keys."""
    async with ctx.db.transaction() as tx:
        await tx.execute("DELETE FROM outbox")
        key = await _data_key(ctx, tx)
        legacy = [
            ("topic:1", GROUP, "createForumTopic", {"chat_id": GROUP, "name": "#1"}),
            ("card:1", GROUP, "sendMessage", {"chat_id": GROUP, "$thread": 1, "$render": "card", "consultation": 1}),
            ("pin:1", GROUP, "pinChatMessage", {"chat_id": GROUP, "$message_id": "card:1",
                                                "disable_notification": True}),
            ("invite:1:moit-1:1", MOIT, "sendMessage", {"chat_id": MOIT, "text": "Mời trả lời"}),
        ]
        for dedup_key, chat, method, payload in legacy:
            await outbox.enqueue(tx, key, dedup_key=dedup_key, chat_id=chat, method=method, payload=payload,
                                 not_before=ctx.clock.now())
        sql = (shipped_dir("migrations") / "0008_typed_outbox.sql").read_text(encoding="utf-8")
        for statement in migrations.split_statements(sql):
            code = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
            if code.startswith("UPDATE"):  # the backfill, not the new columns (they exist already)
                await tx.execute(code)


async def _data_key(ctx: AppContext, tx: Any) -> Any:
    return await load_data_key(tx, ctx.keys, 1)


async def test_rows_queued_before_the_upgrade_are_delivered_with_their_consequences(rostered: AppContext) -> None:
    rostered = replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())
    await open_one(rostered)
    await _as_before_the_upgrade(rostered)
    telegram = Telegram()
    await _drain(rostered, OutboxSender(rostered, telegram))  # type: ignore[arg-type]
    in_group = [(index, method, params) for index, (method, params) in enumerate(telegram.calls)
                if params["chat_id"] == GROUP]
    card_message_id = 101 + in_group[1][0]  # what Telegram answered the card with
    assert [(method, params.get("message_thread_id"), params.get("message_id")) for _, method, params in in_group] \
        == [("createForumTopic", None, None), ("sendMessage", 7, None), ("pinChatMessage", None, card_message_id)]
    card = in_group[1][2]
    assert "#1" in card["text"] and not any(name.startswith("$") or name == "consultation" for name in card)
    async with rostered.db.reading() as tx:
        assert await tx.fetchval("SELECT thread_id FROM consultations WHERE id = 1") == 7
        assert await tx.fetchval("SELECT status_message_id FROM consultations WHERE id = 1") == card_message_id
        prompt = await tx.fetchone("SELECT person_key, for_person_key FROM answer_prompts WHERE chat_id = ?", (MOIT,))
        assert prompt is not None and tuple(prompt) == ("moit-1", "moit-1")


async def test_a_refused_invitation_queued_before_the_upgrade_makes_its_invitee_unreachable(
        rostered: AppContext) -> None:
    rostered = replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())
    await open_one(rostered)
    await _as_before_the_upgrade(rostered)
    await _drain(rostered, OutboxSender(rostered, Telegram(forbidden=MOIT)))  # type: ignore[arg-type]
    assert [e["actor"] for e in await events(rostered, "unreachable")] == ["moit-1"]
    async with rostered.db.reading() as tx:
        assert await tx.fetchval("SELECT reachable FROM participants WHERE person_key = 'moit-1'") == 0
        assert await tx.fetchval("SELECT state FROM outbox WHERE dedup_key = 'unreachable:1:moit-1'") == "sent"


async def test_invitation_attempts_are_counted_from_their_column(rostered: AppContext) -> None:
    async with rostered.db.transaction() as tx:
        key = await _key0(rostered, tx)
        for person, attempt in (("moit-1", 1), ("moit-1", 2), ("moit_1", 1), ("moit-10", 1)):
            message = Outgoing(MessageKind.INVITE, (1, person, attempt), 5, "sendMessage", {"chat_id": 5},
                               consultation_id=1, person_key=person, attempt=attempt)
            assert await outbox.insert_if_new(tx, await outbox.sealed_row(
                tx, key, dedup_key=message.dedup_key, chat_id=5, method="sendMessage", payload={},
                not_before=rostered.clock.now(), message=message))
        assert await outbox.invitations_queued(tx, 1, "moit-1") == 2  # not moit_1 (LIKE's `_`), not moit-10
        assert await outbox.invitations_queued(tx, 2, "moit-1") == 0


async def _key0(ctx: AppContext, tx: Any) -> Any:
    return await deployment_data_key(tx, ctx.keys, ctx.clock)
