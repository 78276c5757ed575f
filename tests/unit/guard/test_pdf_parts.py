"""What a PDF reader shows besides the page text: bookmarks, attachments, earlier revisions; and
PDFs every reader opens (owner password only) are read, not refused (issue 24, item 4)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.office_files import docx, minimal_pdf
from tests.support.tools import requires_ocr


def _written(writer: object) -> bytes:
    out = io.BytesIO()
    writer.write(out)  # type: ignore[attr-defined]
    return out.getvalue()


def _writer(text: str = "Meeting notes") -> object:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(minimal_pdf(text))))
    return writer


def test_owner_password_only_pdf_is_read(guard: Guard) -> None:
    writer = _writer()
    writer.encrypt(user_password="", owner_password="owner-only")  # type: ignore[attr-defined]
    assert guard.scan_document("memo.pdf", _written(writer)).action.value == "allow"
    writer = _writer("TOP SECRET - annex")
    writer.encrypt(user_password="", owner_password="owner-only")  # type: ignore[attr-defined]
    assert guard.scan_document("memo.pdf", _written(writer)).action.value == "block"


def test_bookmark_title_blocks(guard: Guard) -> None:
    writer = _writer()
    parent = writer.add_outline_item(title="Chương 1", page_number=0)  # type: ignore[attr-defined]
    writer.add_outline_item(title="TỐI MẬT", page_number=0, parent=parent)  # type: ignore[attr-defined]
    verdict = guard.scan_document("memo.pdf", _written(writer))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def test_embedded_pdf_and_docx_attachments_are_read(guard: Guard) -> None:
    writer = _writer()
    writer.add_attachment("phu-luc.pdf", minimal_pdf("TOP SECRET - annex"))  # type: ignore[attr-defined]
    assert guard.scan_document("memo.pdf", _written(writer)).action.value == "block"
    writer = _writer()
    writer.add_attachment("phu-luc.docx", docx("Tài liệu TỐI MẬT"))  # type: ignore[attr-defined]
    assert guard.scan_document("memo.pdf", _written(writer)).action.value == "block"
    writer = _writer()
    writer.add_attachment("ghi-chu.txt", b"Meeting notes")  # type: ignore[attr-defined]
    assert guard.scan_document("memo.pdf", _written(writer)).action.value == "allow"


def test_file_attachment_annotation_is_read(guard: Guard) -> None:
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    writer = _writer()
    stream = DecodedStreamObject()
    stream.set_data(b"TOP SECRET - annex")
    stream_ref = writer._add_object(stream)  # type: ignore[attr-defined]
    spec = DictionaryObject({NameObject("/Type"): NameObject("/Filespec"),
                             NameObject("/F"): TextStringObject("note.txt"),
                             NameObject("/EF"): DictionaryObject({NameObject("/F"): stream_ref})})
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 30, 30)]),
        NameObject("/FS"): writer._add_object(spec)})  # type: ignore[attr-defined]
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])  # type: ignore[attr-defined]
    assert guard.scan_document("memo.pdf", _written(writer)).action.value == "block"


def test_attachments_nested_too_deeply_are_refused(guard: Guard) -> None:
    content = minimal_pdf("Meeting notes")
    for _ in range(4):
        writer = _writer()
        writer.add_attachment("inner.pdf", content)  # type: ignore[attr-defined]
        content = _written(writer)
    verdict = guard.scan_document("memo.pdf", content)
    assert verdict.action.value == "block" and verdict.rule in ("unreadable-file", "part:unreadable-file")
    assert verdict.reason is not None and "nested" in verdict.reason


def test_stamp_removed_in_a_later_revision_still_blocks(guard: Guard) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    original = minimal_pdf("TOP SECRET - annex")
    writer = PdfWriter(io.BytesIO(original), incremental=True)
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 720 Td (Meeting notes) Tj ET")
    writer.pages[0].replace_contents(stream)
    updated = _written(writer)
    assert updated.startswith(original) and len(updated) > len(original)  # an incremental update
    from pypdf import PdfReader

    assert "SECRET" not in PdfReader(io.BytesIO(updated)).pages[0].extract_text()  # the latest shows no stamp
    assert guard.scan_document("memo.pdf", updated).action.value == "block"
    assert guard.scan_document("memo.pdf", minimal_pdf("Meeting notes") + b"\n").action.value == "allow"


def test_an_early_eof_that_opens_no_revision_is_not_refused(guard: Guard) -> None:
    """A linearized file has an %%EOF after its first section: the cut there is no PDF, and not a reason to refuse."""
    content = minimal_pdf("Meeting notes").replace(b"%PDF-1.4\n", b"%PDF-1.4\n%%EOF\n", 1)
    assert guard.scan_document("memo.pdf", content).action.value == "allow"


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _fpdf(*paragraphs: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", fname=str(DEJAVU))
    pdf.set_font("dejavu", size=12)
    for paragraph in paragraphs:
        pdf.multi_cell(190, 8, paragraph)
    return bytes(pdf.output())


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs Debian's fonts-dejavu-core for Vietnamese text")
def test_pdf_line_wrap_in_benign_words_is_not_blocked(guard: Guard) -> None:
    """«bảo / mật.» split across lines by the PDF's layout is an ordinary phrase, not a marking."""
    wrapped = ("Đề nghị các đơn vị thực hiện đúng quy định về bảo\nmật.", "QUY CHẾ VỀ CÔNG TÁC BẢO\nMẬT THÔNG TIN")
    assert guard.scan_document("memo.pdf", _fpdf(*wrapped)).action.value == "allow"
    assert guard.scan_document("memo.pdf", _fpdf(*wrapped, "MẬT")).action.value == "block"  # a stamp line still is


@requires_ocr
@pytest.mark.slow
def test_a_stamped_picture_attached_to_a_pdf_is_read(guard: Guard) -> None:
    """An attachment is judged as a file of its own: a photo of a stamp attached to a harmless PDF
    is read as a photo sent alone would be (it was read as text only, and a picture has none)."""
    writer = _writer()
    writer.add_attachment("anh.png", corpus.encode(corpus.stamp_alone("TỐI MẬT"), "PNG"))  # type: ignore[attr-defined]
    verdict = guard.scan_document("memo.pdf", _written(writer))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"
    assert verdict.reason is not None and "anh.png" in verdict.reason
    writer = _writer()
    writer.add_attachment("anh.png", corpus.encode(corpus.stamp_alone("HỎA TỐC"), "PNG"))  # type: ignore[attr-defined]
    assert guard.scan_document("memo.pdf", _written(writer)).action.value == "allow"


@requires_ocr
@pytest.mark.slow
def test_a_stamp_painted_as_a_tiling_pattern_is_read(guard: Guard) -> None:
    """A picture used as a pattern's fill is no object of the page, but readers draw it: the page
    is rendered and read. The same page with a harmless picture passes."""
    from tests.support.pdf_files import patterned_pdf

    stamped = patterned_pdf(corpus.encode(corpus.stamp_alone("TỐI MẬT"), "PNG"))
    verdict = guard.scan_document("memo.pdf", stamped)
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"
    harmless = patterned_pdf(corpus.encode(corpus.stamp_alone("HỎA TỐC"), "PNG"))
    assert guard.scan_document("memo.pdf", harmless).action.value == "allow"


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize("differences", [False, True])
def test_a_type1_font_whose_map_lies_makes_the_page_read_as_drawn(guard: Guard, differences: bool) -> None:
    """A Type 1 font has no character map of its own; its glyphs are named by its encoding. Where
    the ToUnicode map says otherwise (every letter «x»), the page is rendered and read."""
    from bot.guard.tounicode import scrambled_pages
    from tests.support.pdf_files import scrambled_type1_pdf

    forged = scrambled_type1_pdf("TOP SECRET", differences)
    verdict = guard.scan_document("memo.pdf", forged)
    assert verdict.action.value == "block", verdict
    assert scrambled_pages(forged) == {0}
    truthful = forged.replace(b"<20> <7E> <0078>", b"<20> <7E> <0020>")  # the map as the font names them
    assert truthful != forged and scrambled_pages(truthful) == set()
