"""The copies people read: names and agencies and never keys, local times to the second with the
zone named, events in the export's language, who answered for whom, the outcome whole, a timeline
chart; the PDF signed (PAdES, valid for poppler's pdfsig) and without a missing glyph."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.audit.pdf import EMOJI_WORDS, printable
from bot.i18n import catalog
from bot.services.kernel.context import AppContext
from bot.services.reports.exporting import export_bundle
from tests.support.consultation import PERSON_KEYS, run_consultation
from tests.support.tools import requires_dejavu, requires_symbols

PDFSIG = shutil.which("pdfsig")
EVENT_TYPES = ("opened", "invited", "answered", "commented", "summarised", "reminded", "blocked", "closed")


def visible(html: str) -> str:
    """What a reader sees: the page without its markup (the SVG's texts kept)."""
    return re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.DOTALL)


@pytest.fixture
async def exported(ctx: AppContext, tmp_path: Path) -> dict[str, Path]:
    await run_consultation(ctx)
    folders = {}
    for language in ("vi", "en"):
        folders[language] = tmp_path / language
        await export_bundle(ctx, 1, folders[language], "auditor-1", language=language)
    return folders


async def test_vietnamese_html_names_people_and_events_in_vietnamese(exported: dict[str, Path]) -> None:
    page = (exported["vi"] / "transcript.html").read_text()
    text = visible(page)
    for key in PERSON_KEYS:
        assert key not in page, key  # not even in the markup
    english = catalog("en")
    for kind in EVENT_TYPES:
        assert english[f"event.{kind}"] not in text, kind
        assert catalog("vi")[f"event.{kind}"] in text, kind
    assert "Lê Văn Cường (thay Trần Thị Bình, Bộ Công Thương)" in text  # who answered for whom, as the card says
    assert "Asia/Ho_Chi_Minh (UTC+07:00)" in text
    assert "09:12:07 23/11/2026" in text and "11:32:07 23/11/2026" in text  # local time, to the second
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)  # no UTC timestamps
    assert "Tóm tắt của điều phối viên: Thống nhất trình lãnh đạo" in text  # the outcome report, whole
    assert "[đã lược bỏ: Mật]" in text and "phương án B" not in page and "nước C" not in page


async def test_the_timeline_has_a_row_per_invitee_and_marks_the_deadline_and_reminders(
        exported: dict[str, Path]) -> None:
    page = (exported["vi"] / "transcript.html").read_text()
    chart = re.search(r"<svg.*?</svg>", page, re.DOTALL)
    assert chart is not None
    svg = chart.group(0)
    assert svg.count("<rect") == 2  # two invitees
    assert "#c62828" in svg and "#2e7d32" in svg  # object, agree
    assert ">Hạn<" in svg and ">Nhắc<" in svg  # deadline and reminder marked
    assert "trễ hạn" in svg and "do Lê Văn Cường trả lời" in svg


async def test_an_english_export_speaks_english(exported: dict[str, Path]) -> None:
    text = visible((exported["en"] / "transcript.html").read_text())
    assert "Consultation record #1" in text and "Answered" in text
    assert "Lê Văn Cường (for Trần Thị Bình, Bộ Công Thương)" in text
    assert "Mở tham vấn" not in text


@pytest.mark.skipif(PDFSIG is None, reason="poppler-utils' pdfsig is not installed")
async def test_pdfsig_reports_the_pdf_signature_valid(exported: dict[str, Path]) -> None:
    assert PDFSIG is not None
    result = await asyncio.to_thread(subprocess.run, [PDFSIG, str(exported["vi"] / "transcript.pdf")],
                                     capture_output=True, text=True, check=False)
    assert "Signature Validation: Signature is Valid." in result.stdout, result.stdout + result.stderr
    assert "Signer Certificate Common Name: rapid-consult transcripts" in result.stdout
    assert "Total document signed" in result.stdout


@requires_dejavu
async def test_no_glyph_is_missing(ctx: AppContext, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    await run_consultation(ctx)  # a comment with 👍, an outcome report with 📄
    with caplog.at_level(logging.WARNING):
        summary = await export_bundle(ctx, 1, tmp_path / "b", "auditor-1")
    assert any(p.name == "transcript.pdf" for p in summary.files)
    assert not [r for r in caplog.records if "glyph" in r.getMessage()]


def test_characters_the_font_lacks_become_words() -> None:
    covered = frozenset(range(0x20, 0x2000)) | {ord("\n")}
    assert printable("📎 bien-ban.pdf", covered, "vi") == "[tệp đính kèm] bien-ban.pdf"
    assert printable("📎 minutes.pdf", covered, "en") == "[attachment] minutes.pdf"
    assert printable("Đồng ý 👍🏽", covered, "vi") == "Đồng ý [ký hiệu]"  # never its English name; the tone dropped
    assert printable("✅\ufe0f", covered, "en") == EMOJI_WORDS["✅"][1]
    assert printable("Tie\u0302\u0301ng Vie\u0323\u0302t", covered, "vi") == "Tiếng Việt"  # composed (NFC)


@requires_symbols
async def test_the_pdf_draws_emoji_and_numbers_its_pages_under_a_running_header(
        ctx: AppContext, tmp_path: Path) -> None:
    from pypdf import PdfReader

    await run_consultation(ctx)  # a comment with 👍, an outcome report with 📄
    await export_bundle(ctx, 1, tmp_path / "b", "auditor-1")
    reader = PdfReader(tmp_path / "b" / "transcript.pdf")
    pages = [page.extract_text() or "" for page in reader.pages]
    assert all(f"Biên bản tham vấn #1 — trang {n}/{len(pages)}" in text for n, text in enumerate(pages, 1))
    whole = "\n".join(pages)
    assert "👍" in whole and "[thumbs" not in whole and "[ký hiệu]" not in whole  # a glyph, not words
    assert "Kinh tế (aec)" in whole  # scopes by their names, not their keys alone
