"""Every visible part of an update is judged (issue 24, item 1), through the sandbox and the real bot:
topic names, the group's title and photo, members' names, forward headers, who posted, replies to
other chats, inline keyboards, poll explanations, checklist tasks added later, invoices, document
thumbnails — and the bot's own relays show no link preview. Each marked part is removed or undone;
a benign forward still passes."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from tests.support import image_corpus
from tests.support.e2e import COORD, MOIT, last_bot_text, open_topic, seed
from tests.support.telegram_schema import assert_calls_valid, message_problems

pytestmark = pytest.mark.slow

NEUTRAL_TOPIC = "Chủ đề đã đổi tên theo quy định bảo mật"


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SandboxServer]:
    server = SandboxServer(rate_limits=False, state_file=tmp_path / "sandbox-state.json")
    await server.start()
    seed(server)
    yield server
    await server.stop()


def stamp_b64(text: str = "TỐI MẬT") -> str:
    out = io.BytesIO()
    image_corpus.stamp_alone(text).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


async def post(client: SandboxClient, sandbox: SandboxServer, message: dict[str, Any], *, user: int = MOIT,
               thread: int | None = None) -> int:
    group = sandbox.group_chat_id
    assert group is not None
    message_id = await client.post_update(user, group, message, thread_id=thread)
    delivered = sandbox.state.message(group, message_id)
    assert delivered is not None and message_problems(delivered) == []
    return message_id


async def gone(client: SandboxClient, chat: int, message_id: int) -> None:
    async def probe() -> bool:
        return message_id not in {m["message_id"] for m in await client.messages(chat)}
    await eventually(probe, within=20, what=f"message {message_id} to be deleted")


async def kinds(ctx: AppContext) -> list[str]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT data FROM events WHERE type = 'blocked' ORDER BY seq")
    return [json.loads(r["data"])["kind"] for r in rows]


CHANNEL = {"id": -1001234567890, "type": "channel", "title": "Kênh TỐI MẬT nội bộ"}
POLL = {"id": "5", "question": "Phương án nào?", "options": [
        {"text": "A", "voter_count": 0, "persistent_id": "a"},
        {"text": "B", "voter_count": 0, "persistent_id": "b"}],
        "total_voter_count": 0, "is_closed": False, "is_anonymous": False,
        "type": "quiz", "allows_multiple_answers": False, "correct_option_ids": [0], "allows_revoting": False,
        "members_only": False}

MARKED = {
    "forward_channel": {"text": "Bản tin sáng", "forward_origin": {
        "type": "channel", "date": 1, "chat": CHANNEL, "message_id": 7}},
    "forward_hidden": {"text": "Bản tin sáng", "forward_origin": {
        "type": "hidden_user", "date": 1, "sender_user_name": "TUYỆT MẬT Cục A"}},
    "signature": {"text": "Bản tin sáng", "forward_origin": {
        "type": "channel", "date": 1, "chat": {**CHANNEL, "title": "Kênh tin"}, "message_id": 7,
        "author_signature": "Độ mật: A"}},
    "as_channel": {"text": "Ý kiến của kênh", "sender_chat": CHANNEL},
    "external_file": {"text": "Xem tệp này", "external_reply": {
        "origin": {"type": "channel", "date": 1, "chat": {**CHANNEL, "title": "Kênh tin"}, "message_id": 3},
        "document": {"file_id": "BQAC1", "file_unique_id": "u1", "file_name": "TỐI MẬT - phương án.pdf"}}},
    "external_poll": {"text": "Bỏ phiếu ở đây", "external_reply": {
        "origin": {"type": "hidden_user", "date": 1, "sender_user_name": "Anh B"},
        "poll": {**POLL, "question": "TỐI MẬT: chọn phương án"}}},
    "via_bot_keyboard": {"text": "Kết quả tìm kiếm", "via_bot": {"id": 777, "is_bot": True, "first_name": "Tìm",
                                                                  "username": "tim_bot"},
                         "reply_markup": {"inline_keyboard": [[{"text": "Mở bản TUYỆT MẬT",
                                                               "url": "https://example.org/x"}]]}},
    "quiz_explanation": {"poll": {**POLL, "explanation": "Vì văn bản TỐI MẬT số 12 nói vậy"}},
    "checklist_added": {"checklist_tasks_added": {"tasks": [{"id": 2, "text": "Gửi bản TỐI MẬT cho B"}]}},
    "invoice": {"invoice": {"title": "TỐI MẬT", "description": "Phí", "start_parameter": "x", "currency": "VND",
                            "total_amount": 1000}},
}


@pytest.mark.parametrize("case", sorted(MARKED))
async def test_a_marking_in_a_visible_part_deletes_the_message(
        case: str, bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    posted = await post(client, sandbox, MARKED[case])
    await gone(client, group, posted)
    assert await kinds(app_context) == ["message"]


async def test_a_benign_forward_from_a_channel_stays(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    benign = await post(client, sandbox, {"text": "Bản tin sáng", "forward_origin": {
        "type": "channel", "date": 1, "chat": {**CHANNEL, "title": "Kênh tin Bộ Ngoại giao"}, "message_id": 7}})
    marked = await post(client, sandbox, {"text": "Sau đó", "sender_chat": CHANNEL})
    await gone(client, group, marked)  # handled in order: the benign one was judged before
    assert benign in {m["message_id"] for m in await client.messages(group)}


async def test_a_document_thumbnail_is_judged_as_a_photo(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    posted = await post(client, sandbox, {"caption": "Biên bản", "document": {
        "file_name": "bien-ban.txt", "mime_type": "text/plain",
        "content_b64": base64.b64encode("Biên bản họp thường kỳ.".encode()).decode(),
        "thumbnail": {"content_b64": stamp_b64()}}})
    await gone(client, group, posted)


async def test_a_topic_named_with_a_marking_is_renamed_and_the_coordinators_told(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    created = await post(client, sandbox, {"forum_topic_created": {"name": "TỐI MẬT kế hoạch B",
                                                                   "icon_color": 7322096}})

    async def renamed() -> bool:
        return any(t["message_thread_id"] == created and t["name"] == NEUTRAL_TOPIC for t in await client.topics(group))
    await eventually(renamed, within=20, what="the topic renamed")
    told = await last_bot_text(client, COORD, "Bảo mật")
    assert "kế hoạch B" not in told["text"]
    edited = await post(client, sandbox, {"forum_topic_edited": {"name": "Độ mật: A"}}, thread=created)
    await gone(client, group, edited)

    async def renamed_again() -> bool:
        topics = await client.topics(group)
        return all("Độ mật" not in t["name"] for t in topics) and len(sandbox.state.chats[str(group)].topics) >= 1
    await eventually(renamed_again, within=20, what="the topic renamed again")
    assert await kinds(app_context) == ["topic_name", "topic_name_edited"]
    log = await client.log()
    renames = [c for c in log if c["method"] == "editForumTopic" and c["error"] is None]
    assert len(renames) == 2
    assert_calls_valid(log)


async def test_a_marked_group_title_is_put_back_and_a_marked_photo_removed(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    await post(client, sandbox, {"new_chat_title": "Điều phối ASEAN 2026"})
    marked = await post(client, sandbox, {"new_chat_title": "TUYỆT MẬT - Điều phối"})
    await gone(client, group, marked)

    async def restored() -> bool:
        return sandbox.state.chats[str(group)].title == "Điều phối ASEAN 2026"
    await eventually(restored, within=20, what="the title restored")
    photo = await post(client, sandbox, {"new_chat_photo": {"content_b64": stamp_b64()}})
    await gone(client, group, photo)

    async def removed() -> bool:
        return sandbox.state.chats[str(group)].photo is None
    await eventually(removed, within=20, what="the photo removed")
    assert await kinds(app_context) == ["chat_title", "chat_photo"]
    log = await client.log()
    assert {"setChatTitle", "deleteChatPhoto"} <= {c["method"] for c in log if c["error"] is None}
    assert_calls_valid(log)


async def test_marked_names_of_members_and_senders(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    joined = await post(client, sandbox, {"new_chat_members": [{"id": 8080, "is_bot": False,
                                                                "first_name": "TUYỆT MẬT"}]})
    await gone(client, group, joined)
    await last_bot_text(client, COORD, "Telegram id 8080")
    await client.add_user(8181, "Nguyễn", last_name="TỐI MẬT")
    sandbox.state.chats[str(group)].members.append(8181)
    posted = await client.send_message(8181, group, "Chào cả nhóm")
    await gone(client, group, posted)
    await last_bot_text(client, COORD, "8181")


async def test_relayed_comments_show_no_link_preview(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group, thread, invitation = await open_topic(client, sandbox)
    await client.send_message(MOIT, text="Xem https://example.org/du-thao nhé", reply_to=invitation["message_id"])
    relayed = await last_bot_text(client, group, "example.org", thread)
    assert relayed.get("link_preview_options") == {"is_disabled": True}


async def test_the_sandbox_state_keeps_no_blocked_content(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group = sandbox.group_chat_id
    assert group is not None
    posted = await client.send_message(MOIT, group, "TỐI MẬT: phương án rút lui",
                                       document=None)
    await gone(client, group, posted)
    attached = await client.send_message(MOIT, group, "Độ mật: A", document=("ke-hoach.txt", b"noi dung kin"))
    await gone(client, group, attached)
    sandbox.save()
    assert sandbox.state_file is not None
    saved = sandbox.state_file.read_text(encoding="utf-8")
    assert "rút lui" not in saved and "Độ mật" not in saved
    assert base64.b64encode(b"noi dung kin").decode() not in saved
