"""Images through the sandbox and the real bot: stamped photos, image files and scans deleted from
a consultation's topic, clean ones relayed; files read in the guard's worker processes while the
bot goes on with other chats, a "checking the file…" note shown while one takes long."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image

from bot.guard.ocr import ocr_status
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from bot.services.kernel.file_checks import FileChecks
from bot.telegram.endpoint import Endpoint
from tests.support import image_corpus
from tests.support.e2e import MOIT, NSV, TOKEN, last_bot_text, open_topic, stored_messages, visible_ids
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow
requires_ocr = pytest.mark.skipif(not ocr_status().available, reason=ocr_status().detail)
OCR_WITHIN = 60.0  # a first file starts the workers; two busy cores


def jpeg(image: Image.Image) -> bytes:
    return image_corpus.encode(image, "JPEG", 85)


def stamped_page(text: str = "TỐI MẬT") -> Image.Image:
    page = image_corpus.page(image_corpus.LETTER)
    image_corpus.stamp(page, text, (820, 90))
    return page


async def gone(client: SandboxClient, chat: int, thread: int, message_id: int) -> bool:
    return message_id not in await visible_ids(client, chat, thread)


@requires_ocr
async def test_stamped_photo_image_file_and_scan_are_deleted_from_the_topic(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    photo = await client.send_message(NSV, group, "Ảnh văn bản", thread_id=thread,
                                      photo=jpeg(image_corpus.photographed(stamped_page(), -4)))
    png = await client.send_message(NSV, group, thread_id=thread,
                                    document=("van-ban.png", image_corpus.encode(stamped_page("MẬT"), "PNG")))
    scan = await client.send_message(NSV, group, thread_id=thread, document=(
        "scan.pdf", image_corpus.scanned_pdf(image_corpus.page(image_corpus.LETTER), stamped_page("TUYỆT MẬT"))))
    for sent in (photo, png, scan):
        await eventually(lambda sent=sent: gone(client, group, thread, sent), within=OCR_WITHIN,
                         what=f"stamped message {sent} to be deleted")
    async def three_recorded() -> list[Any] | None:  # the deletion goes first, the record after it
        rows = await stored_messages(app_context)
        return rows if len(rows) >= 3 else None

    rows = await eventually(three_recorded, within=OCR_WITHIN, what="three blocked messages recorded")
    assert sorted((r["guard_action"], r["guard_level"], r["body_enc"]) for r in rows) == [
        ("block", "mat", None), ("block", "toi_mat", None), ("block", "tuyet_mat", None)]
    told = await last_bot_text(client, NSV, "bị chặn")
    assert "Tuyệt mật" in told["text"] or "Tối mật" in told["text"] or "Mật" in told["text"]


@requires_ocr
async def test_clean_photo_and_scan_stay_in_the_topic_and_are_relayed_from_private(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group, thread, invitation = await open_topic(client, sandbox)
    chart = image_corpus.photographed(image_corpus.page(image_corpus.CHART), 2)
    letter = image_corpus.photographed(image_corpus.page(image_corpus.LETTER), -3)
    in_topic = await client.send_message(NSV, group, "Ảnh bảng", thread_id=thread, photo=jpeg(chart))
    await client.send_message(MOIT, reply_to=invitation["message_id"], text="Ảnh chụp công văn", photo=jpeg(letter))
    relayed_photo = await eventually(lambda: _bot_message_with(client, group, thread, "photo"), within=OCR_WITHIN,
                                     what="the relayed photo")
    assert "Ảnh chụp công văn" in relayed_photo["caption"]
    scan = image_corpus.scanned_pdf(image_corpus.page(image_corpus.LETTER))
    await client.send_message(MOIT, reply_to=invitation["message_id"], text="Bản quét",
                              document=("ban-quet.pdf", scan))
    relayed_scan = await eventually(lambda: _bot_message_with(client, group, thread, "document"), within=OCR_WITHIN,
                                    what="the relayed scan")
    assert relayed_scan["document"]["file_name"] == "ban-quet.pdf"

    async def all_judged() -> bool:  # the photo in the topic, the private photo and the private scan
        rows = await stored_messages(app_context)
        return len(rows) == 3 and all(r["guard_action"] == "allow" for r in rows)
    await eventually(all_judged, within=OCR_WITHIN, what="the three files to be judged and stored")
    assert in_topic in await visible_ids(client, group, thread)
    log = await client.log()
    assert_calls_valid(log)  # sendPhoto and getFile of a photo's size included
    sizes = next(m for m in await client.messages(group, thread) if m["message_id"] == in_topic)["photo"]
    fetched = {c["params"].get("file_id") for c in log if c["method"] == "getFile"}
    assert sizes[-1]["file_id"] in fetched  # the largest size that fits the limits is the one read


async def _bot_message_with(client: SandboxClient, chat: int, thread: int, kind: str) -> Any:
    found = [m for m in await client.bot_messages(chat, thread) if m.get(kind)]
    return found[-1] if found else None


class HeldJudge:
    """A stand-in for the worker pool whose verdicts wait until released: what is under test here
    is the bot's behaviour while a file is being read, not the reading."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def judge_file(self, file_name: str, content: bytes, mime_type: str | None = None) -> Any:
        from bot.guard.verdict import GuardAction, Verdict

        self.started.set()
        await self.release.wait()
        return Verdict(GuardAction.ALLOW, None, "", (), "no-marking")


async def test_a_slow_file_holds_up_nobody_and_shows_a_note_until_judged(
        client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    held = HeldJudge()  # the running bot's files go to this judge instead of the guard's workers
    runner = BotRunner(replace(app_context, file_checks=FileChecks(held, note_after=0.2)),
                       Endpoint.for_api_url(TOKEN, sandbox.api_url))
    await runner.start()
    try:
        group, thread, _ = await open_topic(client, sandbox)
        picture = io.BytesIO()
        Image.new("RGB", (400, 300), "white").save(picture, "PNG")
        sent = await client.send_message(NSV, group, "Sơ đồ", thread_id=thread, photo=picture.getvalue())
        await asyncio.wait_for(held.started.wait(), 30)
        note = await last_bot_text(client, group, "Đang kiểm tra", thread)
        assert note["reply_to_message"]["message_id"] == sent
        # Meanwhile another chat is answered, and a stamped text in the same topic is judged and
        # removed at once: it does not wait for the file before it.
        await client.send_message(MOIT, text="/whoami")
        await last_bot_text(client, MOIT, "Trần Thị Bình")
        later = await client.send_message(NSV, group, "TỐI MẬT", thread_id=thread)
        await eventually(lambda: gone(client, group, thread, later), what="the stamped text to be deleted at once")
        assert not held.release.is_set()
        # The file update is held in the database, so it is confirmed to Telegram while still read.
        async with runner.ctx.db.reading() as tx:
            assert await tx.fetchval("SELECT count(*) FROM held_files") == 1

        async def confirmed() -> bool:
            return not any(_is(u, group, sent) or _is(u, group, later) for u in sandbox.state.updates)
        await eventually(confirmed, what="the updates to be confirmed while the file is read")
        held.release.set()
        await eventually(lambda: _note_gone(client, group, thread, note["message_id"]), what="the note to be removed")
        assert sent in await visible_ids(client, group, thread)

        async def released() -> bool:
            async with runner.ctx.db.reading() as tx:
                return await tx.fetchval("SELECT count(*) FROM held_files") == 0
        await eventually(released, what="the file's hold to be released")
    finally:
        await runner.stop()


def _is(update: dict[str, Any], chat: int, message_id: int) -> bool:
    message = update.get("message") or {}
    return bool(message.get("message_id") == message_id and message.get("chat", {}).get("id") == chat)


async def _note_gone(client: SandboxClient, chat: int, thread: int, note_id: int) -> bool:
    return note_id not in await visible_ids(client, chat, thread)
