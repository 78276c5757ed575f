"""`consult demo`: a scripted consultation, end to end, in compressed time, narrated.

The real bot runs against the embedded sandbox with a clock running `speed` times faster than
real time, so a 45-minute consultation with its reminders and escalation takes under a minute.
People's actions go through the sandbox's control API exactly as in the end-to-end tests.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.clock import ScaledClock
from bot.composition import compose, default_guard
from bot.config import load_settings, shipped_dir
from bot.policy.files import load_roster, load_routing
from bot.runtime import BotRunner
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SANDBOX_TOKEN, SandboxServer, SeedPerson
from bot.services.people.roster import import_roster_file
from bot.services.presentation.formatting import local_time
from bot.services.presentation.people_labels import person_labels
from bot.stores import open_stores
from bot.telegram.endpoint import Endpoint

ROSTER = shipped_dir("policies") / "roster.example.yaml"
COORD, MOIT, NSV, MOF, JKT, MOF_ALT = 1001, 2001, 6001, 4001, 7001, 4002


class Narrator:
    def __init__(self, clock: ScaledClock, zone: str, out: Callable[[str], None]) -> None:
        self.clock, self.zone, self.out = clock, zone, out

    def __call__(self, text: str) -> None:
        self.out(f"[{local_time(self.clock.now(), self.zone)}] {text}")

    def show(self, who: str, text: str) -> None:
        indented = "\n".join("      " + line for line in text.splitlines())
        self.out(f"    → {who}:\n{indented}")


async def _latest(client: SandboxClient, chat: int, contains: str, thread: int | None = None) -> Any:
    async def probe() -> Any:
        found = [m for m in await client.bot_messages(chat, thread) if contains in (m.get("text") or "")]
        return found[-1] if found else None
    return await eventually(probe, within=60, what=f"a message containing {contains!r}")


async def run_demo(out: Callable[[str], None], speed: float = 60.0) -> int:
    with tempfile.TemporaryDirectory(prefix="rapid-consult-demo-") as data_dir:
        settings = load_settings(data_dir=Path(data_dir))
        settings.ensure_data_dir()
        from bot.store.keys import KeyStore

        KeyStore(settings.keys_dir).init()
        server = SandboxServer()
        await server.start()
        roster = load_roster(ROSTER, load_routing(settings.policy_dir))
        labels = person_labels(roster, load_routing(settings.policy_dir))
        group = server.seed_roster([SeedPerson(p.telegram_user_id, p.name, role=labels[p.key].role,
                                               agency=labels[p.key].agency)
                                    for p in roster.people if p.telegram_user_id is not None])
        if settings.auditors_chat_id is None:  # checkpoints go to the roster's auditor, a chat auditors are in
            auditor = next((p.telegram_user_id for p in roster.people if "auditor" in p.roles), None)
            settings = settings.model_copy(update={"auditors_chat_id": auditor})
        clock = ScaledClock(speed)
        say = Narrator(clock, settings.timezone, out)
        try:
            async with open_stores(settings, clock) as stores, SandboxClient(server.base_url) as client:
                ctx = compose(stores, guard=default_guard(settings), group_chat_id=group)
                await import_roster_file(ctx, ROSTER)
                runner = BotRunner(ctx, Endpoint.for_api_url(SANDBOX_TOKEN, server.api_url))
                await runner.start()
                try:
                    await _script(client, say, group)
                finally:
                    await runner.stop()
        finally:
            await server.stop()
    return 0


async def _script(client: SandboxClient, say: Narrator, group: int) -> None:
    say("Diễn tập tham vấn nhanh (1 phút thực = 1 giờ). Điều phối viên Nguyễn Văn An (Bộ Ngoại giao) mở tham vấn:")
    command = "/urgent 45m aec+connectivity: Lập trường về dự thảo Tuyên bố chung về chuỗi cung ứng"
    say(f"    {command}")
    await client.send_message(COORD, text=command)
    say.show("Nguyễn Văn An", (await _latest(client, COORD, "Đã mở #1"))["text"])
    invitation = await _latest(client, MOIT, "Tham vấn khẩn #1")
    say("Bot mời các đầu mối theo vai trò (Kinh tế + Kết nối), mỗi người một tin nhắn riêng có nút trả lời:")
    say.show("Trần Thị Bình (Bộ Công Thương)", invitation["text"])

    say("Bộ Công Thương bấm «Đồng ý»; Ban Thư ký bấm «Phản đối» và góp ý bằng cách trả lời tin mời.")
    await client.press_button(MOIT, MOIT, invitation["message_id"], "a:1:agree")
    nsv_invitation = await _latest(client, NSV, "Tham vấn khẩn #1")
    await client.press_button(NSV, NSV, nsv_invitation["message_id"], "a:1:object")
    await client.send_message(NSV, text="Đề nghị bổ sung cam kết về minh bạch dữ liệu ở đoạn 4.",
                              reply_to=nsv_invitation["message_id"])
    topics = await eventually(lambda: client.topics(group), what="the topic")
    thread = topics[0]["message_thread_id"]
    relayed = await _latest(client, group, "minh bạch dữ liệu", thread)
    say.show("chủ đề #1 trong nhóm «Điều phối ASEAN»", relayed["text"])

    say("Một đầu mối thử gửi nội dung có dấu mật vào chủ đề — bot xóa ngay, không lưu, không chuyển tiếp:")
    await client.send_message(JKT, group, "TỐI MẬT\nPhương án dự phòng của đoàn", thread_id=thread)
    say.show("chủ đề #1", (await _latest(client, group, "mang dấu mật", thread))["text"])
    await client.press_button(JKT, JKT, (await _latest(client, JKT, "Tham vấn khẩn #1"))["message_id"], "a:1:agree")

    say("Bộ Tài chính chưa trả lời. Chờ đến 50% thời hạn...")
    reminder = await _latest(client, MOF, "Nhắc")
    say("Bot nhắc người chưa trả lời (chỉ người đó):")
    say.show("Bùi Quang Huy (Bộ Tài chính)", reminder["text"])
    second = await _latest(client, MOF, "Đề nghị trả lời")
    say("80% thời hạn, nhắc lần hai:")
    say.show("Bùi Quang Huy (Bộ Tài chính)", second["text"])
    escalation = await _latest(client, MOF_ALT, "#1")
    say("Hết hạn: bot chuyển cho người thay thế của Bộ Tài chính và báo điều phối viên:")
    say.show("Đặng Thu Trang (người thay thế, Bộ Tài chính)", escalation["text"])
    say.show("Nguyễn Văn An", (await _latest(client, COORD, "Đã hết hạn #1"))["text"])
    card = await _latest(client, group, "📋 #1", thread)
    say("Thẻ tình trạng được ghim trong chủ đề:")
    say.show("chủ đề #1", card["text"])

    say("Điều phối viên kết thúc tham vấn:")
    await client.send_message(COORD, text="/close 1 Trình Thủ tướng; tiếp thu góp ý của Ban Thư ký.")
    say.show("chủ đề #1", (await _latest(client, group, "Kết quả tham vấn #1", thread))["text"])
    say("Xong. Mọi tin nhắn được lưu đã mã hóa; nội dung mật không được lưu.")
