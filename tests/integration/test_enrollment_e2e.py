"""Enrollment through the sandbox: a link whose token begins with `c` works, and a person moves
to another account only with a --rebind link, the old account being told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.deeplinks import enrollment_payload
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient
from bot.store.repos import enrollments
from tests.support.e2e import last_bot_text

pytestmark = pytest.mark.slow
MOIT, NEW_PHONE = 2001, 2099


async def test_moving_an_enrolled_person_needs_a_rebind_link_and_tells_the_old_account(
        bot: BotRunner, client: SandboxClient, monkeypatch: pytest.MonkeyPatch) -> None:
    await client.add_user(NEW_PHONE, "Bình (máy mới)")
    monkeypatch.setattr(enrollments.secrets, "token_urlsafe", lambda size: "c" + "Q" * 31)
    async with bot.ctx.db.transaction() as tx:
        plain = await enrollments.create_token(tx, "moit-1", bot.ctx.clock.now(), timedelta(hours=1))
    await client.send_message(NEW_PHONE, text=f"/start {enrollment_payload(plain)}")
    await last_bot_text(client, NEW_PHONE, "--rebind")
    await client.send_message(NEW_PHONE, text="/whoami")
    await last_bot_text(client, NEW_PHONE, "chưa được đăng ký")

    monkeypatch.setattr(enrollments.secrets, "token_urlsafe", lambda size: "c" + "R" * 31)
    async with bot.ctx.db.transaction() as tx:
        moving = await enrollments.create_token(tx, "moit-1", bot.ctx.clock.now(), timedelta(hours=1), rebind=True)
    await client.send_message(NEW_PHONE, text=f"/start {moving}")  # an old-style link, beginning with c
    await last_bot_text(client, NEW_PHONE, "Trần Thị Bình")
    await last_bot_text(client, MOIT, "không còn được ghi danh là Trần Thị Bình")
    await client.send_message(MOIT, text="/whoami")
    await last_bot_text(client, MOIT, "chưa được đăng ký")
