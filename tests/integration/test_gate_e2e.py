"""No path around the guard, through the sandbox and the real bot: commands, senders the bot does
not know, the General topic, edits into commands, a guard that cannot judge, private messages that
answer nothing — each stamped post is deleted at once and recorded, and nothing of it is run,
stored or relayed. Benign posts and commands are still answered."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.config import Settings
from bot.errors import GroupRightsError, GuardError
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from bot.services.people.roster import import_roster_file
from bot.store.keys import HMAC_KEY_FILE
from tests.support.e2e import running_bot, seed
from tests.support.paths import EXAMPLE_ROSTER
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow

COORD, MOIT, NSV = 1001, 2001, 6001
STRANGER = 9090909


async def bot_text(client: SandboxClient, chat: int, contains: str, thread: int | None = None) -> Any:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat, thread) if contains in (m.get("text") or "")]
        return found[-1] if found else None
    return await eventually(probe, what=f"a bot message containing {contains!r} in chat {chat}")


async def open_topic(client: SandboxClient, sandbox: SandboxServer) -> tuple[int, int]:
    group = sandbox.group_chat_id
    assert group is not None
    await client.send_message(COORD, text="/urgent 2h aec: Ý kiến về dự thảo")
    await bot_text(client, MOIT, "Tham vấn khẩn #1")

    async def topic() -> Any:
        topics = await client.topics(group)
        return topics[0]["message_thread_id"] if topics else None
    return group, await eventually(topic, what="the topic")


async def deleted(client: SandboxClient, chat: int, message_id: int) -> None:
    async def gone() -> bool:
        return message_id not in {m["message_id"] for m in await client.messages(chat)}
    await eventually(gone, what=f"message {message_id} to be deleted")


async def blocked_events(ctx: AppContext) -> list[dict[str, Any]]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT actor, consultation_id, data FROM events WHERE type = 'blocked' ORDER BY seq")
    return [{"actor": r["actor"], "consultation": r["consultation_id"], **json.loads(r["data"])} for r in rows]


async def calls(client: SandboxClient, method: str) -> list[dict[str, Any]]:
    return [c for c in await client.log() if c["method"] == method]


async def test_a_stamped_command_in_the_topic_is_deleted_and_never_run(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group, thread = await open_topic(client, sandbox)
    note = await client.send_message(NSV, group, "/ghichu\nTỐI MẬT\nPhương án rút lui", thread_id=thread)
    await deleted(client, group, note)
    await bot_text(client, group, "đã bị xóa vì mang dấu mật", thread)
    status_before = len([c for c in await calls(client, "sendMessage") if "📋 #1" in c["params"]["text"]])
    status = await client.send_message(COORD, group, "/status 1\nTUYỆT MẬT: lập trường của nước B", thread_id=thread)
    await deleted(client, group, status)
    told = await bot_text(client, COORD, "bị chặn")
    assert "Tuyệt mật" in told["text"]
    # Not run: no status card was posted for it, and nothing of either command was relayed or logged.
    assert len([c for c in await calls(client, "sendMessage") if "📋 #1" in c["params"]["text"]]) == status_before
    texts = " ".join(m.get("text") or "" for m in await client.messages(group))
    assert "rút lui" not in texts and "nước B" not in texts
    events = await blocked_events(app_context)
    assert [(e["actor"], e["kind"], e["where"], e["level"]) for e in events] == [
        ("nsv-1", "command", "topic", "toi_mat"), ("coord-1", "command", "topic", "tuyet_mat")]
    assert all(len(e["content_hmac"]) == 64 for e in events)


async def test_posts_by_people_the_bot_does_not_know_are_deleted(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext,
        tmp_path: Path) -> None:
    group, thread = await open_topic(client, sandbox)
    await client.add_user(STRANGER, "Người lạ")
    chat = sandbox.state.chat(group)
    assert chat is not None
    chat.members.append(STRANGER)
    stranger = await client.send_message(STRANGER, group, "TỐI MẬT\nDanh sách đại biểu", thread_id=thread)
    await deleted(client, group, stranger)
    # The group learns only that a post was removed; the stranger, who never started the bot, is
    # told in place by a message only they see.
    notice = await bot_text(client, group, "theo quy định bảo vệ bí mật nhà nước", thread)
    assert "Danh sách" not in notice["text"] and "Người lạ" not in notice["text"]
    assert str(STRANGER) not in notice["text"]
    told = [c for c in await calls(client, "sendMessage") if "ephemeral_message_parameters" in c["params"]]
    assert [c["params"]["ephemeral_message_parameters"]["receiver_user_id"] for c in told] == [STRANGER]
    # Deactivated by a roster re-import: no longer known, still judged and deleted.
    raw = yaml.safe_load(EXAMPLE_ROSTER.read_text(encoding="utf-8"))
    raw["people"] = [p for p in raw["people"] if p["key"] != "nsv-1"]
    for person in raw["people"]:
        if person.get("alternate") == "nsv-1":
            person.pop("alternate")
    (tmp_path / "roster.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    await import_roster_file(app_context, tmp_path / "roster.yaml")
    former = await client.send_message(NSV, group, "Độ mật: A\nNội dung", thread_id=thread)
    await deleted(client, group, former)
    events = await blocked_events(app_context)
    assert [(e["actor"], e["level"], e["consultation"]) for e in events] == [
        (f"tg:{STRANGER}", "toi_mat", 1), (f"tg:{NSV}", "tuyet_mat", 1)]


async def test_a_stamped_post_in_the_general_topic_is_deleted(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    posted = await client.send_message(MOIT, group, "Gửi các anh chị bản C0NFIDENTIAL về chuỗi cung ứng")
    await deleted(client, group, posted)
    notice = await bot_text(client, group, "theo quy định bảo vệ bí mật nhà nước")
    assert "message_thread_id" not in notice and "chuỗi cung ứng" not in notice["text"]
    assert "Trần Thị Bình" not in notice["text"]
    await bot_text(client, MOIT, "bị chặn")
    assert [(e["actor"], e["where"], e["level"]) for e in await blocked_events(app_context)] == [
        ("moit-1", "group", "mat")]


async def test_an_edit_into_a_stamped_command_is_deleted_and_not_run(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group, thread = await open_topic(client, sandbox)
    posted = await client.send_message(COORD, group, "Tôi sẽ gửi số liệu sau.", thread_id=thread)
    await bot_text(client, group, "📋 #1", thread)
    cards = len(await calls(client, "sendMessage"))
    await client.edit_message(COORD, group, posted, "/close 1\n[TỐI MẬT] phương án dự phòng")
    await deleted(client, group, posted)
    await bot_text(client, COORD, "bị chặn")
    async with app_context.db.reading() as tx:
        assert await tx.fetchval("SELECT state FROM consultations WHERE id = 1") == "open"
    assert not any("Kết quả tham vấn" in c["params"]["text"] for c in (await calls(client, "sendMessage"))[cards:])
    assert [e["kind"] for e in await blocked_events(app_context)] == ["command"]


async def test_a_stamped_private_message_that_answers_nothing_is_blocked_and_logged(
        bot: BotRunner, client: SandboxClient, app_context: AppContext) -> None:
    await client.send_message(MOIT, text="TỐI MẬT\nPhương án đàm phán")
    told = await bot_text(client, MOIT, "bị chặn")
    assert "Tối mật" in told["text"]
    assert not any("trả lời (reply)" in (m.get("text") or "") for m in await client.bot_messages(MOIT))
    assert [(e["actor"], e["where"], e["level"]) for e in await blocked_events(app_context)] == [
        ("moit-1", "private", "toi_mat")]


async def test_benign_posts_and_commands_in_the_topic_are_still_answered(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group, thread = await open_topic(client, sandbox)
    comment = await client.send_message(NSV, group, "Đồng ý, đề nghị bảo vệ bí mật nhà nước khi gửi phụ lục.",
                                        thread_id=thread)
    await client.send_message(COORD, group, "/status 1", thread_id=thread)
    await eventually(lambda: _card_count(client, group, thread, 2), what="a second status card, in answer")
    assert comment in {m["message_id"] for m in await client.messages(group, thread)}
    async with app_context.db.reading() as tx:
        assert await tx.fetchval("SELECT guard_action FROM messages") == "allow"
    assert await blocked_events(app_context) == []
    assert_calls_valid(await client.log())


async def _card_count(client: SandboxClient, group: int, thread: int, count: int) -> bool:
    return len([m for m in await client.bot_messages(group, thread) if (m.get("text") or "").startswith("📋")]) >= count


async def test_a_key_made_unusable_mid_run_blocks_deletes_and_shows_on_healthz(
        settings: Settings, sandbox: SandboxServer, client: SandboxClient,
        caplog: pytest.LogCaptureFixture) -> None:
    from tests.support.e2e import free_port

    port = free_port()
    settings.metrics_listen = f"127.0.0.1:{port}"
    key = settings.keys_dir / HMAC_KEY_FILE
    async with running_bot(settings, sandbox, EXAMPLE_ROSTER) as runner:
        group = sandbox.group_chat_id
        assert group is not None
        first = await client.send_message(MOIT, group, "Bản TỐI MẬT gửi kèm")
        await deleted(client, group, first)
        saved = key.read_bytes()
        key.unlink()  # removed while the bot runs
        second = await client.send_message(NSV, group, "TUYỆT MẬT\nPhương án")
        await deleted(client, group, second)
        notice = await bot_text(client, group, "không kiểm tra được")  # not "mang dấu mật": it was not judged
        assert "Lý Thành Nam" not in notice["text"]
        benign = await client.send_message(NSV, group, "Chào buổi sáng")  # unjudged is blocked too
        await deleted(client, group, benign)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 503
                assert "guard-unavailable" in await response.text()
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                body = await response.text()
        assert "consult_guard_up 0.0" in body
        assert 'consult_guard_fail_closed_blocks{rule="guard-unavailable"} 2.0' in body
        assert not any("Đã có lỗi" in (m.get("text") or "") for m in await client.messages(group))
        # Readable by others is as unusable as missing; then restored, judging resumes.
        key.write_bytes(saved)
        key.chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
        third = await client.send_message(NSV, group, "MẬT\nabc")
        await deleted(client, group, third)
        os.chmod(key, 0o600)
        kept = await client.send_message(MOIT, group, "Chào buổi chiều")
        await eventually(lambda: _guard_up(port), what="the guard to be up again")
        assert kept in {m["message_id"] for m in await client.messages(group)}
        async with runner.ctx.db.reading() as tx:
            rows = await tx.fetchall("SELECT data FROM events WHERE type = 'blocked' ORDER BY seq")
        rules = [json.loads(r["data"])["rule"] for r in rows]
        assert rules[1:] == ["guard-unavailable"] * 3 and rules[0] != "guard-unavailable"
    assert "Phương án" not in caplog.text and "Chào buổi" not in caplog.text
    assert "hmac.key" in caplog.text  # the log says why


async def _guard_up(port: int) -> bool:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status == 200


async def test_a_guard_that_raises_blocks_and_deletes(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    group = sandbox.group_chat_id
    assert group is not None

    def broken(text: str) -> None:
        raise RuntimeError("boom")

    assert app_context.guard is not None
    monkeypatch.setattr(app_context.guard, "scan_text", broken)
    posted = await client.send_message(NSV, group, "Chào các anh chị")
    await deleted(client, group, posted)
    assert [e["rule"] for e in await blocked_events(app_context)] == ["guard-error"]


async def test_the_bot_refuses_to_start_without_the_right_to_delete(
        settings: Settings, sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    chat = sandbox.state.chat(group or 0)
    assert group is not None and chat is not None
    chat.bot_rights["can_delete_messages"] = False
    with pytest.raises(GroupRightsError, match="delete messages"):
        async with running_bot(settings, sandbox, EXAMPLE_ROSTER):
            pass
    chat.bot_admin = False
    with pytest.raises(GroupRightsError, match="member"):
        async with running_bot(settings, sandbox, EXAMPLE_ROSTER):
            pass


async def test_the_bot_refuses_to_start_when_the_guard_cannot_judge(
        settings: Settings, sandbox: SandboxServer) -> None:
    (settings.keys_dir / HMAC_KEY_FILE).unlink()
    with pytest.raises(GuardError, match="hmac.key"):
        async with running_bot(settings, sandbox, EXAMPLE_ROSTER):
            pass


async def test_a_burst_of_stamped_posts_is_deleted_at_once_with_one_notice(
        settings: Settings, tmp_path: Path) -> None:
    """30 stamped posts in 6 s by one person, Telegram's flood limits on: every deletion within a
    second, and one notice in the topic (not 30 queued behind the group's 20 a minute)."""
    import asyncio
    import time

    server = SandboxServer(rate_limits=True)
    await server.start()
    group = seed(server)
    try:
        async with running_bot(settings, server, EXAMPLE_ROSTER), SandboxClient(server.base_url) as client:
            _, thread = await open_topic(client, server)
            posted: dict[int, float] = {}
            for index in range(30):
                at = time.time()
                posted[await client.send_message(NSV, group, f"TỐI MẬT\nPhần {index}", thread_id=thread)] = at
                await asyncio.sleep(0.2)

            async def all_deleted() -> list[dict[str, Any]] | None:
                done = [c for c in await calls(client, "deleteMessage") if c["error"] is None]
                return done if len(done) >= 30 else None
            done = await eventually(all_deleted, within=30, what="30 deletions")
            windows = sorted(c["time"] - posted[c["params"]["message_id"]] for c in done)
            assert windows[-1] < 1.0, windows
            await bot_text(client, group, "đã bị xóa vì mang dấu mật", thread)
            notices = [c for c in await calls(client, "sendMessage")
                       if c["params"].get("chat_id") == group and c["params"]["text"].startswith("🚫")
                       and "ephemeral_message_parameters" not in c["params"]]
            assert len(notices) == 1, [n["params"]["text"] for n in notices]
            assert not any(c["error"] for c in await client.log() if c["method"] != "getUpdates")
    finally:
        await server.stop()
