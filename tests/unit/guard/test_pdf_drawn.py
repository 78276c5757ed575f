"""Stamps a PDF draws without text: outlines (text turned into curves) in red on a page that has
an ordinary text layer, a stamp annotation that is only an appearance, a stamp cut into strips
(issue 24, items 1 and 3). Each page is built here, glyph by glyph, from DejaVu's outlines."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from bot.guard.engine import Guard
from tests.support.pdf_files import DEJAVU_BOLD, helvetica_page, outlines, scrambled_pdf
from tests.support.tools import requires_ocr

pytestmark = [requires_ocr, pytest.mark.slow,
              pytest.mark.skipif(not DEJAVU_BOLD.exists(), reason="needs Debian's fonts-dejavu-core")]


def pdf(content: bytes, annotation_appearance: bytes | None = None) -> bytes:
    """The page of body text, then `content`; optionally a stamp annotation whose only visible
    form is the appearance stream given (no /Contents)."""
    return helvetica_page(content, None if annotation_appearance is None else _stamp_annotation(annotation_appearance))


def _stamp_annotation(appearance_stream: bytes) -> Callable[[Any, Any], None]:
    def change(writer: Any, page: Any) -> None:
        from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

        appearance = DecodedStreamObject()
        appearance.set_data(appearance_stream)
        appearance.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                           NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, 612, 792)])})
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Stamp"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 612, 792)]),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)})})
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return change


RED_STAMP = b"q 0.85 0 0 rg\n" + outlines("TỐI MẬT", 330, 750, 30) + b"\nQ\n"


def test_stamp_drawn_as_red_outlines_on_a_text_page_blocks(guard: Guard) -> None:
    assert guard.scan_document("memo.pdf", pdf(b"")).action.value == "allow"
    verdict = guard.scan_document("memo.pdf", pdf(RED_STAMP))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def test_stamp_annotation_with_appearance_only_blocks(guard: Guard) -> None:
    verdict = guard.scan_document("memo.pdf", pdf(b"", annotation_appearance=RED_STAMP))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def test_stamp_cut_into_strips_blocks(guard: Guard) -> None:
    """Eight strips, each too thin to be read alone as a picture; together, edge to edge, a stamp."""
    from pypdf import PdfReader, PdfWriter

    from tests.support import image_corpus

    stamp = image_corpus.stamp_alone("TỐI MẬT").convert("RGB")
    strip_height = max(1, stamp.height // 8)
    page_pdf = pdf(b"")
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(page_pdf)))
    target = writer.pages[0]
    width_pt = 250.0
    scale = width_pt / stamp.width
    for top in range(0, stamp.height, strip_height):
        strip = stamp.crop((0, top, stamp.width, min(stamp.height, top + strip_height)))
        buffer = io.BytesIO()
        strip.save(buffer, "PDF")
        strip_page = PdfReader(buffer).pages[0]
        target.merge_transformed_page(strip_page, (scale, 0, 0, scale, 300,
                                                   760 - (top + strip.height) * scale), over=True)
    out = io.BytesIO()
    writer.write(out)
    verdict = guard.scan_document("memo.pdf", out.getvalue())
    assert verdict.action.value == "block"


def test_a_blank_red_rule_does_not_block(guard: Guard) -> None:
    """A coloured rule makes the page be rendered and read; rendering alone never blocks."""
    assert guard.scan_document("memo.pdf", pdf(b"q 0.85 0 0 RG 2 w 60 740 m 550 740 l S Q\n")).action.value == "allow"


def test_scrambled_tounicode_is_read_as_drawn(guard: Guard) -> None:
    from pypdf import PdfReader

    content = scrambled_pdf("TỐI MẬT")
    assert "MẬT" not in PdfReader(io.BytesIO(content)).pages[0].extract_text()  # the layer hides it
    verdict = guard.scan_document("memo.pdf", content)
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"
