"""Files of each type with a stamp in the body, header, footer or name; unreadable files blocked."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.guard.engine import Guard


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII) in Helvetica, written by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx(body: str = "Nội dung thường", header: str = "", footer: str = "") -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph(body)
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


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


def test_docx_clean_and_portion_marked(guard: Guard) -> None:
    assert guard.scan_document("du-thao.docx", docx()).action.value == "allow"
    portion = guard.scan_document("du-thao.docx", docx(body="(MẬT) đoạn riêng"))
    assert portion.action.value == "block" and portion.reason and "remove them" in portion.reason


def test_xlsx_cells_headers_and_sheet_names(guard: Guard) -> None:
    assert guard.scan_document("so-lieu.xlsx", xlsx()).action.value == "allow"
    assert guard.scan_document("so-lieu.xlsx", xlsx(cell="CONFIDENTIAL")).action.value == "block"
    assert guard.scan_document("so-lieu.xlsx", xlsx(header="SECRET")).action.value == "block"
    assert guard.scan_document("so-lieu.xlsx", xlsx(sheet="TOI MAT")).action.value == "block"


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


def test_photos_blocked_by_default_and_size_limit(guard: Guard) -> None:
    assert guard.scan_document("anh.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100).rule == "photo"
    big = guard.scan_document("big.txt", b"a" * (guard.policy.max_file_bytes + 1))
    assert big.rule == "file-too-large"
