"""The read-compute-send commands (/report, /stats, /export) share one staged helper: who may ask
is read in one snapshot, the long work is done outside any transaction, what it made is sent in one
unit of work, an expected error at any stage is answered once, and the answer is in the language of
the person asking (their /lang, else their Telegram client's) — /export used the deployment's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.errors import NotFoundError
from bot.services.dispatch import Asked, Origin, staged
from bot.services.kernel.access import private_caller
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork
from bot.store.db import Tx
from bot.store.repos import people
from bot.store.repos.people import PersonRecord
from tests.support import KeywordGuard
from tests.support.consultation import GROUP
from tests.support.flow import AUDITOR, outbox_rows, update_ids


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


def origin(language_code: str | None) -> Origin:
    return Origin(next(update_ids), AUDITOR, AUDITOR, None, language_code, "/export")


async def read(tx: Tx) -> tuple[PersonRecord, int]:
    return await private_caller(tx, AUDITOR, AUDITOR, "/export", "auditor"), 7


async def test_the_answer_is_in_the_askers_language_and_sent_in_one_unit_of_work(ctx: AppContext) -> None:
    seen: list[tuple[str, int, str]] = []

    async def make(asked: Asked[int]) -> str:
        return f"made {asked.read}"

    async def send(uow: UnitOfWork, asked: Asked[int], made: str) -> None:
        seen.append((asked.language, asked.read, made))
        await uow.reply(AUDITOR, made)

    await staged(ctx, origin("en"), read, make, send)  # no /lang: the client's language
    async with ctx.db.transaction() as tx:
        await people.set_language(tx, "auditor-1", "vi")
    await staged(ctx, origin("en"), read, make, send)  # /lang vi wins over the client
    assert seen == [("en", 7, "made 7"), ("vi", 7, "made 7")]
    assert [r["text"] for r in await outbox_rows(ctx) if r["chat"] == AUDITOR][-2:] == ["made 7", "made 7"]


@pytest.mark.parametrize("stage", ["read", "make"])
async def test_an_expected_error_at_any_stage_is_answered_once_and_nothing_is_sent(ctx: AppContext,
                                                                                    stage: str) -> None:
    sent: list[str] = []

    async def failing_read(tx: Tx) -> tuple[PersonRecord, int]:
        raise NotFoundError("no such consultation", consultation=9)

    async def make(asked: Asked[int]) -> str:
        if stage == "make":
            raise NotFoundError("no such consultation", consultation=9)
        return "x"

    async def send(uow: UnitOfWork, asked: Asked[int], made: str) -> None:
        sent.append(made)

    before = len(await outbox_rows(ctx))
    await staged(ctx, origin("vi"), failing_read if stage == "read" else read, make, send)
    answers = (await outbox_rows(ctx))[before:]
    assert sent == [] and len(answers) == 1 and answers[0]["chat"] == AUDITOR
