"""After a block: deletions ahead of everything in their chat, notices coalesced to one per place
and sender a minute (counting the posts), and no verdict without a usable key or a working guard."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.guard.verdict import Verdict
from bot.services import comments
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Attachment, Incoming
from bot.store.datakeys import deployment_data_key
from bot.store.keys import HMAC_KEY_FILE
from bot.store.repos import outbox
from bot.telegram.ratelimit import Limits, RateLimiter
from bot.telegram.sender import OutboxSender
from tests.support import KeywordGuard
from tests.support.flow import GROUP, NSV, outbox_rows, run


def unlimited() -> RateLimiter:
    return RateLimiter(Limits(global_per_second=1000, private_per_second=1000, group_per_minute=1000))


class RecordingBot:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> Any:
        self.calls.append((method, api_kwargs))
        return True if method == "deleteMessage" else {"message_id": len(self.calls)}


async def _drain(sender: OutboxSender, rounds: int = 10) -> None:
    for _ in range(rounds):
        await sender.tick()
        await asyncio.gather(*sender._tasks)


@pytest.mark.one_engine  # the sender's order of calls, not the store: on PostgreSQL its reads race
async def test_a_deletion_overtakes_sends_waiting_out_the_group_limit(rostered: AppContext) -> None:
    async with rostered.db.transaction() as tx:
        key = await deployment_data_key(tx, rostered.keys, rostered.clock)
        for index in range(4):
            await outbox.enqueue(tx, key, dedup_key=f"n:{index}", chat_id=GROUP, method="sendMessage",
                                 payload={"chat_id": GROUP, "text": f"thông báo {index}"},
                                 not_before=rostered.clock.now())
        await outbox.enqueue(tx, key, dedup_key="delete:x", chat_id=GROUP, method="deleteMessage",
                             payload={"chat_id": GROUP, "message_id": 42}, not_before=rostered.clock.now())
    bot = RecordingBot()
    # Room for two messages a minute in the group, and one call in flight: both are taken by sends.
    sender = OutboxSender(rostered, bot, RateLimiter(Limits(group_per_minute=2)), max_in_flight=1)  # type: ignore[arg-type]
    await _drain(sender)
    methods = [method for method, _ in bot.calls]
    assert methods[0] == "deleteMessage"  # first, though queued last
    assert methods.count("sendMessage") == 2  # the rest wait out the minute; the deletion did not


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def _block(ctx: AppContext, message_id: int, text: str = "TỐI MẬT kế hoạch") -> None:
    incoming = Incoming(NSV, GROUP, message_id, text, thread_id=None)
    await run(ctx, NSV, "comment", lambda uow: comments.comment(uow, incoming), chat_id=GROUP)


async def test_notices_are_coalesced_and_count_the_posts(ctx: AppContext) -> None:
    assert isinstance(ctx.clock, FakeClock)
    for message_id in (10, 11, 12):
        await _block(ctx, message_id)
    rows = [r for r in await outbox_rows(ctx) if r["key"].startswith("blocked-notice:")]
    topic = [r for r in rows if r["chat"] == GROUP]
    private = [r for r in rows if r["chat"] == NSV]
    assert len(topic) == 1 and len(private) == 1  # three blocks, one notice each place
    assert topic[0]["text"].startswith("🚫 3 tin nhắn bị chặn") and "Lý Thành Nam" not in topic[0]["text"]
    assert private[0]["text"].startswith("🚫 3 tin nhắn của anh/chị") and "Tối mật" in private[0]["text"]
    assert len([r for r in await outbox_rows(ctx) if r["method"] == "deleteMessage"]) == 3

    bot = RecordingBot()
    sender = OutboxSender(ctx, bot, unlimited())  # type: ignore[arg-type]
    await _drain(sender)
    public = [kwargs for method, kwargs in bot.calls if method == "sendMessage" and kwargs["chat_id"] == GROUP
              and "ephemeral_message_parameters" not in kwargs]
    assert len(public) == 1 and public[0]["text"].startswith("🚫 3 tin nhắn bị chặn")
    in_place = [kwargs for method, kwargs in bot.calls if "ephemeral_message_parameters" in kwargs]
    assert len(in_place) == 1  # the burst's first post: only its sender sees it
    assert in_place[0]["ephemeral_message_parameters"] == {"receiver_user_id": NSV}

    await _block(ctx, 13, "TỐI MẬT phụ lục")  # within the minute: the next notice waits for it to pass
    async with ctx.db.reading() as tx:
        waiting = await tx.fetchall("SELECT not_before FROM outbox WHERE state = 'pending'"
                                    " AND dedup_key LIKE 'blocked-notice:%'")
    assert len(waiting) == 2  # one for the topic, one private, both held back
    await _drain(sender)
    assert len([c for c in bot.calls if c[0] == "sendMessage"]) == 3  # nothing more yet
    ctx.clock.advance(timedelta(seconds=61))
    await _drain(sender)
    later = [kwargs["text"] for method, kwargs in bot.calls if method == "sendMessage"][3:]
    assert any(text.startswith("🚫 Một tin nhắn đã bị xóa vì mang dấu mật") for text in later)
    assert any(text.startswith("🚫 Tin nhắn của anh/chị mang dấu «Tối mật»") for text in later)


async def test_a_block_counted_while_its_notice_travels_gets_the_next_notice(ctx: AppContext) -> None:
    await _block(ctx, 20)

    class RacingBot(RecordingBot):
        async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> Any:
            if method == "sendMessage" and api_kwargs["chat_id"] == GROUP and len(self.calls) < 5 \
                    and "ephemeral_message_parameters" not in api_kwargs:  # the group's notice, not the sender's
                await _block(ctx, 21)  # counted after this notice was rendered
            return await super().do_api_request(method, api_kwargs)

    bot = RacingBot()
    sender = OutboxSender(ctx, bot, unlimited())  # type: ignore[arg-type]
    await _drain(sender)
    assert isinstance(ctx.clock, FakeClock)
    ctx.clock.advance(timedelta(seconds=61))
    await _drain(sender)
    topic = [kwargs["text"] for method, kwargs in bot.calls if method == "sendMessage" and kwargs["chat_id"] == GROUP
             and "ephemeral_message_parameters" not in kwargs]
    assert len(topic) == 2 and all(text.startswith("🚫 Một tin nhắn") for text in topic)


async def test_an_unusable_key_blocks_under_its_own_rule(ctx: AppContext) -> None:
    key = ctx.settings.keys_dir / HMAC_KEY_FILE
    for damage in ("missing", "empty", "not base64", "readable by others"):
        saved = key.read_bytes()
        if damage == "missing":
            key.unlink()
        elif damage == "empty":
            key.write_bytes(b"\n")
        elif damage == "not base64":
            key.write_bytes(b"%%%% not a key\n")
        else:
            key.chmod(0o644)
        screened = await screening.judge(ctx, Incoming(NSV, GROUP, 1, "Chào buổi sáng"))
        assert (screened.action, screened.rule, screened.content_hmac) == ("block", "guard-unavailable", None), damage
        assert "hmac.key" in (screened.reason or "")
        assert not screening.guard_status(ctx).ok
        key.unlink(missing_ok=True)
        key.write_bytes(saved)
        key.chmod(0o600)
    assert screening.guard_status(ctx).ok


async def test_a_guard_that_raises_or_is_missing_or_too_slow_blocks(ctx: AppContext,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    message = Incoming(NSV, GROUP, 1, "Chào buổi sáng")

    class Broken(KeywordGuard):
        def scan_text(self, text: str) -> Verdict:
            raise RuntimeError("boom")

    ctx = replace(ctx, guard=Broken())
    assert (await screening.judge(ctx, message)).rule == "guard-error"
    assert not screening.guard_status(ctx).ok
    ctx = replace(ctx, guard=None)
    assert (await screening.judge(ctx, message)).rule == "guard-unavailable"

    class Slow(KeywordGuard):
        def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Verdict:
            import time
            time.sleep(0.5)
            return self.Verdict("allow", "")

    ctx = replace(ctx, guard=Slow())
    monkeypatch.setattr(screening, "VERDICT_SECONDS", 0.1)
    with_file = Incoming(NSV, GROUP, 2, "", attachment=Attachment("a.txt", b"x", None, "f"))
    assert (await screening.judge(ctx, with_file)).rule == "guard-timeout"
    unread = Incoming(NSV, GROUP, 3, "", unchecked_media="voice")
    assert (await screening.judge(ctx, unread)).rule == "unreadable-media"


def test_doctor_checks_the_guard_and_its_keys(ctx: AppContext) -> None:
    from bot.commands.doctor_checks import check_guard

    line = check_guard(ctx.settings)
    assert line.ok and "canary blocked" in line.detail
    key = ctx.settings.keys_dir / HMAC_KEY_FILE
    saved = key.read_bytes()
    key.write_bytes(b"\n")
    line = check_guard(ctx.settings)
    assert not line.ok and line.name == "guard keys" and "hmac.key" in line.detail and "restore" in line.remedy
    key.unlink()
    assert not check_guard(ctx.settings).ok
    key.write_bytes(saved)
    key.chmod(0o600)
    assert check_guard(ctx.settings).ok
