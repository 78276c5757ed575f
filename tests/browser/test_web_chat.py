"""The sandbox's web page in a real browser: one person sends, another sees it."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.server import SandboxServer, SeedPerson

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
            await message.wait_for(timeout=5000)
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
            await page.locator(".msg .text", has_text="ảnh 1600×900").wait_for(timeout=5000)
        finally:
            await browser.close()
    group = server.group_chat_id
    assert group is not None
    sent = [m for m in server.state.visible_messages(group) if m.get("photo")]
    assert len(sent) == 1 and sent[0]["caption"] == "Sơ đồ"
    assert [(s["width"], s["height"]) for s in sent[0]["photo"]][-1] == (1600, 900)
    assert sent[0]["photo"][0]["width"] <= 90  # Telegram's list of sizes, smallest first
