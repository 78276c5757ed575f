"""The security officer's desk end to end (#29), through the sandbox and the real bot: a block the
guard could not read is reported by its sender, released once by the officer, re-sent and let
through, re-sent again and blocked; a marked text's report is upheld; nothing of the blocked
content reaches the database or the officers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.services.kernel.context import AppContext
from tests.support import image_corpus
from tests.support.tools import requires_ocr

pytestmark = pytest.mark.slow

NSV, NATIONAL_OFFICER, MOFA_OFFICER = 6001, 9101, 1005
# Not a PNG the guard can decode: fail closed (rule unreadable-image), no level.
UNDECODABLE = b"\x89PNG\r\n\x1a\n" + b"canary-undecodable-5c1d" * 20


async def message_with_button(client: SandboxClient, chat: int, prefix: str, suffix: str) -> tuple[int, str]:
    """The last bot message in `chat` with a button whose data opens with `prefix` and ends `suffix`."""
    async def probe() -> tuple[int, str] | None:
        for message in reversed(await client.bot_messages(chat)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data") or ""
                    if data.startswith(prefix) and data.endswith(suffix):
                        return int(message["message_id"]), data
        return None
    return await eventually(probe, what=f"a button {prefix}…{suffix} in chat {chat}")


async def bot_text(client: SandboxClient, chat: int, contains: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        found = [m for m in await client.bot_messages(chat) if contains in (m.get("text") or "")]
        return found[-1] if found else None
    return await eventually(probe, what=f"a bot message containing {contains!r} in chat {chat}")


async def cases(ctx: AppContext) -> list[dict[str, Any]]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT id, rule, level, source, decision, reported_at FROM guard_cases ORDER BY id")
    return [dict(row) for row in rows]


async def events(ctx: AppContext, kind: str) -> list[dict[str, Any]]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT actor, data FROM events WHERE type = ? ORDER BY seq", (kind,))
    return [{"actor": row["actor"], **json.loads(row["data"])} for row in rows]


async def case_count(ctx: AppContext, count: int, within: float = 10.0) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]] | None:
        found = await cases(ctx)
        return found if len(found) == count else None
    return await eventually(probe, within=within, what=f"{count} cases")


async def test_a_fail_closed_block_reported_released_once_then_blocked_again(
        bot: BotRunner, client: SandboxClient, app_context: AppContext, settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    await client.send_message(NSV, document=("scan.png", UNDECODABLE))
    [case] = await case_count(app_context, 1)
    assert case["rule"] == "unreadable-image" and case["level"] is None and case["source"] == "file"
    notice, report = await message_with_button(client, NSV, "gc:", ":r")
    assert report == f"gc:{case['id']}:r"
    await client.press_button(NSV, NSV, notice, report)
    await message_with_button(client, NSV, "gc:", ":s")  # the reason asked for, with «Bỏ qua»
    await bot_text(client, NATIONAL_OFFICER, f"#{case['id']}")  # the national officer told at once
    await client.send_message(NSV, text="ảnh chụp công văn thường, không có dấu")
    told = await bot_text(client, NATIONAL_OFFICER, "công văn thường")
    assert "canary" not in told["text"]

    await client.send_message(NATIONAL_OFFICER, text="/guard")
    listed, release = await message_with_button(client, NATIONAL_OFFICER, f"gc:{case['id']}:", ":l")
    await client.press_button(NATIONAL_OFFICER, NATIONAL_OFFICER, listed, release)
    await bot_text(client, NSV, "một lần")  # the sender may send it again
    [decided] = await eventually(lambda: _decided(app_context), what="the decision")
    assert decided["actor"] == "sec-national" and decided["decision"] == "released"

    await client.send_message(NSV, document=("scan.png", UNDECODABLE))  # released once: let through
    await eventually(lambda: _nonempty(events(app_context, "case_release_used")), what="the release spent")
    assert len(await cases(app_context)) == 1
    await client.send_message(NSV, document=("scan.png", UNDECODABLE))  # and no more
    await case_count(app_context, 2)

    await client.send_message(NATIONAL_OFFICER, text="/guardreport 7d")  # the counts are the cases'
    report_text = await bot_text(client, NATIONAL_OFFICER, "2 lượt chặn")
    assert "1 giữ chặn" not in report_text["text"] and "1 cho phép một lần" in report_text["text"]
    await eventually(lambda: _photo(client, NATIONAL_OFFICER), what="the chart")

    stored = b"".join(p.read_bytes() for p in Path(settings.data_dir).rglob("*") if p.is_file())
    assert b"canary-undecodable" not in stored
    assert not [r for r in caplog.records if "canary" in r.getMessage()]
    for message in await client.bot_messages(NATIONAL_OFFICER):  # the officer saw metadata, not content
        assert "canary" not in (message.get("text") or "") + (message.get("caption") or "")


async def test_a_marked_text_reported_is_upheld_and_not_released_by_a_button(
        bot: BotRunner, client: SandboxClient, app_context: AppContext) -> None:
    await client.send_message(NSV, text="TỐI MẬT\nkế hoạch canary-text-88")
    [case] = await case_count(app_context, 1)
    assert case["level"] == "toi_mat" and case["source"] == "text"
    notice, report = await message_with_button(client, NSV, "gc:", ":r")
    await client.press_button(NSV, NSV, notice, report)
    asked, skip = await message_with_button(client, NSV, "gc:", ":s")
    await client.press_button(NSV, NSV, asked, skip)  # no reason
    await client.send_message(NATIONAL_OFFICER, text="/guard")
    listed, release = await message_with_button(client, NATIONAL_OFFICER, f"gc:{case['id']}:", ":l")
    await client.press_button(NATIONAL_OFFICER, NATIONAL_OFFICER, listed, release)  # refused: two steps
    await client.press_button(NATIONAL_OFFICER, NATIONAL_OFFICER, listed, f"gc:{case['id']}:u")
    [decided] = await eventually(lambda: _decided(app_context), what="the decision")
    assert decided["decision"] == "upheld"
    assert [c["decision"] for c in await cases(app_context)] == ["upheld"]
    # The agency officer of another agency sees none of it.
    await client.send_message(MOFA_OFFICER, text="/guard")
    await bot_text(client, MOFA_OFFICER, "Không có báo cáo")
    for message in await client.bot_messages(NATIONAL_OFFICER):
        assert "canary" not in (message.get("text") or "")


@requires_ocr
async def test_a_stamped_photo_reported_is_upheld_on_the_record(
        bot: BotRunner, client: SandboxClient, app_context: AppContext, caplog: pytest.LogCaptureFixture) -> None:
    page = image_corpus.page(["Kính gửi: canary-photo-77", *image_corpus.LETTER])
    image_corpus.stamp(page, "TỐI MẬT", (820, 90))
    await client.send_message(NSV, photo=image_corpus.encode(page, "JPEG", 85))
    [case] = await case_count(app_context, 1, within=60.0)  # OCR: a first file starts the workers
    assert case["level"] == "toi_mat" and case["source"] == "photo"
    notice, report = await message_with_button(client, NSV, "gc:", ":r")
    await client.press_button(NSV, NSV, notice, report)
    await client.send_message(NSV, text="chỉ là ảnh chụp mẫu dấu")
    await bot_text(client, NATIONAL_OFFICER, "mẫu dấu")
    await client.send_message(NATIONAL_OFFICER, text="/guard")
    listed, uphold = await message_with_button(client, NATIONAL_OFFICER, f"gc:{case['id']}:", ":u")
    await client.press_button(NATIONAL_OFFICER, NATIONAL_OFFICER, listed, uphold)
    [decided] = await eventually(lambda: _decided(app_context), what="the decision")
    assert (decided["actor"], decided["decision"]) == ("sec-national", "upheld")
    [reported] = await events(app_context, "case_reported")
    assert reported["actor"] == "nsv-1"
    for record in caplog.records:  # nothing of the blocked content in the logs
        assert "canary-photo" not in record.getMessage()


async def _decided(ctx: AppContext) -> list[dict[str, Any]] | None:
    found = await events(ctx, "case_decided")
    return found or None


async def _nonempty(found: Any) -> Any:
    result = await found
    return result or None


async def _photo(client: SandboxClient, chat: int) -> bool | None:
    calls = [c for c in await client.log() if c["method"] == "sendPhoto" and c["params"].get("chat_id") == chat]
    return True if calls else None
