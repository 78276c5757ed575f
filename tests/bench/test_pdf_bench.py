"""PDF verdict time by size: text-only pages and pages with a coloured rule (neither rendered),
pages with a coloured logo drawn as curves (each rendered whole and read by OCR, as a page that
may carry a stamp drawn as outlines), and a file with earlier revisions (each one's pages read)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from bot.guard.engine import Guard
from tests.support.bench import record

pytestmark = pytest.mark.bench
REPO = Path(__file__).resolve().parents[2]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LINE = "Đề nghị các bộ, ngành cho ý kiến về dự thảo quy chế bảo mật thông tin của cơ quan"


def _pdf(pages: int, red_rule: bool = False, red_logo: bool = False) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(DEJAVU))
    pdf.set_font("dejavu", size=11)
    for _ in range(pages):
        pdf.add_page()
        if red_rule:
            pdf.set_draw_color(200, 0, 0)
            pdf.line(10, 12, 200, 12)
        if red_logo:
            pdf.set_fill_color(200, 0, 0)
            for number in range(12):  # a star-like emblem of many segments, as letters as outlines have
                pdf.regular_polygon(10 + number * 4, 4, 8, 3, style="F")
        for _ in range(30):
            pdf.cell(0, 8, LINE, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _revised(pages: int, revisions: int) -> bytes:
    from pypdf import PdfWriter

    content = _pdf(pages)
    for number in range(revisions):
        writer = PdfWriter(io.BytesIO(content), incremental=True)
        writer.add_metadata({"/Subject": f"revision {number}"})
        out = io.BytesIO()
        writer.write(out)
        content = out.getvalue()
    return content


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs Debian's fonts-dejavu-core")
def test_pdf_verdict_time_by_size() -> None:
    guard = Guard.from_policy_dir(REPO / "policies", b"bench-term-key-0123456789abcdef!!")
    figures: dict[str, str] = {}
    cases = {"text ~10 pages": _pdf(10), "text ~100 pages": _pdf(100),
             "coloured rule ~10 pages": _pdf(10, red_rule=True),
             "coloured logo ~1 page": _pdf(1, red_logo=True), "coloured logo ~10 pages": _pdf(10, red_logo=True),
             "text ~10 pages, 5 revisions": _revised(10, 5)}
    for name, content in cases.items():
        started = time.perf_counter()
        verdict = guard.scan_document("tai-lieu.pdf", content)
        elapsed = time.perf_counter() - started
        assert verdict.action.value == "allow", (name, verdict.reason)
        figures[f"{name} ({len(content) // 1024} KiB)"] = f"{elapsed * 1000:.0f} ms"
    record("pdf-documents", figures)
