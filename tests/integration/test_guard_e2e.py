"""The guard on every path content enters by, through the sandbox and the real bot."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.services.kernel.context import AppContext
from tests.support.e2e import MOIT, NSV, last_bot_text, open_topic, stored_messages, visible_ids
from tests.support.telegram_schema import assert_calls_valid

pytestmark = pytest.mark.slow


async def test_blocked_in_topic_is_deleted_noticed_and_never_stored(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer, app_context: AppContext) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    sent = await client.send_message(NSV, group, "TỐI MẬT\nPhương án đàm phán", thread_id=thread)
    await eventually(lambda: _gone(client, group, thread, sent), what="the classified message to be deleted")
    notice = await last_bot_text(client, group, "đã bị xóa vì mang dấu mật", thread)
    assert "Phương án" not in notice["text"] and "Lý Thành Nam" not in notice["text"]
    told = await last_bot_text(client, NSV, "bị chặn")
    assert "Tối mật" in told["text"]
    rows = await stored_messages(app_context)
    assert [(r["guard_action"], r["guard_level"], r["body_enc"]) for r in rows] == [("block", "toi_mat", None)]


async def test_redacted_in_topic_is_reposted_redacted(bot: BotRunner, client: SandboxClient,
                                                      sandbox: SandboxServer) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    sent = await client.send_message(NSV, group, "Đồng ý.\n(MẬT) Lý do riêng: nước B phản đối.\nHết.",
                                     thread_id=thread)
    await eventually(lambda: _gone(client, group, thread, sent), what="the original to be deleted")
    repost = await last_bot_text(client, group, "[đã lược bỏ: Mật]", thread)
    assert "nước B" not in repost["text"] and "Đồng ý." in repost["text"] and "Lý Thành Nam" in repost["text"]


async def test_private_blocked_is_not_relayed_and_redacted_is_relayed_redacted(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    group, thread, invitation = await open_topic(client, sandbox)
    await client.send_message(MOIT, text="[TUYỆT MẬT] toàn văn", reply_to=invitation["message_id"])
    await last_bot_text(client, MOIT, "bị chặn")
    await client.send_message(MOIT, text="Góp ý chung.\n[mật]số liệu nội bộ[/mật]", reply_to=invitation["message_id"])
    relayed = await last_bot_text(client, group, "Góp ý chung.", thread)
    assert "số liệu nội bộ" not in relayed["text"] and "[đã lược bỏ: Mật]" in relayed["text"]
    assert not any("toàn văn" in (m.get("text") or "") for m in await client.messages(group, thread))


async def test_an_edit_that_turns_classified_is_caught(bot: BotRunner, client: SandboxClient,
                                                       sandbox: SandboxServer) -> None:
    group, thread, _ = await open_topic(client, sandbox)
    sent = await client.send_message(NSV, group, "Tôi sẽ gửi số liệu sau.", thread_id=thread)
    await client.edit_message(NSV, group, sent, "SECRET: the numbers are 12, 40, 7")
    await eventually(lambda: _gone(client, group, thread, sent), what="the edited message to be deleted")
    await last_bot_text(client, NSV, "bị chặn")


async def test_a_stamped_document_is_blocked(bot: BotRunner, client: SandboxClient,
                                             sandbox: SandboxServer) -> None:
    group, thread, invitation = await open_topic(client, sandbox)
    sent = await client.send_message(NSV, group, "Tài liệu tham khảo", thread_id=thread,
                                     document=("ghi-chu.txt", "Độ mật: Mật\nNội dung".encode()))
    await eventually(lambda: _gone(client, group, thread, sent), what="the stamped file to be deleted")
    await client.send_message(MOIT, reply_to=invitation["message_id"], text="Bảng số liệu",
                              document=("so-lieu.txt", "Số liệu công khai".encode()))
    relayed = await eventually(lambda: _document_in(client, group, thread, "so-lieu.txt"), what="the relayed file")
    assert "Bảng số liệu" in relayed["caption"]
    assert_calls_valid(await client.log())  # deleteMessage, sendDocument, getFile included


async def _gone(client: SandboxClient, chat: int, thread: int, message_id: int) -> bool:
    return message_id not in await visible_ids(client, chat, thread)


async def _document_in(client: SandboxClient, chat: int, thread: int, name: str) -> Any:
    found = [m for m in await client.bot_messages(chat, thread) if (m.get("document") or {}).get("file_name") == name]
    return found[-1] if found else None
