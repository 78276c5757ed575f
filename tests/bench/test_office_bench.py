"""Document verdict time by type and size: DOCX, XLSX, PPTX, ODT, RTF of about 10 and 100 pages."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from bot.guard.engine import Guard
from tests.support.bench import record
from tests.unit.guard.test_office_formats import odf, package, pptx

pytestmark = pytest.mark.bench
REPO = Path(__file__).resolve().parents[2]
LINE = "Đề nghị các bộ, ngành cho ý kiến về dự thảo quy chế bảo mật thông tin của cơ quan"


def _docx(pages: int) -> bytes:
    import docx

    document = docx.Document()
    for _ in range(pages * 30):
        document.add_paragraph(LINE)
    table = document.add_table(rows=pages * 5, cols=4)
    for row in table.rows:
        for cell in row.cells:
            cell.text = "số liệu"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx(pages: int) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in range(pages * 50):
        workbook.active.append([LINE[:20], row, row * 2.5, "ghi chú"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _pptx(pages: int) -> bytes:
    slides = pptx(LINE)
    archive = dict(_unzip(slides))
    for number in range(2, pages + 1):
        archive[f"ppt/slides/slide{number}.xml"] = archive["ppt/slides/slide1.xml"]
    return package(archive)


def _unzip(content: bytes) -> list[tuple[str, bytes]]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def _rtf(pages: int) -> bytes:
    body = "\\par ".join("b\\u7843?o m\\u7853?t th\\u244?ng tin " * 5 for _ in range(pages * 30))
    return ("{\\rtf1\\ansi{\\fonttbl{\\f0\\fcharset0 Arial;}}\\f0 " + body + "}").encode()


def test_document_verdict_time_by_type_and_size() -> None:
    guard = Guard.from_policy_dir(REPO / "policies", b"bench-term-key-0123456789abcdef!!")
    figures: dict[str, str] = {}
    makers = {"docx": _docx, "xlsx": _xlsx, "pptx": _pptx, "odt": lambda pages: odf("text", LINE * pages * 30),
              "rtf": _rtf}
    for kind, make in makers.items():
        for pages in (10, 100):
            content = make(pages)
            started = time.perf_counter()
            verdict = guard.scan_document(f"tai-lieu.{kind}", content)
            elapsed = time.perf_counter() - started
            assert verdict.action.value == "allow", (kind, verdict.reason)
            figures[f"{kind} ~{pages} pages ({len(content) // 1024} KiB)"] = f"{elapsed * 1000:.0f} ms"
    record("office-documents", figures)
