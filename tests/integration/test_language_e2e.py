"""One language per reader, no silence and no small lies, through the sandbox against the real bot
(issue 16, item 4)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.domain.deeplinks import enrollment_payload
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.store.repos import enrollments

pytestmark = pytest.mark.slow

COORD, MOIT, NSV, STRANGER = 1001, 2001, 6001, 99002


async def said(client: SandboxClient, chat: int, contains: str, thread: int | None = None, after: int = 0) -> str:
    """The newest bot message in `chat` holding `contains`, sent after message `after`."""
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat, thread)
                 if contains in (m.get("text") or "") and m["message_id"] > after]
        return found[-1]["text"] if found else None
    text: str = await eventually(probe, within=20, what=f"{contains!r} in chat {chat}")
    return text


async def last_id(client: SandboxClient, chat: int) -> int:
    return max((m["message_id"] for m in await client.messages(chat)), default=0)


async def ask(client: SandboxClient, user: int, text: str, contains: str, chat: int | None = None,
              thread: int | None = None) -> str:
    where = chat if chat is not None else user
    before = await last_id(client, where)
    await client.send_message(user, chat, text, thread_id=thread)
    return await said(client, where, contains, thread, after=before)


async def test_roles_and_states_are_said_in_the_readers_words(bot: BotRunner, client: SandboxClient) -> None:
    whoami = await ask(client, COORD, "/whoami", "Nguyễn Văn An")
    assert "Vai trò: Điều phối viên; Cơ quan điều phối quốc gia về ASEAN (Bộ Ngoại giao)" in whoami
    assert "national_coordinator" not in whoami
    await ask(client, COORD, "/lang en", "English")
    whoami = await ask(client, COORD, "/whoami", "Nguyễn Văn An")
    assert "Roles: Coordinator; National ASEAN coordinator (Ministry of Foreign Affairs)" in whoami
    await ask(client, COORD, "/lang vi", "tiếng Việt")

    await ask(client, COORD, "/urgent 2h aec: Dự thảo tuyên bố chung", "Đã mở #1")
    await ask(client, COORD, "/close 1", "Kết quả tham vấn #1")
    refused = await ask(client, COORD, "/extend 1 1h", "#1")
    assert refused == "#1 đã kết thúc; không thể thực hiện lệnh này nữa."
    await ask(client, COORD, "/urgent 2h aec: Lần hai", "Đã mở #2")
    await ask(client, COORD, "/cancel 2", "Đã hủy #2")
    refused = await ask(client, COORD, "/remind 2", "#2")
    assert refused == "#2 đã bị hủy; không thể thực hiện lệnh này nữa."
    texts = " ".join(m.get("text") or "" for m in await client.bot_messages(COORD))
    assert "(closed)" not in texts and "(cancelled)" not in texts


async def test_a_reused_enrollment_link_answers_in_the_language_chosen(bot: BotRunner, client: SandboxClient) -> None:
    await client.add_user(STRANGER, "Quyên", language_code="vi")
    async with bot.ctx.db.transaction() as tx:
        token = await enrollments.create_token(tx, "jkt-2", bot.ctx.clock.now(), timedelta(hours=1))
    link = f"/start {enrollment_payload(token)}"
    await ask(client, STRANGER, link, "Xin chào Cao Thị Quyên")
    await ask(client, STRANGER, "/lang en", "English")
    again = await ask(client, STRANGER, link, "link")
    assert again == "This enrollment link has already been used."


async def test_the_guard_says_why_a_file_was_blocked_in_the_senders_language(
        bot: BotRunner, client: SandboxClient) -> None:
    before = await last_id(client, MOIT)
    await client.send_message(MOIT, document=("bao_cao_TOI_MAT.txt", "Lịch họp tuần sau".encode()))
    notice = await said(client, MOIT, "bị chặn", after=before)
    assert notice.endswith("\nTên tệp mang dấu mật.")
    await ask(client, NSV, "/lang en", "English")  # another sender: notices to one come a minute apart
    before = await last_id(client, NSV)
    await client.send_message(NSV, document=("TOP_SECRET_plan.txt", b"Meeting next week"))
    notice = await said(client, NSV, "blocked", after=before)
    assert notice.endswith("\nThe file's name carries a secrecy marking.")
    assert "Tên tệp" not in notice and "bị chặn" not in notice


async def test_an_unknown_command_is_answered_with_the_short_help_after_the_gate(
        bot: BotRunner, client: SandboxClient, sandbox: SandboxServer) -> None:
    answer = await ask(client, MOIT, "/foo", "/foo")
    assert answer.startswith("Bot không có lệnh /foo.\n\nrapid-consult")
    assert "/status [số]" in answer and "/urgent" not in answer  # the help for her roles
    group = sandbox.group_chat_id
    assert group is not None
    assert (await ask(client, COORD, "/baocao", "/baocao", chat=group)).startswith("Bot không có lệnh /baocao.")
    # The gate judges a command first: a marked one is blocked, not answered with help.
    before = await last_id(client, MOIT)
    await client.send_message(MOIT, text="/foo TỐI MẬT")
    await said(client, MOIT, "bị chặn", after=before)
    assert not [m for m in await client.bot_messages(MOIT) if m["message_id"] > before
                and "không có lệnh" in (m.get("text") or "")]


async def card(client: SandboxClient, sandbox: SandboxServer, consultation: int) -> str:
    group = sandbox.group_chat_id
    assert group is not None
    return await said(client, group, f"📋 #{consultation} ")


async def test_time_left_is_rounded_up_as_people_read_it(bot: BotRunner, client: SandboxClient,
                                                        sandbox: SandboxServer) -> None:
    await ask(client, COORD, "/urgent 1h aec: Một giờ", "Đã mở #1")
    assert "(còn 1 giờ)" in await card(client, sandbox, 1)
    await ask(client, COORD, "/urgent 2m aec: Hai phút", "Đã mở #2")
    assert "(còn 2 phút)" in await card(client, sandbox, 2)


async def test_the_form_opens_with_the_deadline_its_confirmation_showed(bot: BotRunner,
                                                                        client: SandboxClient) -> None:
    await ask(client, COORD, "/urgent", "(1/3)")
    await client.send_message(COORD, text="Góp ý dự thảo")
    scopes = await eventually(lambda: _with(client, COORD, "(2/3)"), what="the scope step")
    data = [b["callback_data"] for row in scopes["reply_markup"]["inline_keyboard"] for b in row]
    form = data[0].split(":")[1]
    await client.press_button(COORD, COORD, scopes["message_id"], f"f:{form}:s:aec")
    await client.press_button(COORD, COORD, scopes["message_id"], f"f:{form}:next")
    await said(client, COORD, "(3/3)")
    confirm = await ask(client, COORD, "1h", "Vui lòng kiểm tra")
    shown = re.search(r"Thời hạn: (.+)", confirm)
    assert shown is not None
    await asyncio.sleep(2.5)  # the coordinator reads before pressing
    message = await _with(client, COORD, "Vui lòng kiểm tra")
    await client.press_button(COORD, COORD, message["message_id"], f"f:{form}:ok")
    opened = await said(client, COORD, "Đã mở #1")
    assert f"Hạn {shown.group(1)} (còn " in opened  # the same moment, with the time left


async def _with(client: SandboxClient, chat: int, contains: str) -> Any:
    found = [m for m in await client.bot_messages(chat) if contains in (m.get("text") or "")]
    return found[-1] if found else None


async def test_malformed_urgent_commands_say_exactly_what_is_wrong(bot: BotRunner, client: SandboxClient) -> None:
    assert await ask(client, COORD, "/urgent 2h aec+trade: X", "trade") == \
        "Không có phạm vi «trade». Chọn trong: apsc, aec, ascc, connectivity, comms, cross."
    assert await ask(client, COORD, "/urgent 8d aec: X", "8d") == \
        "Thời hạn «8d» quá dài: một cuộc tham vấn kéo dài tối đa 7 ngày."


async def test_the_coordinator_does_not_invite_himself_to_a_cross_pillar_consultation(
        bot: BotRunner, client: SandboxClient) -> None:
    opened = await ask(client, COORD, "/urgent 2h cross: Lập trường chung về Biển Đông", "Đã mở #1")
    assert "Mời 7 đầu mối" in opened  # every focal point but himself
    await said(client, NSV, "Tham vấn khẩn #1")
    await asyncio.sleep(0.5)
    assert not [m for m in await client.bot_messages(COORD) if "Tham vấn khẩn #1" in (m.get("text") or "")]


async def test_a_typo_is_asked_back_not_answered_with_the_whole_help(
        bot: BotRunner, client: SandboxClient) -> None:
    answer = await ask(client, COORD, "/remid 1", "/remid")
    assert answer == "Bot không có lệnh /remid. Có phải ý anh/chị là /remind? (/help: danh sách lệnh)"
    both = await ask(client, COORD, "/stauts", "/stauts")
    assert "/stats hoặc /status" in both
