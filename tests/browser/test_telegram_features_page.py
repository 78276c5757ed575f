"""The web page shows today's Telegram as a client would: an ephemeral message in its receiver's
view only, marked as such; coloured and disabled buttons; a date_time entity on the browser's own
clock and time zone, with the bot's words on hover; a protected message marked as one that cannot
be forwarded or saved."""

from __future__ import annotations

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
WAIT_MS = 20_000
AN, BINH = 1001, 2001
DEADLINE_UNIX = 1796464800  # 17:00 on 5 December 2026 in Hanoi; 10:00 UTC; 19:00 in Tokyo


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


async def test_the_page_shows_todays_telegram(server: SandboxServer, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    group = server.group_chat_id
    text = "Hạn: 17:00 05/12/2026"
    await _bot(server, "sendMessage", chat_id=AN, text=text, protect_content=True,
               entities=[{"type": "date_time", "offset": 5, "length": 16, "unix_time": DEADLINE_UNIX,
                          "date_time_format": "dt"}],
               reply_markup={"inline_keyboard": [[{"text": "Đồng ý", "callback_data": "a:1:agree", "style": "success"},
                                                  {"text": "Phản đối", "callback_data": "a:1:object",
                                                   "style": "danger"}],
                                                 [{"text": "Đã kết thúc", "disabled": {}}]]})
    await _bot(server, "sendMessage", chat_id=group, text="Chỉ An thấy tin này",
               ephemeral_message_parameters={"receiver_user_id": AN})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(timezone_id="Asia/Tokyo", locale="vi-VN")
            await page.goto(server.base_url + "/")
            await page.select_option("#who", str(AN))
            moment = page.locator(".msg time.moment")
            await moment.wait_for(timeout=WAIT_MS)
            assert "19" in await moment.inner_text()  # Tokyo's clock, not Hanoi's 17:00
            assert await moment.get_attribute("title") == "17:00 05/12/2026"
            assert await page.locator("button.style-success", has_text="Đồng ý").count() == 1
            assert await page.locator("button.style-danger", has_text="Phản đối").count() == 1
            assert await page.locator("button", has_text="Đã kết thúc").is_disabled()
            assert "không chuyển tiếp" in await page.locator(".msg .meta").first.inner_text()
            await page.locator("#chats").get_by_text("Điều phối ASEAN — chung").click()
            ephemeral = page.locator(".msg.ephemeral", has_text="Chỉ An thấy tin này")
            await ephemeral.wait_for(timeout=WAIT_MS)
            assert "chỉ anh/chị thấy" in await ephemeral.locator(".meta").inner_text()
            await page.screenshot(path=str(tmp_path / "features.png"))
            await page.select_option("#who", str(BINH))
            await page.locator("#chats").get_by_text("Điều phối ASEAN — chung").click()
            # Bình's view, drawn anew (a message everyone sees, sent now, is in it), is without it.
            await _bot(server, "sendMessage", chat_id=group, text="Tin thứ hai cho cả nhóm")
            await page.locator(".msg", has_text="Tin thứ hai cho cả nhóm").wait_for(timeout=WAIT_MS)
            assert await page.locator(".msg", has_text="Chỉ An thấy tin này").count() == 0
        finally:
            await browser.close()
