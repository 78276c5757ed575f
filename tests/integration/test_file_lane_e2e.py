"""Files are read in a lane of their own (issue 23 §2): polling keeps reading past any number of
updates behind a file, and a file update whose read a stop interrupted is handled at the next start
as unjudged — removed from the group, its sender asked to send it again."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from bot.services.kernel.file_checks import FileChecks
from bot.telegram import polling
from bot.telegram.endpoint import Endpoint
from bot.telegram.lanes import Slots
from tests.support.e2e import COORD, MOIT, NSV, TOKEN, last_bot_text, open_topic, visible_ids
from tests.support.held_judge import HeldJudge

STRANGER = 9090909

pytestmark = pytest.mark.slow


def picture() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(image, "PNG")
    return image.getvalue()


async def held_rows(ctx: AppContext) -> int:
    async with ctx.db.reading() as tx:
        return int(await tx.fetchval("SELECT count(*) FROM held_files"))


async def test_polling_reads_on_past_more_updates_than_a_batch_while_a_file_is_read(
        app_context: AppContext, sandbox: SandboxServer, client: SandboxClient) -> None:
    judge = HeldJudge()
    runner = BotRunner(replace(app_context, file_checks=FileChecks(judge)),
                       Endpoint.for_api_url(TOKEN, sandbox.api_url))
    await runner.start()
    try:
        await client.send_message(NSV, text="ảnh", photo=picture())
        await eventually(lambda: asyncio.sleep(0, judge.reads), what="the file to be read")
        for _ in range(130):  # more than one getUpdates batch (100) behind the file
            await client.send_message(MOIT, text="/whoami")

        async def all_handled() -> bool:  # (their answers leave at Telegram's pace of one a second a chat)
            async with runner.ctx.db.reading() as tx:
                return int(await tx.fetchval("SELECT count(*) FROM processed_updates")) >= 130
        await eventually(all_handled, within=30, what="every /whoami behind the file to be handled")
        assert not judge.release.is_set() and await held_rows(runner.ctx) == 1
        await eventually(lambda: asyncio.sleep(0, not sandbox.state.updates), what="everything to be confirmed")
    finally:
        judge.release.set()
        await runner.stop()


async def test_a_file_whose_read_a_stop_interrupted_is_removed_and_its_sender_asked_again(
        app_context: AppContext, sandbox: SandboxServer, client: SandboxClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(polling, "DRAIN_SECONDS", 0.2)
    judge = HeldJudge()
    endpoint = Endpoint.for_api_url(TOKEN, sandbox.api_url)
    first = BotRunner(replace(app_context, file_checks=FileChecks(judge)), endpoint)
    await first.start()
    group, thread, _ = await open_topic(client, sandbox)
    try:
        sent = await client.send_message(NSV, group, "Sơ đồ", thread_id=thread, photo=picture())
        await eventually(lambda: asyncio.sleep(0, judge.reads), what="the file to be read")
        await eventually(lambda: asyncio.sleep(0, not sandbox.state.updates), what="the file update to be confirmed")
    finally:
        await first.stop()  # mid-read: what a kill leaves too (the hold is committed, the offset confirmed)
    assert await held_rows(app_context) == 1 and sent in await visible_ids(client, group, thread)

    second = BotRunner(app_context, endpoint)
    await second.start()
    try:
        assert sent not in await visible_ids(client, group, thread)  # removed during the start, unjudged
        await last_bot_text(client, NSV, "Xin anh/chị gửi lại")
        assert await held_rows(app_context) == 0
        async with app_context.db.reading() as tx:
            row = await tx.fetchone("SELECT handler, chat_id, user_id FROM failed_updates")
        assert row is not None and (row["handler"], row["chat_id"], row["user_id"]) == (
            "file read interrupted", group, NSV)
    finally:
        await second.stop()


async def test_a_stamped_caption_is_removed_at_once_without_reading_its_file(
        app_context: AppContext, sandbox: SandboxServer, client: SandboxClient) -> None:
    judge = HeldJudge()  # would hold any read until the end of the test
    runner = BotRunner(replace(app_context, file_checks=FileChecks(judge)),
                       Endpoint.for_api_url(TOKEN, sandbox.api_url))
    await runner.start()
    try:
        group, thread, _ = await open_topic(client, sandbox)
        sent = await client.send_message(NSV, group, "TỐI MẬT", thread_id=thread, photo=picture())

        async def removed() -> bool:
            return sent not in await visible_ids(client, group, thread)
        await eventually(removed, within=2.0, what="the stamped caption to be removed at once")
        assert judge.reads == 0
    finally:
        judge.release.set()
        await runner.stop()


class Recorder:
    """Stands in for the guard's workers: records which files are read, each held until released."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}

    async def judge_file(self, file_name: str, content: bytes, mime_type: str | None = None) -> Any:
        from bot.guard.verdict import GuardAction, Verdict

        self.started.append(file_name)
        await self.gates.setdefault(file_name, asyncio.Event()).wait()
        return Verdict(GuardAction.ALLOW, None, "", (), "no-marking")


async def test_peoples_files_are_read_side_by_side_and_a_strangers_after_members(
        app_context: AppContext, sandbox: SandboxServer, client: SandboxClient) -> None:
    judge = Recorder()
    runner = BotRunner(replace(app_context, file_checks=FileChecks(judge, in_chat_order=False)),
                       Endpoint.for_api_url(TOKEN, sandbox.api_url))
    runner.lanes.files = Slots(2, per_key=1)  # two files at once, to see who waits
    await runner.start()
    try:
        group = sandbox.group_chat_id
        assert group is not None
        await client.add_user(STRANGER, "Người lạ")
        sandbox.state.chats[str(group)].members.append(STRANGER)
        await client.send_message(NSV, group, document=("a.pdf", b"%PDF-1.4 a"))
        await client.send_message(MOIT, group, document=("b.pdf", b"%PDF-1.4 b"))
        await eventually(lambda: asyncio.sleep(0, len(judge.started) == 2), what="two people's files read at once")
        await client.send_message(STRANGER, group, document=("stranger.pdf", b"%PDF-1.4 s"))
        await client.send_message(NSV, group, document=("a2.pdf", b"%PDF-1.4 a2"))  # behind a.pdf: same sender
        await client.send_message(COORD, group, document=("c.pdf", b"%PDF-1.4 c"))
        await eventually(lambda: held_count(runner, 5), what="every file held")
        await eventually(lambda: asyncio.sleep(0, len(runner.lanes.files._waiting) == 3),
                         what="the stranger's, the coordinator's and the second file to wait for a slot")
        judge.gates.setdefault("b.pdf", asyncio.Event()).set()
        await eventually(lambda: asyncio.sleep(0, len(judge.started) == 3), what="a third read")
        assert judge.started[2] == "c.pdf"  # a member's, before the stranger's that came first
        judge.gates.setdefault("a.pdf", asyncio.Event()).set()
        await eventually(lambda: asyncio.sleep(0, len(judge.started) == 4), what="a fourth read")
        assert judge.started[3] == "a2.pdf"
        for name in ("c.pdf", "a2.pdf", "stranger.pdf"):
            judge.gates.setdefault(name, asyncio.Event()).set()
        await eventually(lambda: asyncio.sleep(0, "stranger.pdf" in judge.started), what="the stranger's file read")
        await eventually(lambda: held_count(runner, 0), what="every hold released")
    finally:
        for gate in judge.gates.values():
            gate.set()
        await runner.stop()


async def held_count(runner: BotRunner, wanted: int) -> bool:
    return await held_rows(runner.ctx) == wanted


async def test_files_beyond_the_bound_stay_with_telegram_until_there_is_room(
        app_context: AppContext, sandbox: SandboxServer, client: SandboxClient) -> None:
    judge = Recorder()
    runner = BotRunner(replace(app_context, file_checks=FileChecks(judge, in_chat_order=False)),
                       Endpoint.for_api_url(TOKEN, sandbox.api_url))
    runner.lanes.holding = asyncio.Semaphore(2)  # two files held at most
    await runner.start()
    try:
        group = sandbox.group_chat_id
        assert group is not None
        for name, sender in (("a.pdf", NSV), ("b.pdf", MOIT), ("c.pdf", COORD)):
            await client.send_message(sender, group, document=(name, f"%PDF-1.4 {name}".encode()))
        await eventually(lambda: asyncio.sleep(0, len(judge.started) == 2), what="two files read")
        await client.send_message(MOIT, text="/whoami")  # quick updates still flow
        await last_bot_text(client, MOIT, "Trần Thị Bình")
        assert await held_rows(runner.ctx) == 2
        assert any((u.get("message") or {}).get("document", {}).get("file_name") == "c.pdf"
                   for u in sandbox.state.updates)  # not acknowledged: Telegram keeps it
        judge.gates.setdefault("a.pdf", asyncio.Event()).set()
        await eventually(lambda: asyncio.sleep(0, "c.pdf" in judge.started), what="the third file read")
    finally:
        for gate in judge.gates.values():
            gate.set()
        await runner.stop()
