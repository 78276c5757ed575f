"""The sandbox page tells people apart and follows the bot's links (issue 26): the «Bạn là» picker
gives each person's role and agency; a t.me link to a topic or message opens it in the page, the
message in view; a pressed button waits for the bot, and buttons the bot removes go at once."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import shipped_dir
from bot.policy.files import load_roster, load_routing
from bot.sandbox.server import SANDBOX_TOKEN, SandboxServer, SeedPerson
from bot.services.presentation.people_labels import person_labels
from tests.support.paths import EXAMPLE_ROSTER

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 20_000  # a cap for failure on two busy cores, not a figure under test
AN, BINH = 1001, 2001


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    """The example roster's people, seeded as `consult run --sandbox` seeds them."""
    routing = load_routing(shipped_dir("policies"))
    roster = load_roster(EXAMPLE_ROSTER, routing)
    labels = person_labels(roster, routing)
    sandbox = SandboxServer(rate_limits=False)
    await sandbox.start()
    sandbox.seed_roster([SeedPerson(p.telegram_user_id, p.name, role=labels[p.key].role, agency=labels[p.key].agency)
                         for p in roster.people if p.telegram_user_id is not None])
    yield sandbox
    await sandbox.stop()


async def _bot(server: SandboxServer, method: str, **params: Any) -> Any:
    async with aiohttp.ClientSession() as session, \
            session.post(f"{server.api_url}{SANDBOX_TOKEN}/{method}", json=params) as response:
        body = await response.json()
    assert body["ok"], body
    return body["result"]


async def test_the_picker_gives_each_persons_role_and_agency(server: SandboxServer) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            binh = page.locator('#who option[value="2001"]')
            await binh.wait_for(state="attached", timeout=WAIT_MS)
            assert await binh.inner_text() == "Trần Thị Bình — Trụ cột Kinh tế (Bộ Công Thương) · Bộ Công Thương"
            assert "Người thay cho Đỗ Minh Khang · Bộ Ngoại giao" in \
                await page.locator('#who option[value="1004"]').inner_text()
            assert "Kiểm tra, giám sát" in await page.locator('#who option[value="1002"]').inner_text()
        finally:
            await browser.close()


async def test_a_t_me_link_opens_the_topic_and_the_message_in_the_page(server: SandboxServer,
                                                                       tmp_path: Path) -> None:
    # The bot's links to a topic (https://t.me/c/<id>/<thread>/<msg>) left the page for t.me.
    from playwright.async_api import async_playwright

    group = server.group_chat_id
    assert group is not None
    short = str(group).removeprefix("-100")
    topic = await _bot(server, "createForumTopic", chat_id=group, name="#1 Ý kiến về dự thảo")
    thread = topic["message_thread_id"]
    sent = [await _bot(server, "sendMessage", chat_id=group, message_thread_id=thread, text=f"Góp ý số {n}")
            for n in range(1, 41)]
    target = sent[4]["message_id"]  # «Góp ý số 5», far above the topic's last message
    await _bot(server, "sendMessage", chat_id=AN, parse_mode="HTML",
               text=f'Có phản đối: <a href="https://t.me/c/{short}/{thread}/{target}">xem góp ý</a>')
    await _bot(server, "sendMessage", chat_id=AN, text=f"Chủ đề: https://t.me/c/{short}/{sent[9]['message_id']}")
    await _bot(server, "sendMessage", chat_id=AN, text="Thẻ tham vấn #1", reply_markup={
        "inline_keyboard": [[{"text": "Mở chủ đề", "url": f"https://t.me/c/{short}/{thread}"}]]})
    await _bot(server, "sendMessage", chat_id=group, message_thread_id=thread,
               text="Trả lời riêng: https://t.me/rapid_consult_bot?start=c_1")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = await browser.new_context()
            opened: list[Any] = []
            context.on("page", lambda new: opened.append(new))
            page = await context.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", str(AN))
            await page.locator(".msg a", has_text="xem góp ý").click()
            focused = page.locator(f'.msg.focused[data-message-id="{target}"]')
            await focused.wait_for(timeout=WAIT_MS)
            await page.locator("#title", has_text="# #1 Ý kiến về dự thảo").wait_for(timeout=WAIT_MS)
            assert "Góp ý số 5" in await focused.inner_text()
            assert await focused.evaluate("""(m) => {
                const box = document.getElementById("messages").getBoundingClientRect();
                const r = m.getBoundingClientRect(); return r.top >= box.top && r.bottom <= box.bottom; }""")
            await page.screenshot(path=str(tmp_path / "followed.png"))

            # A bare t.me/c/<id>/<msg> address in the text: a link too, finding the message's topic.
            await page.locator("#chats").get_by_text("Trò chuyện riêng với bot").click()
            await page.locator(".msg a", has_text=f"/{sent[9]['message_id']}").click()
            await page.locator(f'.msg.focused[data-message-id="{sent[9]["message_id"]}"]').wait_for(timeout=WAIT_MS)
            await page.locator("#title", has_text="# #1 Ý kiến về dự thảo").wait_for(timeout=WAIT_MS)

            # A URL button to the topic opens it (at its end, no message named).
            await page.locator("#chats").get_by_text("Trò chuyện riêng với bot").click()
            await page.locator(".msg button", has_text="Mở chủ đề").click()
            await page.locator(".msg .text", has_text="Trả lời riêng").wait_for(timeout=WAIT_MS)
            await page.locator("#title", has_text="# #1 Ý kiến về dự thảo").wait_for(timeout=WAIT_MS)

            # t.me/<bot>?start=…: back to the private chat, the /start ready to send.
            await page.locator(".msg a", has_text="start=c_1").click()
            await page.wait_for_function("document.getElementById('text').value === '/start c_1'", timeout=WAIT_MS)
            await page.locator("#title", has_text="🤖 Trò chuyện riêng với bot").wait_for(timeout=WAIT_MS)
            assert page.url == server.base_url + "/"
            assert opened == [page]  # no tab opened for t.me
        finally:
            await browser.close()


async def test_a_pressed_button_waits_and_removed_buttons_go_at_once(server: SandboxServer) -> None:
    # A second tap while the bot had not answered made a second press; buttons the bot removed
    # stayed drawn until the next poll.
    from playwright.async_api import async_playwright

    sent = await _bot(server, "sendMessage", chat_id=AN, text="Tham vấn khẩn #1", reply_markup={
        "inline_keyboard": [[{"text": "Đồng ý", "callback_data": "a:1:agree", "style": "success"},
                             {"text": "Phản đối", "callback_data": "a:1:object", "style": "danger"}]]})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(server.base_url + "/")
            await page.select_option("#who", str(AN))
            agree = page.locator(".msg button.style-success", has_text="Đồng ý")
            await agree.click()
            await page.locator(".msg button.pending").first.wait_for(timeout=WAIT_MS)
            assert await agree.is_disabled()
            await agree.click(force=True)  # a second tap while the first waits: no second press
            queries = await _presses(server, 1)
            # The bot edits the buttons away, then answers: the page redraws as the answer comes.
            await _bot(server, "editMessageReplyMarkup", chat_id=AN, message_id=sent["message_id"])
            await _bot(server, "answerCallbackQuery", callback_query_id=queries[0]["id"], text="Đã ghi nhận.")
            await page.locator(".toast", has_text="Đã ghi nhận.").wait_for(timeout=WAIT_MS)
            await page.locator(".msg .buttons").wait_for(state="detached", timeout=WAIT_MS)
        finally:
            await browser.close()
    assert len(server.state.callbacks) == 1


async def _presses(server: SandboxServer, count: int) -> list[dict[str, Any]]:
    """The callback queries that reached the bot, once `count` of them have."""
    found: list[dict[str, Any]] = []
    for _ in range(200):
        found = [u["callback_query"] for u in server.state.updates if "callback_query" in u]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(found)} presses reached the bot, not {count}")
