"""Files of each type with a stamp in the body, header, footer or name; unreadable files blocked."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.guard.engine import Guard
from tests.support.office_files import docx, minimal_pdf
from tests.support.tools import requires_ocr


def xlsx(cell: str = "Số liệu", header: str = "", sheet: str = "Sheet1") -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet["A1"] = cell
    if header:
        worksheet.oddHeader.center.text = header
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_plain_files(guard: Guard) -> None:
    assert guard.scan_document("ghi-chu.txt", "Đề nghị cho ý kiến".encode()).action.value == "allow"
    assert guard.scan_document("ghi-chu.md", "# TỐI MẬT\nabc".encode()).action.value == "block"
    assert guard.scan_document("bang.csv", b"a,b\nSECRET,1\n").action.value == "block"


@pytest.mark.parametrize(("where", "content"), [
    ("body", lambda: docx(body="TUYỆT MẬT - kế hoạch")),
    ("header", lambda: docx(header="TỐI MẬT")),
    ("footer", lambda: docx(footer="Độ mật: Mật")),
])
def test_docx_stamps_block(guard: Guard, where: str, content: object) -> None:
    verdict = guard.scan_document("du-thao.docx", content())  # type: ignore[operator]
    assert verdict.action.value == "block", where


@requires_ocr
def test_docx_clean_and_portion_marked(guard: Guard) -> None:
    assert guard.scan_document("du-thao.docx", docx()).action.value == "allow"
    portion = guard.scan_document("du-thao.docx", docx(body="(MẬT) đoạn riêng"))
    assert portion.action.value == "block" and portion.reason and "remove them" in portion.reason


def test_xlsx_cells_headers_and_sheet_names(guard: Guard) -> None:
    assert guard.scan_document("so-lieu.xlsx", xlsx()).action.value == "allow"
    assert guard.scan_document("so-lieu.xlsx", xlsx(cell="CONFIDENTIAL")).action.value == "block"
    assert guard.scan_document("so-lieu.xlsx", xlsx(header="SECRET")).action.value == "block"
    assert guard.scan_document("so-lieu.xlsx", xlsx(sheet="TOI MAT")).action.value == "block"


@requires_ocr
def test_pdf_body(guard: Guard) -> None:
    assert guard.scan_document("memo.pdf", minimal_pdf("Meeting notes")).action.value == "allow"
    verdict = guard.scan_document("memo.pdf", minimal_pdf("TOP SECRET - annex"))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "tuyet_mat"


def test_file_name_alone_blocks(guard: Guard) -> None:
    verdict = guard.scan_document("BC_TOI_MAT_v2.txt", b"harmless")
    assert verdict.action.value == "block" and verdict.rule is not None and verdict.rule.startswith("file-name")


def test_encrypted_pdf_is_blocked_unread(guard: Guard) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(minimal_pdf("Meeting notes"))))
    writer.encrypt("secret-password")
    out = io.BytesIO()
    writer.write(out)
    verdict = guard.scan_document("memo.pdf", out.getvalue())
    assert verdict.action.value == "block" and verdict.rule == "unreadable-file"
    assert verdict.reason is not None and "encrypted" in verdict.reason


@pytest.mark.parametrize(("name", "content", "words"), [
    ("tai-lieu.zip", "zip", "archives"),
    ("hong.pdf", b"%PDF-1.4 garbage", "damaged"),
    ("hong.docx", b"PK\x03\x04 not really a zip", "damaged"),
    ("la.bin", bytes(range(256)) * 4, "cannot be checked"),
])
def test_unreadable_files_fail_closed(guard: Guard, name: str, content: object, words: str) -> None:
    if content == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("inner.txt", "harmless")
        content = buffer.getvalue()
    assert isinstance(content, bytes)
    verdict = guard.scan_document(name, content)
    assert verdict.action.value == "block" and verdict.rule == "unreadable-file"
    assert verdict.reason is not None and words in verdict.reason


def test_undecodable_photo_blocked_and_size_limit(guard: Guard) -> None:
    broken = guard.scan_document("anh.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100)
    assert broken.action.value == "block" and broken.rule == "unreadable-image"
    assert broken.reason_key == "guard.reason.image_unreadable"
    big = guard.scan_document("big.txt", b"a" * (guard.policy.max_file_bytes + 1))
    assert big.rule == "file-too-large"


def test_pdf_without_text_is_read_as_a_scan(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page without text is rendered and read by OCR (test_images.py); without OCR it is blocked."""
    from bot.guard import images
    from bot.guard.ocr import OcrStatus

    monkeypatch.setattr(images, "ocr_status", lambda: OcrStatus(False, "no OCR here"))
    verdict = guard.scan_document("scan.pdf", minimal_pdf(""))
    assert verdict.action.value == "block" and verdict.reason_key == "guard.reason.ocr_missing"


def test_pdf_metadata_title_blocks(guard: Guard) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(minimal_pdf("Meeting notes"))))
    writer.add_metadata({"/Title": "TỐI MẬT"})
    out = io.BytesIO()
    writer.write(out)
    verdict = guard.scan_document("memo.pdf", out.getvalue())
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def test_docx_table_cell_and_first_page_header(guard: Guard) -> None:
    import docx as python_docx

    document = python_docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Độ mật"
    table.cell(0, 1).text = "Tuyệt mật"
    out = io.BytesIO()
    document.save(out)
    verdict = guard.scan_document("bang.docx", out.getvalue())
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "tuyet_mat"

    document = python_docx.Document()
    document.add_paragraph("Nội dung thường")
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "mật"
    out = io.BytesIO()
    document.save(out)
    assert guard.scan_document("thu.docx", out.getvalue()).action.value == "block"


def test_docx_even_page_footer(guard: Guard) -> None:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("Nội dung thường")
    document.settings.odd_and_even_pages_header_footer = True
    document.sections[0].even_page_footer.paragraphs[0].text = "[TOP SECRET]"
    out = io.BytesIO()
    document.save(out)
    assert guard.scan_document("thu.docx", out.getvalue()).action.value == "block"


def test_xlsx_row_field_and_lone_cell(guard: Guard) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "Classification:", "confidential"
    out = io.BytesIO()
    workbook.save(out)
    verdict = guard.scan_document("bang.xlsx", out.getvalue())
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "mat"
    assert guard.scan_document("so-lieu.xlsx", xlsx(cell="tuyệt mật")).action.value == "block"
    assert guard.scan_document("so-lieu.xlsx", xlsx(cell="Mật độ dân số")).action.value == "allow"


def test_csv_cell_and_html_entities(guard: Guard) -> None:
    assert guard.scan_document("bang.csv", "a;b\nx;mật\n".encode()).action.value == "block"
    assert guard.scan_document("bang.csv", "a,b\nmật khẩu,1\n".encode()).action.value == "allow"
    assert guard.scan_document("trang.html", b"<p>M&#7852;T</p>").action.value == "block"


@pytest.mark.parametrize(("name", "content"), [
    ("thu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    ("goi.tar.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 100),
    ("goi.7z", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 100),
    ("ghi-chu.txt", b"\x00\x01\x02\xff\xfe\xfa" * 10),  # neither UTF-8, UTF-16 nor Windows-1258
    ("ghi-chu.txt", b"\x01\x02\x03\xff\xfe\xfa" * 10),  # no NUL, but control bytes: not text
])
def test_more_unreadable_files_fail_closed(guard: Guard, name: str, content: bytes) -> None:
    verdict = guard.scan_document(name, content)
    assert verdict.action.value == "block" and verdict.rule == "unreadable-file", name
    assert verdict.reason


@pytest.mark.parametrize(("name", "action"), [
    ("tai-lieu-toi-mat.pdf", "block"), ("Báo cáo mật.docx", "block"), ("confidential-notes.txt", "block"),
    ("secret_annex.md", "block"), ("TUYET_MAT.xlsx", "block"), ("mat-khau-wifi.txt", "allow"),
    ("mat-do-dan-so.txt", "allow"), ("bien-ban-mat-dien.txt", "allow"), ("asean-secretariat.txt", "allow"),
    ("bi-mat-nha-nuoc-luat.txt", "allow"),
])
def test_file_names(guard: Guard, name: str, action: str) -> None:
    assert guard.scan_document(name, "Nội dung thường".encode()).action.value == action, name


def test_a_broken_extractor_blocks(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.guard.engine as engine

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "extract", broken)
    verdict = guard.scan_document("a.txt", b"hello")
    assert verdict.action.value == "block" and verdict.rule == "guard-error"


@pytest.mark.parametrize(("name", "content", "level"), [
    ("trang.html", "<p>TỐI M<b></b>ẬT</p><p>Phương án</p>", "toi_mat"),
    ("trang.htm", "<html><body><div>T&#7888;I M&#x1EAC;T</div></body></html>", "toi_mat"),
    ("bao-cao.xml", "<doc><classification>TOP SECRET</classification></doc>", "tuyet_mat"),
    ("ghi-chu.md", "# Ghi chú\n\nTỐI [MẬT](https://example.org)\n", "toi_mat"),
    ("ghi-chu.md", "Độ mật: **B**\n", "toi_mat"),
    ("ghi-chu.txt", "\u202eTẬM TỆYUT\u202c\nNội dung", "tuyet_mat"),
    ("thu.txt", "TÀI LIỆU THU HỒI\nSố 12", "mat"),
    ("so-lieu.csv", "Độ mật,A\nx,1\n", "tuyet_mat"),
])
def test_markup_and_disguises_in_text_files(guard: Guard, name: str, content: str, level: str) -> None:
    verdict = guard.scan_document(name, content.encode())
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == level, name


def test_text_files_without_markings_stay_allowed(guard: Guard) -> None:
    page = "<html><body><p>Đề nghị bảo vệ <b>bí mật</b> nhà nước.</p><p>Q&amp;A: a &lt; b</p></body></html>"
    assert guard.scan_document("trang.html", page.encode()).action.value == "allow"
    assert guard.scan_document("ghi-chu.md", "**Mật khẩu**: ASEAN2025\n".encode()).action.value == "allow"
