"""Scale: 1,000 open consultations of 20 invitees each, 5,000 stored messages. The bot process's
memory, its start time (re-arming every deadline step included), and the database's size per
stored message against the plaintext size."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.composition import open_context
from bot.config import Settings
from bot.datafolder import MARKER
from bot.sandbox.server import SandboxServer, SeedPerson
from bot.services.consultations import opening
from bot.services.dispatch import Origin, as_person, perform
from bot.services.people.roster import import_roster_file
from bot.store.datakeys import load_data_key
from bot.store.repos import consultations
from tests.support import KeywordGuard
from tests.support.bench import record
from tests.support.crowd import COORD, write_roster

pytestmark = [pytest.mark.bench, pytest.mark.slow]
CONSULTATIONS, INVITEES, MESSAGES_EACH = 1000, 20, 5
TEXT = "Bộ Công Thương đề nghị giữ nguyên đoạn {n} về quy tắc xuất xứ, bổ sung lộ trình thực hiện đến 2030."


def checkpointed_size(path: Path) -> int:
    """The database file's size with the write-ahead log folded in."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def rss_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


async def test_thousand_open_consultations(settings: Settings, tmp_path: Path) -> None:
    ids = write_roster(tmp_path / "roster.yaml", INVITEES)
    (settings.data_dir / MARKER).write_text("a benchmark's data\n")  # the bot runs on it against a sandbox
    plaintext = 0
    started = time.perf_counter()
    async with open_context(settings, SystemClock(), group_chat_id=-1001000000001, guard=KeywordGuard()) as ctx:
        await import_roster_file(ctx, tmp_path / "roster.yaml")
        for number in range(1, CONSULTATIONS + 1):
            origin = Origin(number, COORD, COORD, None, "vi", "/urgent")
            await perform(ctx, origin, as_person(origin, lambda uow, p, n=number: opening.open_consultation(
                uow, p, f"{2 + n % 5}h cross: Tham vấn số {n} về lộ trình cắt giảm thuế quan", COORD)))
        async with ctx.db.transaction() as tx:
            await tx.execute("UPDATE outbox SET state = 'sent'")  # the fan-outs are long done
        opened_seconds = time.perf_counter() - started
        before = checkpointed_size(settings.db_path)
        async with ctx.db.transaction() as tx:
            for number in range(1, CONSULTATIONS + 1):
                key = await load_data_key(tx, ctx.keys, number)
                for index in range(MESSAGES_EACH):
                    text = TEXT.format(n=index + 1)
                    plaintext += len(text.encode("utf-8"))
                    await consultations.add_message(
                        tx, key, consultation_id=number, person_key=f"p{ids[index]}", at=ctx.clock.now(),
                        kind="comment", source="private", text=text, guard_action="allow", guard_level=None,
                        content_hmac=None, telegram_chat_id=ids[index], telegram_message_id=index + 1)
        async with ctx.db.transaction() as tx:
            steps = await tx.fetchval("SELECT count(*) FROM deadline_steps WHERE state = 'pending'")
    after = checkpointed_size(settings.db_path)
    stored = CONSULTATIONS * MESSAGES_EACH

    server = SandboxServer(rate_limits=True)
    await server.start()
    group = server.seed_roster([SeedPerson(COORD, "Điều phối viên"), *(SeedPerson(i, f"Đ{i}") for i in ids)])
    log = (tmp_path / "bot.log").open("wb")
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", "--api-url", server.api_url,  # noqa: ASYNC220
                                "--group-chat-id", str(group), "--data-dir", str(settings.data_dir)],
                               stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ))
    try:
        ready = None
        while time.perf_counter() - began < 120:
            if "running; group" in (tmp_path / "bot.log").read_text(errors="replace"):
                ready = time.perf_counter() - began
                break
            await asyncio.sleep(0.05)
        assert ready is not None, (tmp_path / "bot.log").read_text()
        await asyncio.sleep(3)
        memory = rss_kb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        await server.stop()
    rearmed = next(line for line in (tmp_path / "bot.log").read_text().splitlines() if "re-armed" in line)
    record("scale", {
        "open_consultations": CONSULTATIONS, "invitees_each": INVITEES, "stored_messages": stored,
        "seconds_to_open_all_in_process": round(opened_seconds, 1),
        "bot_start_seconds_to_running": round(ready, 2), "rearmed": rearmed.split(": ", 1)[-1],
        "pending_steps": int(steps),
        "bot_rss_mb_after_start": round(memory.get("VmRSS", 0) / 1024, 1),
        "bot_peak_rss_mb": round(memory.get("VmHWM", 0) / 1024, 1),
        "database_mb": round(after / 1e6, 1),
        "bytes_per_stored_message": round((after - before) / stored),
        "plaintext_bytes_per_message": round(plaintext / stored),
        "overhead_ratio": round((after - before) / plaintext, 2),
    })
    assert int(steps) >= CONSULTATIONS
