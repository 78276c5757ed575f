"""Every block is a case on the officer's desk (issue #29): metadata and an audit event, never the
content — a text keeps its keyed hash, a file its type, size and SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import answering
from bot.services.context import AppContext
from bot.services.incoming import Attachment, Incoming
from bot.store.repos import guard_cases
from tests.support import KeywordGuard
from tests.support.flow import GROUP, NSV, run

CANARY = "TỐI MẬT kế-hoạch-canary-7f3e"
FILE_CANARY = b"%PDF-1.4 file-canary-91ab"


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def _all_cases(ctx: AppContext) -> list[guard_cases.Case]:
    async with ctx.db.reading() as tx:
        return await guard_cases.cases_since(tx, ctx.clock.now().replace(year=2000))


async def _case_events(ctx: AppContext) -> list[dict[str, object]]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT actor, data FROM events WHERE type = 'guard_case' ORDER BY seq")
    return [{"actor": row["actor"], **json.loads(row["data"])} for row in rows]


async def test_a_blocked_text_in_the_group_is_a_case_with_its_keyed_hash(ctx: AppContext) -> None:
    message = Incoming(NSV, GROUP, 10, CANARY)
    await run(ctx, NSV, "comment", lambda uow: answering.comment(uow, message), chat_id=GROUP)
    [case] = await _all_cases(ctx)
    assert case.case.actor == "nsv-1" and case.case.agency == "asean-nsv" and case.case.user_id == NSV
    assert (case.case.place, case.case.source, case.case.level, case.case.rule) == ("group", "text", "toi_mat", "test")
    assert case.case.content_hmac and case.case.file_sha256 is None and case.case.file_size is None
    assert case.decision is None and case.reported_at is None
    [event] = await _case_events(ctx)
    assert event["case"] == case.id and event["actor"] == "nsv-1" and event["content_hmac"] == case.case.content_hmac


async def test_a_blocked_file_keeps_its_type_size_and_sha256_never_its_bytes(ctx: AppContext,
                                                                             settings: Settings) -> None:
    attachment = Attachment("ke-hoach.pdf", FILE_CANARY, "application/pdf", "file-1")
    message = Incoming(NSV, NSV, 11, "", attachment=attachment)
    await run(ctx, NSV, "comment", lambda uow: answering.comment(uow, message))
    [case] = await _all_cases(ctx)
    assert (case.case.place, case.case.source, case.case.file_type) == ("private", "file", "application/pdf")
    assert case.case.file_size == len(FILE_CANARY)
    assert case.case.file_sha256 == hashlib.sha256(FILE_CANARY).hexdigest()
    stored = b"".join(path.read_bytes() for path in Path(settings.data_dir).rglob("*") if path.is_file())
    assert b"file-canary" not in stored and b"ke-hoach" not in stored


async def test_nothing_of_a_blocked_text_reaches_the_database(ctx: AppContext, settings: Settings) -> None:
    message = Incoming(NSV, GROUP, 12, CANARY)
    await run(ctx, NSV, "comment", lambda uow: answering.comment(uow, message), chat_id=GROUP)
    assert len(await _all_cases(ctx)) == 1
    stored = b"".join(path.read_bytes() for path in Path(settings.data_dir).rglob("*") if path.is_file())
    assert b"canary-7f3e" not in stored
