"""`/stats [<days>d]` as a use case: figures from the store (consultations only), a table and a
PNG chart in the reader's language, for coordinators and auditors in private, an event each time."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.runtime import keep_chart_cache_in
from bot.services.consultations import managing, notices
from bot.services.dispatch import Origin
from bot.services.kernel.context import AppContext
from bot.services.reports import statistics
from bot.store.repos import people
from tests.support import KeywordGuard
from tests.support.consultation import GROUP, run_consultation
from tests.support.flow import AUDITOR, COORD, MOIT, events, open_one, outbox_rows, person_command, update_ids


@pytest.fixture(autouse=True)
def matplotlib_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """matplotlib writes its font cache under MPLCONFIGDIR: keep it in tmp."""
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path))
    yield


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def stats(ctx: AppContext, arguments: str = "", user: int = COORD, chat: int | None = None) -> None:
    origin = Origin(next(update_ids), user, chat or user, None, "vi", "/stats")
    await statistics.stats_for(ctx, origin, arguments)


def sent(rows: list[dict[str, object]], method: str) -> list[dict[str, object]]:
    return [r for r in rows if r["method"] == method]


async def test_a_coordinator_gets_the_table_and_the_chart_and_the_look_is_logged(ctx: AppContext) -> None:
    await run_consultation(ctx)  # moit-1 answered late by its alternate; nsv-1 objected late
    before = len(await outbox_rows(ctx))
    await stats(ctx, "7d")
    rows = (await outbox_rows(ctx))[before:]
    tables = sent(rows, "sendMessage")
    assert len(tables) == 1 and tables[0]["chat"] == COORD and tables[0]["parse_mode"] == "HTML"
    table = str(tables[0]["text"])
    assert table.startswith("📊 Thống kê 7 ngày") and ": 1 cuộc tham vấn" in table
    assert "Bộ Công Thương" in table or "BCT" in table
    photos = sent(rows, "sendPhoto")
    assert len(photos) == 1 and photos[0]["chat"] == COORD and photos[0]["caption"] == "📊 Biểu đồ 7 ngày"
    assert photos[0]["upload"].content.startswith(b"\x89PNG\r\n\x1a\n")
    viewed = await events(ctx, "stats_viewed")
    assert len(viewed) == 1 and json.loads(viewed[0]["data"]) == {"days": 7, "consultations": 1}


async def test_the_reader_gets_english_when_they_chose_it(ctx: AppContext) -> None:
    await run_consultation(ctx)
    async with ctx.db.transaction() as tx:
        await people.set_language(tx, "auditor-1", "en")
    before = len(await outbox_rows(ctx))
    await stats(ctx, user=AUDITOR)
    rows = (await outbox_rows(ctx))[before:]
    assert str(sent(rows, "sendMessage")[0]["text"]).startswith("📊 ") and "30 days" in str(rows[0]["text"])
    assert sent(rows, "sendPhoto")[0]["caption"] == "📊 Chart for 30 days"


async def test_notices_cancelled_and_old_consultations_are_not_counted(ctx: AppContext) -> None:
    clock = ctx.clock
    assert isinstance(clock, FakeClock)
    await run_consultation(ctx)  # #1, counted
    await person_command(notices.notify, COORD, "2h aec: Chỉ đạo của Thủ tướng", "/notify")(ctx)  # #2
    await open_one(ctx)  # #3, cancelled
    await person_command(managing.cancel, COORD, "3", "/cancel")(ctx)
    clock.advance(timedelta(days=8))
    await stats(ctx, "30d")
    await stats(ctx, "7d")  # #1 was opened more than 7 days ago
    texts = [str(r.get("text", "")) for r in sent(await outbox_rows(ctx), "sendMessage")]
    titles = [text for text in texts if text.startswith("📊")]
    assert ": 1 cuộc tham vấn" in titles[0] and ": 0 cuộc tham vấn" in titles[1]
    assert "Không có cuộc tham vấn nào trong kỳ này." in titles[1]
    assert len(sent(await outbox_rows(ctx), "sendPhoto")) == 1  # nothing to chart in an empty period


@pytest.mark.parametrize("user", [MOIT, 999999])
async def test_focal_points_and_strangers_are_refused_and_it_is_logged(ctx: AppContext, user: int) -> None:
    await stats(ctx, user=user)
    rows = await outbox_rows(ctx)
    assert not sent(rows, "sendPhoto") and len(rows) == 1
    refused = await events(ctx, "refused")
    assert len(refused) == 1 and json.loads(refused[0]["data"])["command"] == "/stats"
    assert not await events(ctx, "stats_viewed")


@pytest.mark.parametrize(("arguments", "chat", "expected"), [
    ("abc", None, "Không đọc được khoảng thời gian"),
    ("0d", None, "Không đọc được khoảng thời gian"),
    ("7d", GROUP, "Lệnh này chỉ dùng trong tin nhắn riêng"),
])
async def test_malformed_or_misplaced_stats_get_a_reason(ctx: AppContext, arguments: str, chat: int | None,
                                                         expected: str) -> None:
    await stats(ctx, arguments, chat=chat)
    rows = await outbox_rows(ctx)
    assert len(rows) == 1 and str(rows[0]["text"]).startswith(expected), rows[0]["text"]
    assert not await events(ctx, "stats_viewed")


def test_the_chart_cache_is_kept_in_the_data_folder_not_home(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MPLCONFIGDIR")
    keep_chart_cache_in(ctx.settings)
    folder = ctx.settings.data_dir / "matplotlib"
    assert os.environ["MPLCONFIGDIR"] == str(folder) and stat.S_IMODE(folder.stat().st_mode) == 0o700


async def test_the_table_writes_agencies_short_as_routing_yaml_declares_them(ctx: AppContext) -> None:
    """Issue 26 item 7: «BTKAQGVN» and «PĐTTVNTA» were initials the bot made up."""
    await run_consultation(ctx)
    before = len(await outbox_rows(ctx))
    await stats(ctx, "7d")
    table = str(sent((await outbox_rows(ctx))[before:], "sendMessage")[0]["text"])
    rows = table.split("<pre>", 1)[1].split("</pre>", 1)[0].split("\n")[1:]
    labels = {row.split("  ", 1)[0].strip() for row in rows}
    assert {"BCT", "Ban Thư ký ASEAN"} <= labels
    assert "BTKAQGVN" not in table and "PĐTTVNTA" not in table
    assert "Ban Thư ký ASEAN: Ban Thư ký ASEAN Quốc gia Việt Nam" in table
