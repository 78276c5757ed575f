"""In a real browser: a page of another site cannot act as a sandbox user, while the sandbox's own
page still can (tests/browser/test_web_chat.py)."""

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

ATTACK = """async (target) => {
  const body = JSON.stringify({from: 1001, chat_id: 1001, text: "/urgent 30m aec: forged"});
  const results = [];
  for (const type of ["text/plain", "application/json"]) {
    try {
      await fetch(target + "/sandbox/messages",
                  {method: "POST", mode: "no-cors", headers: {"Content-Type": type}, body});
      results.push("sent");
    } catch (error) { results.push("blocked"); }
  }
  return results;
}"""


@pytest.fixture
async def sandboxes() -> AsyncIterator[tuple[SandboxServer, SandboxServer]]:
    victim, other = SandboxServer(rate_limits=False), SandboxServer(rate_limits=False)
    await victim.start()
    await other.start()
    victim.seed_roster([SeedPerson(1001, "Nguyễn Văn An")])
    yield victim, other
    await other.stop()
    await victim.stop()


async def test_a_page_of_another_origin_cannot_post_to_the_control_api(
        sandboxes: tuple[SandboxServer, SandboxServer]) -> None:
    from playwright.async_api import async_playwright

    victim, other = sandboxes
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            await page.goto(other.base_url + "/")  # another origin: another port
            sent = await page.evaluate(ATTACK, victim.base_url)
        finally:
            await browser.close()
    assert "sent" in sent  # the browser did send them (no-cors): the sandbox must be what refuses
    assert victim.state.visible_messages(1001) == []
    assert not [u for u in victim.state.updates if "message" in u]
