"""What a PDF reader shows, by other hands than the first tests (issue 24, item 4): a stamp drawn
as outlines in black or grey (not only in colour), text a script shows on opening, page labels,
the XMP title, layer names; and a LibreOffice-style font (symbolic TrueType, codes of its own) not
taken for a forged ToUnicode map, which read every page of such a PDF by OCR (38 s for 25 pages)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from bot.guard.engine import Guard
from tests.support.pdf_files import BODY, DEJAVU_BOLD, helvetica_page, outlines
from tests.support.tools import requires_ocr

pdf = helvetica_page


def _names(writer: Any, script: str) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject(script)})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("a"), writer._add_object(action)])})})


def _open_action(writer: Any, script: str) -> None:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer._root_object[NameObject("/OpenAction")] = writer._add_object(DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)}))


def _page_labels(writer: Any, _page: Any) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    writer._root_object[NameObject("/PageLabels")] = DictionaryObject({NameObject("/Nums"): ArrayObject([
        NumberObject(0), DictionaryObject({NameObject("/P"): TextStringObject("TỐI MẬT - trang "),
                                           NameObject("/S"): NameObject("/D")})])})


def _xmp_title(writer: Any, _page: Any) -> None:
    from pypdf.generic import DecodedStreamObject, NameObject

    stream = DecodedStreamObject()
    stream.set_data(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt>'
        '<rdf:li xml:lang="x-default">TỐI MẬT</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF>'
        "</x:xmpmeta>".encode())
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    writer.add_metadata({"/Title": "Báo cáo"})


def _layer(writer: Any, _page: Any) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    group = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/OCG"),
                                                 NameObject("/Name"): TextStringObject("TỐI MẬT")}))
    writer._root_object[NameObject("/OCProperties")] = DictionaryObject({
        NameObject("/OCGs"): ArrayObject([group]), NameObject("/D"): DictionaryObject(
            {NameObject("/Order"): ArrayObject([group])})})


BLOCKED = [
    ("script-alert-escaped-and-joined", lambda: pdf(change=lambda w, _: _names(
        w, 'app.alert("T\\u1ED0I" + " M\\u1EACT");'))),
    ("script-sets-a-field", lambda: pdf(change=lambda w, _: _open_action(
        w, 'this.getField("do-mat").value = "TUYỆT MẬT";'))),
    ("page-label", lambda: pdf(change=_page_labels)),
    ("xmp-title", lambda: pdf(change=_xmp_title)),
    ("layer-name", lambda: pdf(change=_layer)),
]


@pytest.mark.parametrize(("case", "make"), BLOCKED, ids=[case for case, _ in BLOCKED])
def test_what_a_reader_shows_beside_the_pages_blocks(guard: Guard, case: str, make: Callable[[], bytes]) -> None:
    verdict = guard.scan_document("bao-cao.pdf", make())
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


def test_a_script_that_builds_its_text_is_refused_and_a_plain_one_passes(guard: Guard) -> None:
    built = guard.scan_document("a.pdf", pdf(change=lambda w, _: _names(
        w, "app.alert(String.fromCharCode(84, 7888, 73));")))
    assert built.action.value == "block" and built.rule == "unreadable-file"
    plain = guard.scan_document("a.pdf", pdf(change=lambda w, _: _names(w, 'app.alert("Đã lưu biểu mẫu");')))
    assert plain.action.value == "allow", plain.rule


@requires_ocr
@pytest.mark.slow
@pytest.mark.skipif(not DEJAVU_BOLD.exists(), reason="needs Debian's fonts-dejavu-core")
@pytest.mark.parametrize("colour", [b"0 g", b"0.45 g", b"0.2 0.2 0.25 rg"], ids=["black", "grey", "slate"])
def test_a_stamp_drawn_as_outlines_in_black_or_grey_blocks(guard: Guard, colour: bytes) -> None:
    stamp = b"q " + colour + b"\n" + outlines("TỐI MẬT", 330, 750, 30) + b"\nQ\n"
    verdict = guard.scan_document("memo.pdf", pdf(stamp))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def test_a_table_of_straight_rules_is_not_rendered() -> None:
    from bot.guard.pictures import pictures
    from bot.guard.policy import ImageLimits

    rules = b"".join(b"0 g %d 100 m %d 600 l S %d %d 400 20 re S\n" % (60 + 40 * n, 60 + 40 * n, 60, 100 + 40 * n)
                     for n in range(12))
    assert [picture.where for picture in pictures("pdf", pdf(rules), ImageLimits())] == []


def _symbolic_font(writer: Any, page: Any) -> None:
    """Helvetica marked symbolic, with a ToUnicode map saying its own codes are Vietnamese letters:
    what LibreOffice writes (its subsets number glyphs from 33 on); a faithful map, not a forgery."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    cmap = DecodedStreamObject()
    cmap.set_data(b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                  b"1 begincodespacerange <00> <FF> endcodespacerange\n"
                  b"3 beginbfchar <21> <004B> <22> <00ED> <23> <006E> endbfchar\n"
                  b"endcmap CMapName currentdict /CMap defineresource pop end end")
    font = page["/Resources"]["/Font"]["/F1"].get_object()
    font[NameObject("/ToUnicode")] = writer._add_object(cmap)
    font[NameObject("/FontDescriptor")] = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"), NameObject("/FontName"): NameObject("/Helvetica"),
        NameObject("/Flags"): NumberObject(4)}))


def test_a_symbolic_font_with_codes_of_its_own_is_not_a_forged_map() -> None:
    from bot.guard.tounicode import scrambled_pages

    assert scrambled_pages(pdf(change=_symbolic_font)) == set()


LAW = "Bí mật nhà nước được phân loại theo ba độ mật: tuyệt mật, tối mật và mật."


@pytest.mark.parametrize("going_on", ["Việc xác định độ mật do người đứng đầu cơ quan quyết định.",
                                      "Cán bộ phải giữ bí mật nhà nước."])
def test_the_laws_sentence_followed_by_prose_on_its_line_is_allowed(guard: Guard, going_on: str) -> None:
    from fpdf import FPDF

    assert guard.scan_text(f"Điều 8. {LAW} {going_on}").action.value == "allow"
    document = FPDF()
    document.add_page()
    document.add_font("dejavu", fname=str(DEJAVU_BOLD))
    document.set_font("dejavu", size=10)
    document.multi_cell(0, 6, f"Điều 8. {LAW} {going_on}")
    assert guard.scan_document("luat.pdf", bytes(document.output())).action.value == "allow"


@pytest.mark.parametrize(("after", "level"), [("Tối mật", "tuyet_mat"), ("TUYỆT MẬT", "tuyet_mat")])
def test_a_marking_with_a_capital_after_the_laws_sentence_still_blocks(guard: Guard, after: str, level: str) -> None:
    verdict = guard.scan_text(f"{LAW} {after}")
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == level


def _stamp_picture(writer: Any, page: Any) -> None:
    """A red «TỐI MẬT» picture drawn over the top of the page."""
    import zlib

    from PIL import Image, ImageDraw, ImageFont
    from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

    picture = Image.new("RGB", (420, 90), "white")
    ImageDraw.Draw(picture).text((10, 5), "TỐI MẬT", font=ImageFont.truetype(str(DEJAVU_BOLD), 60), fill=(210, 0, 0))
    stream = StreamObject()
    stream._data = zlib.compress(picture.tobytes())
    stream.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                   NameObject("/Width"): NumberObject(420), NameObject("/Height"): NumberObject(90),
                   NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                   NameObject("/BitsPerComponent"): NumberObject(8),
                   NameObject("/Filter"): NameObject("/FlateDecode")})
    page["/Resources"][NameObject("/XObject")] = DictionaryObject({NameObject("/Im1"): writer._add_object(stream)})
    contents = page["/Contents"].get_object()
    contents.set_data(contents.get_data() + b"\nq 300 0 0 64 280 720 cm /Im1 Do Q\n")


@requires_ocr
@pytest.mark.slow
@pytest.mark.skipif(not DEJAVU_BOLD.exists(), reason="needs Debian's fonts-dejavu-core")
def test_a_stamp_picture_removed_by_a_later_revision_is_read(guard: Guard) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter(io.BytesIO(pdf(change=_stamp_picture)), incremental=True)
    plain = DecodedStreamObject()
    plain.set_data(f"BT /F1 11 Tf 60 700 Td ({BODY}) Tj ET".encode())
    writer.pages[0][NameObject("/Contents")] = writer._add_object(plain)
    out = io.BytesIO()
    writer.write(out)
    verdict = guard.scan_document("bao-cao.pdf", out.getvalue())
    assert verdict.action.value == "block" and "revision" in (verdict.reason or ""), verdict.reason


def legacy_font_pdf(font: bytes, text: bytes) -> bytes:
    """A page whose line is set in `font` (a TCVN3/VNI font, as a Word file in .VnTime printed to
    PDF): its text layer holds the legacy bytes, the font draws them as Vietnamese."""
    stream = (b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET BT /F2 11 Tf 72 680 Td (" + BODY.encode()
              + b") Tj ET")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /TrueType /BaseFont /" + font + b" /Encoding /WinAnsiEncoding >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


@pytest.mark.parametrize(("font", "text"), [(b"ABCDEF+.VnTimeH", b"T\xe8I M\xcbT"), (b".VnTime", b"TUY\xd6T M\xcbT"),
                                            (b"VNI-Times", b"TO\xc1I MA\xc4T")], ids=["tcvn3-caps", "tcvn3", "vni"])
def test_a_page_in_a_legacy_font_is_read_as_it_draws(guard: Guard, font: bytes, text: bytes) -> None:
    verdict = guard.scan_document("cong-van.pdf", legacy_font_pdf(font, text))
    assert verdict.action.value == "block" and verdict.rule.startswith("document:"), verdict.rule
    harmless = guard.scan_document("cong-van.pdf", legacy_font_pdf(b".VnTime", b"b\xb6o m\xcbt th\xabng tin"))
    assert harmless.action.value == "allow"


def _named_stamp(name: str) -> Callable[[Any, Any], None]:
    def change(writer: Any, page: Any) -> None:
        from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

        stamp = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                                  NameObject("/Subtype"): NameObject("/Stamp"), NameObject("/Name"): NameObject(name),
                                  NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (300, 700, 560, 760)])})
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(stamp)])

    return change


@pytest.mark.parametrize(("name", "level"), [("/TopSecret", "tuyet_mat"), ("/Confidential", "mat")])
def test_a_readers_own_stamp_named_by_an_annotation_blocks(guard: Guard, name: str, level: str) -> None:
    verdict = guard.scan_document("bao-cao.pdf", pdf(change=_named_stamp(name)))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == level
    assert guard.scan_document("bao-cao.pdf", pdf(change=_named_stamp("/Approved"))).action.value == "allow"


def _widget(kind: str, **entries: Any) -> Callable[[Any, Any], None]:
    def change(writer: Any, page: Any) -> None:
        from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

        widget = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                                   NameObject("/Subtype"): NameObject("/Widget"), NameObject("/FT"): NameObject(kind),
                                   NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (300, 700, 560, 760)])})
        widget.update({NameObject(f"/{key}"): value for key, value in entries.items()})
        reference = writer._add_object(widget)
        page[NameObject("/Annots")] = ArrayObject([reference])
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([reference])})

    return change


def _fields() -> list[tuple[str, Callable[[Any, Any], None]]]:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    marking = TextStringObject("TỐI MẬT")
    caption = DictionaryObject({NameObject("/CA"): marking})
    options = ArrayObject([TextStringObject("Thường"), marking])
    return [("button-caption", _widget("/Btn", T=TextStringObject("nut"), MK=caption)),
            ("tooltip", _widget("/Tx", T=TextStringObject("o"), TU=marking)),
            ("combo-options", _widget("/Ch", T=TextStringObject("c"), Opt=options))]


def test_what_a_forms_fields_show_beside_their_value_blocks(guard: Guard) -> None:
    for case, change in _fields():
        verdict = guard.scan_document("bieu-mau.pdf", pdf(change=change))
        assert verdict.action.value == "block", case


def _thumbnail(writer: Any, page: Any) -> None:
    import zlib

    from PIL import Image, ImageDraw, ImageFont
    from pypdf.generic import NameObject, NumberObject, StreamObject

    picture = Image.new("RGB", (300, 80), "white")
    ImageDraw.Draw(picture).text((8, 10), "TỐI MẬT", font=ImageFont.truetype(str(DEJAVU_BOLD), 48), fill=(200, 0, 0))
    stream = StreamObject()
    stream._data = zlib.compress(picture.tobytes())
    stream.update({NameObject("/Width"): NumberObject(300), NameObject("/Height"): NumberObject(80),
                   NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                   NameObject("/BitsPerComponent"): NumberObject(8), NameObject("/Filter"): NameObject("/FlateDecode")})
    page[NameObject("/Thumb")] = writer._add_object(stream)


@requires_ocr
@pytest.mark.slow
@pytest.mark.skipif(not DEJAVU_BOLD.exists(), reason="needs Debian's fonts-dejavu-core")
def test_a_pages_own_thumbnail_is_read(guard: Guard) -> None:
    verdict = guard.scan_document("bao-cao.pdf", pdf(change=_thumbnail))
    assert verdict.action.value == "block" and "thumbnail" in (verdict.reason or ""), verdict.reason


def type3_pdf(stamp: str, named: bool) -> bytes:
    """A page whose stamp is set in a Type 3 font: each glyph a drawing of DejaVu's outline of the
    letter, named after it (`named`) or `/g1`, `/g2`…; its ToUnicode map says every glyph is «x»."""
    from fontTools.ttLib import TTFont
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject, NumberObject

    program = TTFont(str(DEJAVU_BOLD))
    glyphs, cmap, units = program.getGlyphSet(), program.getBestCmap(), program["head"].unitsPerEm
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    procedures, widths, differences = DictionaryObject(), ArrayObject(), ArrayObject([NumberObject(65)])
    letters = list(dict.fromkeys(stamp.replace(" ", "")))
    for number, letter in enumerate(letters):
        name = cmap[ord(letter)] if named else f"g{number + 1}"
        width = glyphs[cmap[ord(letter)]].width * 1000 / units
        drawing = DecodedStreamObject()
        drawing.set_data(f"{width:.0f} 0 d0\n".encode() + outlines(letter, 0, 0, 1000))
        procedures[NameObject(f"/{name}")] = writer._add_object(drawing)
        widths.append(NumberObject(int(width)))
        differences.append(NameObject(f"/{name}"))
    forged = DecodedStreamObject()
    forged.set_data(b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <00> <FF> "
                    b"endcodespacerange\n1 beginbfrange <41> <5A> <0078> endbfrange\nendcmap CMapName currentdict "
                    b"/CMap defineresource pop end end")
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type3"),
        NameObject("/FontBBox"): ArrayObject([NumberObject(v) for v in (0, -300, 1500, 1200)]),
        NameObject("/FontMatrix"): ArrayObject([FloatObject(v) for v in (0.001, 0, 0, 0.001, 0, 0)]),
        NameObject("/CharProcs"): procedures, NameObject("/FirstChar"): NumberObject(65),
        NameObject("/Encoding"): DictionaryObject({NameObject("/Differences"): differences}),
        NameObject("/LastChar"): NumberObject(64 + len(letters)), NameObject("/Widths"): widths,
        NameObject("/ToUnicode"): writer._add_object(forged)})
    helvetica = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                  NameObject("/Subtype"): NameObject("/Type1"),
                                  NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(helvetica), NameObject("/F3"): writer._add_object(font)})})
    codes = "".join(chr(65 + letters.index(letter)) for letter in stamp if letter != " ")
    body = "".join(f"BT /F1 11 Tf 60 {650 - 16 * n} Td ({BODY}) Tj ET\n" for n in range(10))
    content = DecodedStreamObject()
    content.set_data((body + f"BT /F3 40 Tf 300 720 Td ({codes}) Tj ET\n").encode())
    page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@requires_ocr
@pytest.mark.slow
@pytest.mark.skipif(not DEJAVU_BOLD.exists(), reason="needs Debian's fonts-dejavu-core")
def test_a_stamp_in_a_type3_font_with_meaningless_glyph_names_is_read_as_drawn(guard: Guard) -> None:
    verdict = guard.scan_document("bao-cao.pdf", type3_pdf("TỐI MẬT", named=False))
    assert verdict.action.value == "block" and verdict.rule.startswith("image:"), verdict.rule


@pytest.mark.parametrize("marked", [
    b"/Span <</ActualText <FEFF" + "TỐI MẬT".encode("utf-16-be").hex().upper().encode() + b">>> BDC BT /F1 11 Tf "
    b"300 740 Td (xyz) Tj ET EMC",
    b"/Span <</Alt (TOP SECRET)>> BDC BT /F1 11 Tf 300 740 Td (xyz) Tj ET EMC",
], ids=["actual-text", "alt"])
def test_what_copying_and_screen_readers_give_for_the_glyphs_is_read(guard: Guard, marked: bytes) -> None:
    verdict = guard.scan_document("bao-cao.pdf", pdf(marked))
    assert verdict.action.value == "block" and verdict.rule.startswith("document:"), verdict.rule
