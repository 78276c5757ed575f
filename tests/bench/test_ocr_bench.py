"""Verdict time for images, against plain `tesseract -l vie` on the same image in the same run.

A phone photo (~1.5 MP, JPEG) with and without a red stamp, one scanned A4 page (an image-only
PDF) at 150 and 300 dpi, and a stamped page fed sideways. The verdict is `Guard.scan_document` in
this process (what a worker runs) and `GuardPool.judge_file` (the bot's way: a worker process,
the pipe included). The floor is the `tesseract` command reading the same picture (PNG/JPEG) to
stdout, as Debian ships it (OpenMP on), and with OMP_THREAD_LIMIT=1 (one core, as our reads run).
Also PDFium against poppler's pdftoppm for rendering the 300 dpi page.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from bot.guard.engine import Guard
from bot.guard.ocr import ocr_status
from bot.guard.policy import load_guard_policy
from bot.guard.workers import GuardPool
from tests.support import image_corpus
from tests.support.bench import record

pytestmark = [pytest.mark.bench,
              pytest.mark.skipif(not ocr_status().available or shutil.which("tesseract") is None,
                                 reason="needs tesseract-ocr and tesseract-ocr-vie")]
REPO = Path(__file__).resolve().parents[2]
KEY = b"bench-term-key-0123456789abcdef!"


def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm: models loaded, caches filled
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        out.append(time.perf_counter() - started)
    return out


def summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.2f} s, p99 {p99:.2f} s (n={len(ordered)})"


def tesseract_cli(path: Path, one_core: bool) -> Callable[[], object]:
    env = {**os.environ, **({"OMP_THREAD_LIMIT": "1"} if one_core else {})}
    return lambda: subprocess.run(["tesseract", str(path), "-", "-l", "vie"], env=env, check=True,
                                  capture_output=True, timeout=120)


def phone_photo(kind: str) -> Image.Image:
    """stamped, clean, or red (a red heading and an urgency stamp: red read in every way, allowed)."""
    heading = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", image_corpus.RED)
    page = image_corpus.page(image_corpus.LETTER[1:] if kind == "red" else image_corpus.LETTER,
                             headline=heading if kind == "red" else None)
    if kind == "stamped":
        image_corpus.stamp(page, "TỐI MẬT", (820, 90), tilt=-4)
    if kind == "red":
        image_corpus.stamp(page, "KHẨN", (840, 60), tilt=-4)
    photo = image_corpus.photographed(page, -3, size=None)
    return photo.resize((1060, round(1060 * photo.height / photo.width)))  # ~1.5 MP


def test_image_verdict_time_against_plain_tesseract(tmp_path: Path) -> None:
    guard = Guard.from_policy_dir(REPO / "policies", KEY)
    figures: dict[str, str] = {}
    cases: list[tuple[str, bytes, Path, str, int]] = []
    for kind in ("stamped", "clean", "red"):
        photo = phone_photo(kind)
        path = tmp_path / f"photo-{kind}.jpg"
        path.write_bytes(image_corpus.encode(photo, "JPEG", 85))
        label = {"stamped": "stamped TỐI MẬT", "clean": "clean", "red": "red heading and KHẨN stamp (allowed)"}
        name = f"phone photo {photo.width}x{photo.height} ({photo.width * photo.height / 1e6:.1f} MP), {label[kind]}"
        cases.append((name, path.read_bytes(), path, "photo.jpg", 10))
    for dpi, runs in ((150, 8), (300, 5)):
        page = image_corpus.page(image_corpus.LETTER + image_corpus.CHART)
        if dpi == 300:
            page = page.resize((2480, 3508), Image.Resampling.LANCZOS)
        path = tmp_path / f"scan-{dpi}.png"
        page.save(path)
        pdf = io_pdf(page, dpi)
        cases.append((f"scanned A4 page at {dpi} dpi ({page.width}x{page.height}), clean, as a PDF", pdf, path,
                      "scan.pdf", runs))
    sideways = image_corpus.page(image_corpus.LETTER)
    image_corpus.stamp(sideways, "TỐI MẬT", (820, 90))
    sideways = sideways.rotate(90, expand=True)  # fed sideways: read upright only once turned back
    path = tmp_path / "scan-sideways.png"
    sideways.save(path)
    cases.append(("scanned A4 page at 150 dpi stamped TỐI MẬT, fed sideways (90°), as a PDF",
                  io_pdf(sideways, 150), path, "scan.pdf", 8))
    for name, content, path, file_name, runs in cases:
        verdict = guard.scan_document(file_name, content)
        ours = timed(lambda c=content, f=file_name: guard.scan_document(f, c), runs)
        floor = timed(tesseract_cli(path, one_core=False), runs)
        floor_one = timed(tesseract_cli(path, one_core=True), runs)
        figures[name] = (f"verdict {verdict.action.value}: {summary(ours)}; tesseract -l vie: {summary(floor)}; "
                         f"with OMP_THREAD_LIMIT=1: {summary(floor_one)}; "
                         f"ratio at p50 {statistics.median(ours) / statistics.median(floor):.2f}x "
                         f"({statistics.median(ours) / statistics.median(floor_one):.2f}x one core)")
    figures["through the worker pool (pipe included)"] = asyncio.run(_pool_figures(cases[0][1], cases[1][1]))
    figures["rendering the 300 dpi page"] = _render_figures(next(c[1] for c in cases if "300 dpi" in c[0]), tmp_path)
    record("ocr", figures)


def io_pdf(page: Image.Image, dpi: int) -> bytes:
    import io

    out = io.BytesIO()
    page.save(out, "PDF", resolution=dpi, title="scan")
    return out.getvalue()


async def _pool_figures(stamped: bytes, clean: bytes) -> str:
    pool = GuardPool(load_guard_policy(REPO / "policies"), KEY, workers=1)
    try:
        await pool.prewarm()
        await pool.judge_file("photo.jpg", clean)
        parts = []
        for label, content in (("stamped photo", stamped), ("clean photo", clean)):
            seconds = []
            for _ in range(10):
                started = time.perf_counter()
                await pool.judge_file("photo.jpg", content)
                seconds.append(time.perf_counter() - started)
            parts.append(f"{label} {summary(seconds)}")
        return "; ".join(parts)
    finally:
        await pool.close()


def _render_figures(pdf: bytes, tmp_path: Path) -> str:
    import pypdfium2 as pdfium

    def with_pdfium() -> None:
        document = pdfium.PdfDocument(pdf)
        document[0].render(scale=300 / 72).to_pil()
        document.close()

    figures = f"PDFium {summary(timed(with_pdfium, 5))}"
    if shutil.which("pdftoppm"):
        path = tmp_path / "page.pdf"
        path.write_bytes(pdf)

        def with_pdftoppm() -> None:
            subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", str(path), str(tmp_path / "out")],
                           check=True, timeout=120)
            Image.open(tmp_path / "out.png").load()

        figures += f"; pdftoppm -r 300 -png and decoding it {summary(timed(with_pdftoppm, 5))}"
    return figures
