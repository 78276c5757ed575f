"""The sandbox's web page in a real browser: one person sends, another sees it."""

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
TOKEN = SANDBOX_TOKEN
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# How long to wait for the page to show (or drop) something: a cap for failure, not a figure under
# test, with room for a browser on two busy cores (5 s ran out once while the suite ran beside it).
WAIT_MS = 20_000


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    sandbox = SandboxServer(rate_limits=False)
    await sandbox.start()
    sandbox.seed_roster([SeedPerson(1001, "Nguyễn Văn An"), SeedPerson(2001, "Trần Thị Bình")])
    yield sandbox
    await sandbox.stop()


async def test_a_message_sent_by_one_person_is_seen_by_another(server: SandboxServer, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", "1001")
            await page.locator("#chats").get_by_text("Điều phối ASEAN — chung").click()
            await page.fill("#text", "Chào cả nhóm, họp lúc 15h")
            await page.click("#send")
            await page.select_option("#who", "2001")
            await page.locator("#chats").get_by_text("Điều phối ASEAN — chung").click()
            message = page.locator(".msg .text", has_text="Chào cả nhóm, họp lúc 15h")
            await message.wait_for(timeout=WAIT_MS)
            assert await page.locator(".msg .meta").first.inner_text() != ""
            await page.screenshot(path=str(tmp_path / "web-chat.png"))
        finally:
            await browser.close()


async def test_a_picture_is_sent_as_a_telegram_photo(server: SandboxServer, tmp_path: Path) -> None:
    from PIL import Image
    from playwright.async_api import async_playwright

    picture = tmp_path / "bang.png"
    Image.new("RGB", (1600, 900), (240, 240, 250)).save(picture)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", "1001")
            await page.locator("#chats").get_by_text("Điều phối ASEAN — chung").click()
            await page.set_input_files("#file", str(picture))
            assert await page.locator("#as-photo-label").is_visible()
            await page.fill("#text", "Sơ đồ")
            await page.click("#send")
            photo = page.locator('.msg .text img.photo[title="ảnh 1600×900"]')  # shown inline, as a client does
            await photo.wait_for(timeout=WAIT_MS)
            assert await photo.evaluate("(img) => img.complete && img.naturalWidth > 0")
        finally:
            await browser.close()
    group = server.group_chat_id
    assert group is not None
    sent = [m for m in server.state.visible_messages(group) if m.get("photo")]
    assert len(sent) == 1 and sent[0]["caption"] == "Sơ đồ"
    assert [(s["width"], s["height"]) for s in sent[0]["photo"]][-1] == (1600, 900)
    assert sent[0]["photo"][0]["width"] <= 90  # Telegram's list of sizes, smallest first


async def test_shift_enter_writes_a_second_line_and_enter_sends(server: SandboxServer, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", "1001")
            await page.locator("#chats").get_by_text("Điều phối ASEAN — chung").click()
            box = page.locator("#text")
            await box.click()
            await box.type("Góp ý gồm hai ý:")
            await page.keyboard.press("Shift+Enter")
            await box.type("- bỏ đoạn 3")
            await page.keyboard.press("Shift+Enter")
            await box.type("- sửa đoạn 5")
            assert await box.input_value() == "Góp ý gồm hai ý:\n- bỏ đoạn 3\n- sửa đoạn 5"  # nothing sent yet
            await page.keyboard.press("Enter")
            shown = page.locator(".msg .text", has_text="sửa đoạn 5")
            await shown.wait_for(timeout=WAIT_MS)
            assert await shown.inner_text() == "Góp ý gồm hai ý:\n- bỏ đoạn 3\n- sửa đoạn 5"
            assert await box.input_value() == ""
        finally:
            await browser.close()
    group = server.group_chat_id
    assert group is not None
    assert [m["text"] for m in server.state.visible_messages(group) if m.get("text", "").startswith("Góp ý")] == [
        "Góp ý gồm hai ý:\n- bỏ đoạn 3\n- sửa đoạn 5"]


async def _bot_api(server: SandboxServer, method: str, params: dict[str, Any]) -> Any:
    async with aiohttp.ClientSession() as session, session.post(f"{server.api_url}{TOKEN}/{method}",
                                                                  json=params) as response:
        body = await response.json()
        assert body["ok"], body
        return body["result"]


async def _next_press(server: SandboxServer) -> dict[str, Any]:
    """The bot's side: wait for the callback query the page's press made (confirming what came before)."""
    offset = 0
    for _ in range(100):
        for update in await _bot_api(server, "getUpdates", {"offset": offset, "timeout": 0}):
            offset = update["update_id"] + 1
            if "callback_query" in update:
                await _bot_api(server, "getUpdates", {"offset": offset, "timeout": 0})
                query: dict[str, Any] = update["callback_query"]
                return query
        await asyncio.sleep(0.05)
    raise AssertionError("no press reached the bot")


async def test_a_pop_up_answer_is_shown_as_a_toast(server: SandboxServer, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    await _bot_api(server, "sendMessage", {"chat_id": 1001, "text": "(2/3) Chọn phạm vi", "reply_markup": {
        "inline_keyboard": [[{"text": "Tiếp ➡️", "callback_data": "f:1:next"}, {"text": "Xem", "callback_data": "v"}]]}})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", "1001")
            await page.locator(".msg button", has_text="Tiếp").click()
            query = await _next_press(server)
            assert query["data"] == "f:1:next"
            await _bot_api(server, "answerCallbackQuery", {"callback_query_id": query["id"],
                                                           "text": "Hãy chọn ít nhất một phạm vi trước.",
                                                           "show_alert": True})
            alert = page.locator(".toast.alert", has_text="Hãy chọn ít nhất một phạm vi trước.")
            await alert.wait_for(timeout=WAIT_MS)
            await page.screenshot(path=str(tmp_path / "toast.png"))
            await alert.get_by_role("button", name="Đóng").click()
            await alert.wait_for(state="detached", timeout=WAIT_MS)

            await page.locator(".msg button", has_text="Xem").click()  # a plain notification fades by itself
            query = await _next_press(server)
            await _bot_api(server, "answerCallbackQuery", {"callback_query_id": query["id"], "text": "Đã ghi nhận."})
            toast = page.locator(".toast:not(.alert)", has_text="Đã ghi nhận.")
            await toast.wait_for(timeout=WAIT_MS)
            await toast.wait_for(state="detached", timeout=WAIT_MS)
        finally:
            await browser.close()


async def test_the_page_says_its_errors_in_vietnamese(server: SandboxServer) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", "1001")
            await page.fill("#text", "📋" * 2049)  # 4,098 UTF-16 units, as Telegram counts
            await page.keyboard.press("Enter")
            error = page.locator("#error")
            await error.get_by_text("Tin nhắn dài 4098 ký tự, vượt giới hạn 4096 ký tự").wait_for(timeout=WAIT_MS)
            # The sandbox's own refusals arrive with a reason the page words itself.
            said = await page.evaluate("""async () => {
                try { await api("/sandbox/messages", {from: 1001, chat_id: -4242, text: "x"}); return "sent"; }
                catch (error) { return error.message; }
            }""")
            assert said.startswith("Không tìm thấy cuộc trò chuyện này")
            said = await page.evaluate("""async () => {
                try { await api("/sandbox/messages", {from: 1001, chat_id: 1001, text: "x".repeat(4097)}); }
                catch (error) { return error.message; }
            }""")
            assert said == ("Tin nhắn dài 4097 ký tự, vượt giới hạn 4096 ký tự của Telegram. "
                            "Hãy chia thành nhiều tin nhắn.")
            assert not [m for m in server.state.visible_messages(1001) if m.get("text", "").startswith("📋")]
        finally:
            await browser.close()


async def test_on_a_fresh_sandbox_a_person_writes_to_the_bot_first(server: SandboxServer) -> None:
    # Issue 26: the README's first step (write in «Trò chuyện riêng với bot» before the bot has
    # written) failed with «Không tìm thấy cuộc trò chuyện này…» and posted chat_id null.
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", "1001")
            await page.locator("#chats").get_by_text("Trò chuyện riêng với bot").click()
            await page.fill("#text", "/help")
            await page.click("#send")
            sent = page.locator(".msg .text", has_text="/help")
            await sent.wait_for(timeout=WAIT_MS)
            assert "Không tìm thấy" not in (await page.locator("#error").inner_text())
            # Replying names whose message it is, not «#1», which reads like consultation #1.
            await sent.click()
            replying = page.locator("#replying")
            await replying.wait_for(state="visible", timeout=WAIT_MS)
            assert (await replying.inner_text()).startswith("Đang trả lời tin nhắn của Nguyễn Văn An")
        finally:
            await browser.close()
