"""The sandbox page as a coordinator uses it between meetings (issue 26): on a phone's width, with
the bot's pop-ups one at a time above the composer, and a closed topic shown closed."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.server import SANDBOX_TOKEN, SandboxServer, SeedPerson

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 20_000  # a cap for failure on two busy cores, not a figure under test
AN, BINH = 1001, 2001
PHONE = {"width": 390, "height": 844}  # an iPhone 12-15's CSS viewport


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    sandbox = SandboxServer(rate_limits=False)
    await sandbox.start()
    sandbox.seed_roster([SeedPerson(AN, "Nguyễn Văn An"), SeedPerson(BINH, "Trần Thị Bình")])
    yield sandbox
    await sandbox.stop()


async def _bot(server: SandboxServer, method: str, **params: Any) -> Any:
    async with aiohttp.ClientSession() as session, \
            session.post(f"{server.api_url}{SANDBOX_TOKEN}/{method}", json=params) as response:
        body = await response.json()
    assert body["ok"], body
    return body["result"]


async def _next_press(server: SandboxServer, offset: int = 0) -> tuple[dict[str, Any], int]:
    """The bot's side: the next callback query the page's press made, and the offset after it."""
    for _ in range(200):
        for update in await _bot(server, "getUpdates", offset=offset, timeout=0):
            offset = update["update_id"] + 1
            if "callback_query" in update:
                query: dict[str, Any] = update["callback_query"]
                return query, offset
        await asyncio.sleep(0.05)
    raise AssertionError("no press reached the bot")


def _inside(box: dict[str, float] | None, width: float, height: float) -> bool:
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and \
        box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


def _overlap(a: dict[str, float] | None, b: dict[str, float] | None) -> bool:
    assert a is not None and b is not None
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


async def test_at_a_phones_width_the_page_fits_and_the_chat_list_is_a_drawer(server: SandboxServer,
                                                                             tmp_path: Path) -> None:
    # At 390 px the page was 607 px wide and «Gửi» was off screen.
    from playwright.async_api import async_playwright

    table = "Cơ quan            Trả lời   Đúng hạn   Trễ\n" + "Bộ Văn hóa, Thể thao và Du lịch   1   0   1\n" * 3
    await _bot(server, "sendMessage", chat_id=AN, text=f"Thống kê\n<pre>{table}</pre>\nhttps://example.org/"
               + "a" * 120, parse_mode="HTML",
               reply_markup={"inline_keyboard": [[{"text": "Nhắc", "callback_data": "x:1:remind", "style": "primary"},
                                                  {"text": "Gia hạn 30 phút", "callback_data": "x:1:extend"},
                                                  {"text": "Kết thúc", "callback_data": "x:1:close",
                                                   "style": "danger"}]]})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport=PHONE)
            await page.goto(server.base_url + "/")
            await page.select_option("#who", str(AN))
            await page.locator(".msg .text pre").wait_for(timeout=WAIT_MS)
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert _inside(await page.locator("#send").bounding_box(), PHONE["width"], PHONE["height"])
            assert _inside(await page.locator("#text").bounding_box(), PHONE["width"], PHONE["height"])
            assert not await page.locator("#chats").is_visible()  # the list is a closed drawer
            await page.screenshot(path=str(tmp_path / "phone.png"))

            await page.click("#drawer-toggle")
            group = page.locator("#chats").get_by_text("Điều phối ASEAN — chung")
            await group.wait_for(state="visible", timeout=WAIT_MS)
            assert _inside(await group.bounding_box(), PHONE["width"], PHONE["height"])
            await page.screenshot(path=str(tmp_path / "phone-drawer.png"))
            await group.click()
            await page.locator("#chats").wait_for(state="hidden", timeout=WAIT_MS)  # chosen: the drawer closes
            await page.locator("#title", has_text="👥 Điều phối ASEAN — chung").wait_for(timeout=WAIT_MS)
            await page.fill("#text", "Đã xem, cảm ơn")
            await page.click("#send")
            await page.locator(".msg .text", has_text="Đã xem, cảm ơn").wait_for(timeout=WAIT_MS)
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        finally:
            await browser.close()
    assert any(m.get("text") == "Đã xem, cảm ơn" for m in server.state.visible_messages(server.group_chat_id or 0))


async def test_pop_ups_come_one_at_a_time_above_the_composer(server: SandboxServer, tmp_path: Path) -> None:
    # Alerts piled up over the last message and the composer.
    from playwright.async_api import async_playwright

    await _bot(server, "sendMessage", chat_id=AN, text="Tham vấn khẩn #1: chọn", reply_markup={
        "inline_keyboard": [[{"text": "Đồng ý", "callback_data": "a:1:agree"},
                             {"text": "Phản đối", "callback_data": "a:1:object"}]]})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport=PHONE)
            await page.goto(server.base_url + "/")
            await page.select_option("#who", str(AN))
            offset = 0
            for number, label in enumerate(("Đồng ý", "Phản đối"), start=1):
                await page.locator(".msg button", has_text=label).click()
                query, offset = await _next_press(server, offset)
                await _bot(server, "answerCallbackQuery", callback_query_id=query["id"],
                           text=f"Thông báo thứ {number}", show_alert=True)
                await page.locator(".toast.alert", has_text=f"Thông báo thứ {number}").wait_for(timeout=WAIT_MS)
            assert await page.locator(".toast").count() == 1  # the newest in place of the first
            alert = page.locator(".toast.alert")
            last = page.locator(".msg").last
            for other in (last, page.locator("#composer"), page.locator("#send")):
                assert not _overlap(await alert.bounding_box(), await other.bounding_box())
            assert _inside(await alert.bounding_box(), PHONE["width"], PHONE["height"])
            await page.screenshot(path=str(tmp_path / "alert.png"))
            await alert.get_by_role("button", name="Đóng").click()
            await alert.wait_for(state="detached", timeout=WAIT_MS)
        finally:
            await browser.close()


async def test_a_closed_topic_has_no_live_composer(server: SandboxServer, tmp_path: Path) -> None:
    # A topic the bot closed (closeForumTopic) kept a composer that only failed on sending.
    from playwright.async_api import async_playwright

    group = server.group_chat_id
    open_topic = await _bot(server, "createForumTopic", chat_id=group, name="#2 Đang mở")
    closed_topic = await _bot(server, "createForumTopic", chat_id=group, name="#1 Đã xong")
    await _bot(server, "sendMessage", chat_id=group, message_thread_id=closed_topic["message_thread_id"],
               text="Tham vấn đã kết thúc.")
    await _bot(server, "closeForumTopic", chat_id=group, message_thread_id=closed_topic["message_thread_id"])
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", str(BINH))
            await page.locator("#chats").get_by_text("#1 Đã xong").click()
            await page.locator(".msg .text", has_text="Tham vấn đã kết thúc.").wait_for(timeout=WAIT_MS)
            banner = page.locator("#closed-banner")
            await banner.wait_for(state="visible", timeout=WAIT_MS)
            assert "Chủ đề đã đóng" in await banner.inner_text()
            assert await page.locator("#text").is_disabled()
            assert await page.locator("#send").is_disabled()
            assert await page.locator("#file").is_disabled()
            await page.screenshot(path=str(tmp_path / "closed-topic.png"))

            await page.locator("#chats").get_by_text("#2 Đang mở").click()  # an open topic: live again
            await banner.wait_for(state="hidden", timeout=WAIT_MS)
            assert await page.locator("#text").is_enabled()
            await page.fill("#text", "Góp ý cho #2")
            await page.click("#send")
            await page.locator(".msg .text", has_text="Góp ý cho #2").wait_for(timeout=WAIT_MS)
        finally:
            await browser.close()
    assert [m["text"] for m in server.state.visible_messages(group or 0, open_topic["message_thread_id"])
            if m.get("text") == "Góp ý cho #2"] == ["Góp ý cho #2"]
