"""The README's quick start, word for word, in Chromium, from a fresh `consult run --sandbox` (what
`make sandbox` runs): the coordinator types the README's /urgent line in «Trò chuyện riêng với bot»,
Trần Thị Bình sees her invitation and presses a button, the topic appears in the group, and the
auditor reaches /stats. A fresh sandbox used to answer 404 for every private chat the bot had not
written in yet, so the first step failed and the page posted `chat_id: null`."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 30_000  # a cap for failure on two busy cores, not a figure under test


def readme_urgent_line() -> str:
    """The command the README tells a newcomer to type, as the README writes it."""
    quick_start = (REPO / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1]
    found = re.search(r"```\n(/urgent [^\n]+)\n```", quick_start)
    assert found, "the README's quick start no longer shows an /urgent line to type"
    return found.group(1)


@pytest.fixture
def fresh_sandbox(tmp_path: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "sandbox.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--sandbox", "--port", str(port),
                                "--data-dir", str(tmp_path / "sandbox-data")],
                               stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while b"sandbox web chat:" not in (tmp_path / "sandbox.log").read_bytes():
            assert process.poll() is None, (tmp_path / "sandbox.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "the sandbox did not start within a minute"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def test_the_readme_quick_start_works_from_a_fresh_sandbox(fresh_sandbox: str, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    urgent = readme_urgent_line()
    failures: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            await page.goto(fresh_sandbox + "/")
            await page.select_option("#who", "1001")  # Nguyễn Văn An, the coordinator
            await page.locator("#chats").get_by_text("Trò chuyện riêng với bot").click()
            await page.fill("#text", urgent)
            await page.click("#send")
            await page.locator(".msg .text", has_text="#1").first.wait_for(timeout=WAIT_MS)
            assert await page.locator("#error").inner_text() == ""

            await page.select_option("#who", "2001")  # Trần Thị Bình sees her invitation
            await page.locator("#chats").get_by_text("Trò chuyện riêng với bot").click()
            invitation = page.locator(".msg", has_text="Tham vấn khẩn #1")
            await invitation.first.wait_for(timeout=WAIT_MS)
            await invitation.first.locator(".buttons button").first.click()
            await page.locator(".msg .text", has_text="Đã ghi nhận").first.wait_for(timeout=WAIT_MS)

            await page.locator("#chats").get_by_text("#1", exact=False).first.click()  # the topic in the group
            await page.locator(".msg .text", has_text="#1").first.wait_for(timeout=WAIT_MS)

            await page.select_option("#who", "1002")  # the auditor reaches /stats
            await page.locator("#chats").get_by_text("Trò chuyện riêng với bot").click()
            await page.fill("#text", "/stats")
            await page.click("#send")
            await page.locator(".msg .text", has_text="Thống kê").first.wait_for(timeout=WAIT_MS)
            table = page.locator(".msg .text pre").first  # parse_mode HTML drawn, not «<pre>» shown
            await table.wait_for(timeout=WAIT_MS)
            assert "<pre>" not in await page.locator("#messages").inner_text()
            chart = page.locator(".msg .text img.photo").first  # the chart as a picture, not «ảnh 1000×545»
            await chart.wait_for(timeout=WAIT_MS)
            assert await chart.evaluate("(img) => img.complete && img.naturalWidth > 0")

            await page.select_option("#who", "1001")  # the coordinator's DOCX report downloads
            await page.locator("#chats").get_by_text("Trò chuyện riêng với bot").click()
            await page.fill("#text", "/report 1")
            await page.click("#send")
            link = page.locator(".msg .text a.file", has_text=".docx").first
            await link.wait_for(timeout=WAIT_MS)
            async with page.expect_download() as download_info:
                await link.click()
            download = await download_info.value
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
            assert saved.suffix == ".docx" and saved.read_bytes()[:2] == b"PK"
            await page.screenshot(path=str(tmp_path / "quick-start.png"))
        finally:
            await browser.close()
    assert not [f for f in failures if "/sandbox/chats/" in f], failures  # no 404 a second per person
