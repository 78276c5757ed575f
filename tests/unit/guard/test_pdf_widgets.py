"""Form fields show their appearance, not their value (issue 24, item 4): a text field whose
value is harmless but whose appearance stream draws a marking, in text or as red outlines, is read
as every PDF reader shows it."""

from __future__ import annotations

import io

import pytest

from bot.guard.engine import Guard
from tests.support.pdf_files import DEJAVU_BOLD, outlines
from tests.support.tools import requires_ocr


def form(appearance: bytes, value: str = "Ok", fonts: bool = True) -> bytes:
    """One page of ordinary text with a text field at the top right whose value is `value` and
    whose normal appearance is the content stream `appearance`."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = writer._add_object(DictionaryObject({  # type: ignore[attr-defined]
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/Helv"): font})})
    page[NameObject("/Resources")] = resources
    body = DecodedStreamObject()
    body.set_data(b"".join(b"BT /Helv 11 Tf 60 %d Td (Kinh gui cac don vi. Bao cao tinh hinh thuc hien.) Tj ET\n"
                           % (650 - 16 * n) for n in range(12)))
    page[NameObject("/Contents")] = writer._add_object(body)  # type: ignore[attr-defined]
    drawn = DecodedStreamObject()
    drawn.set_data(appearance)
    drawn.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                  NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, 300, 60)])})
    if fonts:
        drawn[NameObject("/Resources")] = resources
    field = writer._add_object(DictionaryObject({  # type: ignore[attr-defined]
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("ghi_chu"),
        NameObject("/V"): TextStringObject(value),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (280, 700, 580, 760)]),
        NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(drawn)})}))  # type: ignore[attr-defined]
    page[NameObject("/Annots")] = ArrayObject([field])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(  # type: ignore[attr-defined]
        {NameObject("/Fields"): ArrayObject([field])})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_field_whose_appearance_shows_a_marking_is_blocked(guard: Guard) -> None:
    assert guard.scan_document("form.pdf", form(b"BT /Helv 12 Tf 10 20 Td (Ok) Tj ET")).action.value == "allow"
    verdict = guard.scan_document("form.pdf", form(b"BT /Helv 24 Tf 10 20 Td (TOI MAT) Tj ET"))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


@requires_ocr
@pytest.mark.slow
@pytest.mark.skipif(not DEJAVU_BOLD.exists(), reason="needs Debian's fonts-dejavu-core")
def test_a_field_whose_appearance_draws_a_red_stamp_is_blocked(guard: Guard) -> None:
    stamp = b"q 0.85 0 0 rg\n" + outlines("TỐI MẬT", 20, 15, 30) + b"\nQ\n"
    verdict = guard.scan_document("form.pdf", form(stamp, fonts=False))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def nested(levels: int) -> bytes:
    """A page of ordinary text and, top right, a stamp picture drawn inside `levels` forms nested
    one in another (each drawing only the next)."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        StreamObject,
    )

    from tests.support import image_corpus

    picture = io.BytesIO()
    image_corpus.stamp_alone("TỐI MẬT").convert("RGB").save(picture, "JPEG", quality=90)
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    image = StreamObject()
    image._data = picture.getvalue()
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(760), NameObject("/Height"): NumberObject(260),
                  NameObject("/ColorSpace"): NameObject("/DeviceRGB"), NameObject("/BitsPerComponent"): NumberObject(8),
                  NameObject("/Filter"): NameObject("/DCTDecode")})
    inner, name = writer._add_object(image), "/Im0"  # type: ignore[attr-defined]
    for _ in range(levels):
        form_ = DecodedStreamObject()
        form_.set_data(f"{name} Do".encode())
        form_.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                      NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, 1, 1)]),
                      NameObject("/Resources"): DictionaryObject({NameObject("/XObject"): DictionaryObject(
                          {NameObject(name): inner})})})
        inner, name = writer._add_object(form_), "/Fm0"  # type: ignore[attr-defined]
    font = writer._add_object(DictionaryObject({  # type: ignore[attr-defined]
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/Helv"): font}),
        NameObject("/XObject"): DictionaryObject({NameObject(name): inner})})
    body = DecodedStreamObject()
    body.set_data(b"".join(b"BT /Helv 11 Tf 60 %d Td (Kinh gui cac don vi. Bao cao tinh hinh thuc hien.) Tj ET\n"
                           % (650 - 16 * n) for n in range(12)) + f"q 280 0 0 96 300 680 cm {name} Do Q".encode())
    page[NameObject("/Contents")] = writer._add_object(body)  # type: ignore[attr-defined]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize("levels", [1, 3, 12, 24])
def test_a_stamp_drawn_inside_nested_forms_is_blocked(guard: Guard, levels: int) -> None:
    """A picture inside forms is read as the page shows it (the forms' matrices applied; on its own
    unit-square matrix it came out squashed and unreadable), and a page nesting forms deeper than
    pictures are looked for is rendered whole, never let through because its picture lies past
    the search."""
    verdict = guard.scan_document("memo.pdf", nested(levels))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"
