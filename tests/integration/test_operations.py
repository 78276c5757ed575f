"""Operations against the real bot and sandbox: doctor's lines, an online backup taken during a
fan-out that restores and decrypts, and logs of a whole run that hold no content."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.clock import SystemClock
from bot.commands import doctor_commands  # noqa: F401 - registers `consult doctor`
from bot.commands.doctor_checks import run_checks
from bot.composition import open_context
from bot.config import Settings
from bot.sandbox.client import SandboxClient, eventually
from bot.sandbox.server import SandboxServer
from bot.store import backup
from bot.store.repos import consultations
from tests.support.crowd import COORD, invitations, seed, write_roster
from tests.support.e2e import TOKEN, running_bot
from tests.support.tools import requires_ocr

pytestmark = pytest.mark.slow


@requires_ocr
async def test_doctor_names_the_missing_right_and_exits_nonzero(
        settings: Settings, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    group = sandbox.group_chat_id
    chat = sandbox.state.chat(group) if group else None
    assert group is not None and chat is not None
    async with open_context(settings):
        pass  # the database exists and is migrated
    chat.bot_rights["can_delete_messages"] = False
    lines = {line.name: line for line in await run_checks(settings, TOKEN, sandbox.api_url, group)}
    assert not lines["right: can_delete_messages"].ok
    assert "delete messages" in str(lines["right: can_delete_messages"])
    assert all(lines[name].ok for name in ("key files", "database integrity", "migrations", "Bot API",
                                           "coordination group", "bot is administrator",
                                           "right: can_manage_topics", "right: can_invite_users"))

    cli = CliRunner()
    args = ["doctor", "--api-url", sandbox.api_url, "--group-chat-id", str(group)]
    result = await asyncio.to_thread(cli.invoke, app, args)
    assert result.exit_code == 1, result.output
    assert "FAIL right: can_delete_messages: missing" in result.output and "-> grant the bot" in result.output
    chat.bot_rights["can_delete_messages"] = True
    result = await asyncio.to_thread(cli.invoke, app, args)
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output

    loose = next(p for p in settings.keys_dir.iterdir() if not p.name.endswith(".pub"))
    loose.chmod(0o644)
    lines = {line.name: line for line in await run_checks(settings, TOKEN, sandbox.api_url, group)}
    assert not lines["key files"].ok and "chmod 600" in lines["key files"].remedy


async def test_backup_during_a_fan_out_restores_and_decrypts(settings: Settings, tmp_path: Path) -> None:
    server = SandboxServer(rate_limits=True)  # Telegram's pace: the fan-out takes a few seconds
    await server.start()
    ids = write_roster(tmp_path / "roster.yaml", 60)
    group = seed(server, ids)
    copy = tmp_path / "backups" / "consult.db"
    try:
        async with (running_bot(settings, server, tmp_path / "roster.yaml", group),
                SandboxClient(server.base_url) as client):
            await client.send_message(COORD, text="/urgent 1h aec: Sao lưu giữa chừng")

            async def under_way() -> bool:
                return len(await invitations(client)) >= 10
            await eventually(under_way, within=30, interval=0.02, what="the fan-out to be under way")
            result = await asyncio.to_thread(backup.backup, settings.db_path, copy)
            assert len(await invitations(client)) < 60, "the fan-out ended before the backup"
            await eventually(lambda: _all(client, 60), within=60, what="the fan-out to finish")
    finally:
        await server.stop()

    assert result.checksum_path.read_text().startswith(result.sha256)
    assert backup.verify_backup(copy) == result.sha256
    # Restore into a fresh data directory holding the same keys: it opens, verifies and decrypts.
    restored = Settings(data_dir=tmp_path / "restored")
    restored.ensure_data_dir()
    shutil.copytree(settings.keys_dir, restored.keys_dir, dirs_exist_ok=True)
    assert backup.restore(copy, restored.db_path) is None
    async with open_context(restored, SystemClock()) as ctx, ctx.db.reading() as tx:
        record, _ = await consultations.get(tx, ctx.keys, 1)
        assert record.consultation.title == "Sao lưu giữa chừng"
        states = dict(await tx.fetchall("SELECT state, count(*) FROM outbox GROUP BY state"))
        assert states.get("pending", 0) > 0 and states.get("sent", 0) > 0  # a copy from mid fan-out
    assert backup.integrity(restored.db_path) == "ok"

    # A damaged copy is refused before anything is replaced.
    with copy.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xff" * 64)
    with pytest.raises(backup.BackupError, match="does not match its checksum"):
        backup.restore(copy, restored.db_path)


async def _all(client: SandboxClient, count: int) -> bool:
    return len(await invitations(client)) >= count


async def test_logs_of_a_whole_run_hold_no_content_token_or_key(
        settings: Settings, sandbox: SandboxServer, client: SandboxClient, tmp_path: Path) -> None:
    import base64
    import json
    import logging

    from bot.logs import JsonFormatter, configure
    from tests.support.e2e import MOIT, NSV, last_bot_text
    from tests.support.paths import EXAMPLE_ROSTER

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure("DEBUG", "json")  # the most talkative setting an operator can choose
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    collector = Collect()
    collector.setFormatter(JsonFormatter())
    root.addHandler(collector)
    title, comment, summary = "Lập trường về hạn ngạch thép", "Đề nghị giữ nguyên đoạn 4", "Trình Thủ tướng bản sửa"
    try:
        async with running_bot(settings, sandbox, EXAMPLE_ROSTER):
            await client.send_message(COORD, text=f"/urgent 2h aec: {title}")
            invitation = await last_bot_text(client, MOIT, "Tham vấn khẩn #1")
            await client.press_button(MOIT, MOIT, invitation["message_id"], "a:1:object")
            await client.send_message(MOIT, text=comment, reply_to=invitation["message_id"])
            await client.send_message(NSV, text="/urgent 1h aec: Không có quyền")
            await client.send_message(MOIT, text="Tài liệu TUYỆT MẬT số 12", reply_to=invitation["message_id"])
            await last_bot_text(client, MOIT, "bị chặn")
            await client.send_message(COORD, text=f"/close 1 {summary}")
            await last_bot_text(client, COORD, "Kết quả tham vấn #1")
    finally:
        root.removeHandler(collector)
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert lines and all(json.loads(line)["level"] for line in lines), len(lines)
    events = {json.loads(line).get("event") for line in lines}
    assert {"opened", "invited", "answered", "commented", "refused", "blocked", "closed"} <= events
    assert any(json.loads(line).get("duration_ms") is not None for line in lines)
    secrets = [title, comment, summary, "TUYỆT MẬT", "Không có quyền", "hạn ngạch", TOKEN, TOKEN.split(":")[1]]
    for path in settings.keys_dir.iterdir():
        raw = path.read_bytes()
        secrets += [raw.hex()[:32], base64.b64encode(raw).decode()[:32]]
    leaked = {json.loads(line)["logger"]: s for line in lines for s in secrets if s in line}
    assert leaked == {}, f"logs carry {leaked!r}"


async def test_healthz_and_metrics(settings: Settings, sandbox: SandboxServer, client: SandboxClient) -> None:
    import aiohttp

    from tests.support.e2e import MOIT, free_port, last_bot_text
    from tests.support.paths import EXAMPLE_ROSTER

    port = free_port()
    settings.metrics_listen = f"127.0.0.1:{port}"
    async with running_bot(settings, sandbox, EXAMPLE_ROSTER):
        await client.send_message(COORD, text="/urgent 2h aec: Số liệu vận hành")
        invitation = await last_bot_text(client, MOIT, "Tham vấn khẩn #1")
        await client.send_message(MOIT, text="Tài liệu TUYỆT MẬT", reply_to=invitation["message_id"])
        await last_bot_text(client, MOIT, "bị chặn")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200 and (await response.text()).strip() == "ok"
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                body = await response.text()
    assert 'consult_consultations{state="open"} 1.0' in body
    assert 'consult_guard_blocks{level="tuyet_mat"} 1.0' in body
    for name in ("consult_outbox_depth", "consult_outbox_oldest_age_seconds", "consult_outbox_failed",
                 "consult_send_retries_rate_limited", "consult_deadline_steps_pending"):
        assert f"\n{name} " in body, name
    assert "Số liệu" not in body
