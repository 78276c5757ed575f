"""Peak memory of the bot's process and its guard workers while a corpus of bombs is judged — zip
bombs in DOCX and XLSX, a part that packs too well, deeply nested XML, a pixel bomb — with the
verdict and time of each. Goal: under 1 GB in all, every bomb refused with a reason. Memory is
sampled from /proc every 20 ms in a thread beside the judging."""

from __future__ import annotations

import asyncio
import io
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.guard.engine import Guard
from bot.guard.workers import GuardPool, rss_bytes
from tests.support.bench import record
from tests.support.bombs import CONTENT_TYPES, docx_bomb

pytestmark = [pytest.mark.bench, pytest.mark.skipif(not Path("/proc/self/status").exists(),
                                                    reason="memory is read from Linux's /proc")]
KEY = b"bench-term-key-0123456789abcdef!"
REPO = Path(__file__).resolve().parents[2]


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def corpus() -> dict[str, tuple[str, bytes]]:
    pixels = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(pixels, "PNG")
    nested = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/' \
             b'2006/main"><w:body>' + b"<w:p>" * 100_000 + b"</w:p>" * 100_000 + b"</w:body></w:document>"
    sheet = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
            b"<sheetData>" + b'<row><c t="inlineStr"><is><t>aaaaaaaa</t></is></c></row>' * 3_000_000 + \
            b"</sheetData></worksheet>"
    return {
        "docx, 187 MB unpacked": ("bao-cao.docx", docx_bomb(187_000_000)),
        "docx, 20 MB packing 1000x": ("bao-cao-2.docx", docx_bomb(20_000_000)),
        "xlsx, 150 MB sheet": ("so-lieu.xlsx", _zip({"[Content_Types].xml": CONTENT_TYPES,
                                                     "xl/workbook.xml": b"<workbook/>",
                                                     "xl/worksheets/sheet1.xml": sheet})),
        "docx, XML nested 100,000 deep": ("sau.docx", _zip({"[Content_Types].xml": CONTENT_TYPES,
                                                            "word/document.xml": nested})),
        "png, 900 megapixels": ("so-do.png", pixels.getvalue()),
    }


class PeakMemory:
    def __init__(self, pool: GuardPool) -> None:
        self.pool, self.peak, self.stop = pool, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            pids = [os.getpid(), *(w.process.pid for w in list(self.pool._workers) if w.process.pid)]
            self.peak = max(self.peak, sum(rss_bytes(pid) for pid in pids))


async def test_bombs_are_refused_within_bounded_memory() -> None:
    guard = Guard.from_policy_dir(REPO / "policies", KEY)
    bombs = corpus()
    pool = GuardPool(guard.policy, KEY, workers=2)
    await pool.prewarm()
    watch = PeakMemory(pool)
    sampler = threading.Thread(target=watch.run, daemon=True)
    sampler.start()
    figures: dict[str, object] = {}
    try:
        for what, (name, content) in bombs.items():
            started = time.monotonic()
            verdict = await pool.judge_file(name, content)
            figures[what] = (f"{len(content) / 1e6:.2f} MB sent: {verdict.action.value} ({verdict.rule}: "
                             f"{verdict.reason_key}) in {time.monotonic() - started:.2f} s")
            assert verdict.action.value == "block" and verdict.reason_key, (what, verdict)
        together = await asyncio.gather(*(pool.judge_file(name, content) for name, content in bombs.values()))
        assert all(v.action.value == "block" for v in together)
    finally:
        watch.stop.set()
        sampler.join()
        await pool.close()
    figures["peak RSS, bot and 2 workers"] = f"{watch.peak / 2**20:.0f} MiB"
    record("bombs", figures)
    assert watch.peak < 1 << 30
