"""Office packages read as their applications show them, by other hands than the first tests
(issue 24, items 3 and 4): parts found by their declared content type or their bytes whatever
their name, files inside a package judged as files (an embedded workbook as Excel shows it, a PDF,
plain-text and web-archive imports), styles that put runs in capitals or in a legacy font, Word's
symbol characters, custom XML a content control shows, document properties, OpenDocument's
styles, number formats and hidden-text values."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from bot.guard.engine import Guard
from tests.support.office_files import minimal_pdf, odf, package

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_HEADER = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
HEADER = f'<w:hdr {W}><w:p><w:r><w:t>TỐI MẬT</w:t></w:r></w:p></w:hdr>'


def word(body: str, *, main: str = "word/document.xml", extra: dict[str, str | bytes] | None = None,
         relationships: str = "", types: str = "", styles: str = "") -> bytes:
    """A DOCX by hand; `types` adds to [Content_Types].xml, `styles` is the inner XML of w:styles."""
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                               f'<Override PartName="/{main}" ContentType="{CT_WORD}"/>{types}</Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       f'relationships"><Relationship Id="rId1" Type="{R}/officeDocument" Target="{main}"/>'
                       "</Relationships>",
        main: f'<?xml version="1.0"?><w:document {W} xmlns:r="{R}"><w:body>{body}</w:body></w:document>',
    }
    if styles:
        parts["word/styles.xml"] = f'<?xml version="1.0"?><w:styles {W}>{styles}</w:styles>'
    if relationships:
        parts["word/_rels/document.xml.rels"] = (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relationships}</Relationships>")
    parts.update(extra or {})
    return package(parts)


def para(text: str, run: str = "", paragraph: str = "") -> str:
    return (f'<w:p><w:pPr>{paragraph}</w:pPr><w:r><w:rPr>{run}</w:rPr><w:t xml:space="preserve">{text}</w:t>'
            "</w:r></w:p>")


def style(style_id: str, run: str, kind: str = "paragraph", based_on: str = "") -> str:
    base = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return f'<w:style w:type="{kind}" w:styleId="{style_id}">{base}<w:rPr>{run}</w:rPr></w:style>'


def header_named(name: str, data: bytes | str, types: str = "") -> bytes:
    body = para("Nội dung thường") + '<w:sectPr><w:headerReference w:type="default" r:id="rId5"/></w:sectPr>'
    return word(body, relationships=f'<Relationship Id="rId5" Type="{R}/header" Target="{name}"/>', types=types,
                extra={f"word/{name}": data})


def alt_chunk(name: str, data: str | bytes, content_type: str) -> bytes:
    extension = name.rsplit(".", 1)[1]
    return word(para("Phụ lục") + '<w:altChunk r:id="rId9"/>',
                relationships=f'<Relationship Id="rId9" Type="{R}/aFChunk" Target="{name}"/>',
                types=f'<Default Extension="{extension}" ContentType="{content_type}"/>', extra={f"word/{name}": data})


def web_archive(html: str) -> bytes:
    return (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
            b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(html.encode()) + b"\r\n--b--\r\n")


def workbook(change: object) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    change(book.active)  # type: ignore[operator]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _literal_format(sheet: object) -> None:
    sheet["B1"] = 42  # type: ignore[index]
    sheet["B1"].number_format = '"TỐI MẬT"'  # type: ignore[index]


def _formula(sheet: object) -> None:
    sheet["B1"] = '="TỐI"&" MẬT"'  # type: ignore[index]


CORE = ('<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties"><cp:contentStatus>TỐI MẬT</cp:contentStatus></cp:coreProperties>')
CUSTOM = ('<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-'
          'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property '
          'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Độ mật"><vt:lpwstr>Tối mật</vt:lpwstr>'
          "</property></Properties>")
BOUND = ('<w:sdt><w:sdtPr><w:dataBinding w:xpath="/r[1]/m[1]" w:storeItemID="{1}"/></w:sdtPr><w:sdtContent><w:p>'
         "<w:r><w:t>Thường</w:t></w:r></w:p></w:sdtContent></w:sdt>")
SYMBOLS = ('<w:p><w:r><w:t xml:space="preserve">TỐI </w:t></w:r><w:r><w:sym w:font="Times New Roman" w:char="F04D"/>'
           '<w:sym w:font="Times New Roman" w:char="1EAC"/><w:sym w:font="Arial" w:char="0054"/></w:r></w:p>')

BLOCKED_DOCX = [
    ("header-dat-no-prolog", lambda: header_named(
        "hdr.dat", HEADER, f'<Default Extension="dat" ContentType="{CT_HEADER}"/>')),
    ("header-no-extension", lambda: header_named(
        "h1", HEADER, f'<Override PartName="/word/h1" ContentType="{CT_HEADER}"/>')),
    ("header-utf16-bin", lambda: header_named(
        "h.bin", ('<?xml version="1.0" encoding="UTF-16"?>' + HEADER).encode("utf-16"))),
    ("header-bom-no-prolog", lambda: header_named("h.part", b"\xef\xbb\xbf" + HEADER.encode())),
    ("altchunk-plain-text", lambda: alt_chunk("c.txt", "TỐI MẬT", "text/plain")),
    ("altchunk-html-fragment", lambda: alt_chunk("c.dat", "<p>TỐI MẬT</p>", "text/html")),
    ("altchunk-web-archive", lambda: alt_chunk("c.mht", web_archive("<html><body><p>TỐI MẬT</p></body></html>"),
                                               "message/rfc822")),
    ("embedded-pdf", lambda: word(para("Đính kèm"), extra={
        "word/embeddings/oleObject1.pdf": minimal_pdf("TOP SECRET")})),
    ("embedded-workbook-number-format", lambda: word(para("Đính kèm"), extra={
        "word/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook(_literal_format)})),
    ("embedded-workbook-formula", lambda: word(para("Đính kèm"), extra={
        "word/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook(_formula)})),
    ("custom-xml-bound-to-a-control", lambda: word(BOUND, extra={
        "customXml/item1.xml": '<?xml version="1.0"?><r><m>TỐI MẬT</m></r>'})),
    ("status-property", lambda: word(para("Thư mời"), extra={"docProps/core.xml": CORE})),
    ("custom-property", lambda: word(para("Thư mời"), extra={"docProps/custom.xml": CUSTOM})),
    ("caps-by-paragraph-style", lambda: word(para("tài liệu tối mật", paragraph='<w:pStyle w:val="Dau"/>'),
                                             styles=style("Dau", "<w:caps/>"))),
    ("small-caps-by-character-style", lambda: word(para("tài liệu tối mật", '<w:rStyle w:val="C"/>'),
                                                   styles=style("C", "<w:smallCaps/>", "character"))),
    ("caps-by-a-style-based-on", lambda: word(para("tài liệu tối mật", paragraph='<w:pStyle w:val="B"/>'),
                                             styles=style("A", "<w:caps/>") + style("B", "", based_on="A"))),
    ("caps-by-document-defaults", lambda: word(para("tài liệu tối mật"), styles=(
        "<w:docDefaults><w:rPrDefault><w:rPr><w:caps/></w:rPr></w:rPrDefault></w:docDefaults>"))),
    ("tcvn3-in-the-hansi-font", lambda: word(
        para("TèI MËT", '<w:rFonts w:ascii="Times New Roman" w:hAnsi=".VnTimeH"/>'))),
    ("symbol-characters", lambda: word(SYMBOLS)),
]


@pytest.mark.parametrize(("case", "make"), BLOCKED_DOCX, ids=[case for case, _ in BLOCKED_DOCX])
def test_what_word_shows_blocks_whatever_the_package_calls_it(guard: Guard, case: str, make: object) -> None:
    verdict = guard.scan_document("thu.docx", make())  # type: ignore[operator]
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"')


def open_document(kind: str, styles: str, body: str, faces: str = "") -> bytes:
    return package({
        "mimetype": f"application/vnd.oasis.opendocument.{kind}",
        "content.xml": f'<?xml version="1.0"?><office:document-content {NS}><office:font-face-decls>{faces}'
                       f"</office:font-face-decls><office:automatic-styles>{styles}</office:automatic-styles>"
                       f"<office:body>{body}</office:body></office:document-content>"})


def styled_span(properties: str, text: str = "tối mật") -> bytes:
    return open_document("text", f'<style:style style:name="T1" style:family="text"><style:text-properties '
                                 f"{properties}/></style:style>",
                         f'<office:text><text:p>tài liệu <text:span text:style-name="T1">{text}</text:span></text:p>'
                         "</office:text>")


NUMBER_TEXT = open_document(
    "spreadsheet", '<number:number-style style:name="N1"><number:text>TỐI MẬT</number:text></number:number-style>'
                   '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>',
    '<office:spreadsheet><table:table table:name="Sheet1"><table:table-row><table:table-cell table:style-name="ce1" '
    'office:value-type="float" office:value="42"><text:p>42</text:p></table:table-cell></table:table-row>'
    "</table:table></office:spreadsheet>")
BLOCKED_OPEN_DOCUMENTS = [
    ("uppercase-style", lambda: styled_span('fo:text-transform="uppercase"')),
    ("small-caps-style", lambda: styled_span('fo:font-variant="small-caps"')),
    ("tcvn3-font-declared-in-content", lambda: open_document(
        "text", '<style:style style:name="T1" style:family="text"><style:text-properties style:font-name="VnH"/>'
                "</style:style>",
        '<office:text><text:p><text:span text:style-name="T1">TèI MËT</text:span></text:p></office:text>',
        '<style:font-face style:name="VnH" svg:font-family="&apos;.VnTimeH&apos;"/>')),
    ("hidden-text-value", lambda: odf("text", 'Thường<text:hidden-text text:condition="ooow:1==2" '
                                              'text:string-value="TỐI MẬT"/>')),
    ("number-format-text", lambda: NUMBER_TEXT),
]


@pytest.mark.parametrize(("case", "make"), BLOCKED_OPEN_DOCUMENTS, ids=[case for case, _ in BLOCKED_OPEN_DOCUMENTS])
def test_what_an_open_document_shows_blocks(guard: Guard, case: str, make: object) -> None:
    name = "bang.ods" if case == "number-format-text" else "van-ban.odt"
    verdict = guard.scan_document(name, make())  # type: ignore[operator]
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


def test_legacy_comments_and_toc_labels_are_read(guard: Guard) -> None:
    ncx = package({"mimetype": "application/epub+zip", "OEBPS/toc.ncx": (
        '<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"><navMap><navPoint><navLabel>'
        "<text>TỐI MẬT</text></navLabel></navPoint></navMap></ncx>")})
    assert guard.scan_document("sach.epub", ncx).action.value == "block"


def test_harmless_styled_packages_stay_allowed(guard: Guard) -> None:
    for name, content in (
            ("thu.docx", word(para("quy chế bảo mật thông tin", paragraph='<w:pStyle w:val="T"/>'),
                              styles=style("T", "<w:caps/>"))),
            ("thu.docx", word(para("b¶o mËt th«ng tin", '<w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/>'))),
            ("thu.docx", word(para("Thư mời"), extra={"docProps/app.xml": (
                '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties"><Application>Microsoft Office Word</Application><Company>Bộ Tài chính'
                "</Company></Properties>")})),
            ("thu.docx", alt_chunk("c.txt", "Quy chế bảo mật thông tin", "text/plain")),
            ("van-ban.odt", styled_span('fo:text-transform="uppercase"', "bảo mật")),
    ):
        verdict = guard.scan_document(name, content)
        assert verdict.action.value == "allow", (name, verdict.rule, verdict.reason)


# -- RTF as Word writes it --------------------------------------------------------------------------

PANOSE = b"{\\*\\panose 00000000000000000000}"
BLOCKED_RTF = [
    ("tcvn3-font-with-panose", b"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f37\\fbidi \\froman\\fcharset0\\fprq2" + PANOSE
     + b".VnTimeH;}}\\f37 T\\'e8I M\\'cbT\\par}"),
    ("vni-font-with-alternative", b"{\\rtf1\\ansi{\\fonttbl{\\f2\\fnil\\fcharset0\\fprq2" + PANOSE
     + b"VNI-Times{\\*\\falt Arial};}}\\f2 TO\\'c1I MA\\'c4T\\par}"),
    ("vni-marks-as-hex-bytes", b"{\\rtf1\\ansi{\\fonttbl{\\f0\\fnil VNI-Times;}}\\f0 TUYE\\'c4T MA\\'c4T\\par}"),
    ("font-table-without-groups", b"{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;\\f1\\froman .VnTimeH;}"
     b"\\f1 T\\'e8I M\\'cbT\\par}"),
    ("caps", b"{\\rtf1\\ansi t\\u224?i li\\u7879?u {\\caps t\\u7889?i m\\u7853?t}\\par}"),
    ("small-caps", b"{\\rtf1\\ansi t\\u224?i li\\u7879?u {\\scaps t\\u7889?i m\\u7853?t}\\par}"),
]


@pytest.mark.parametrize(("case", "content"), BLOCKED_RTF, ids=[case for case, _ in BLOCKED_RTF])
def test_rtf_as_word_writes_it_blocks(guard: Guard, case: str, content: bytes) -> None:
    verdict = guard.scan_document("thu.rtf", content)
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


def test_rtf_pictures_are_read_and_metafiles_alone_refused(guard: Guard) -> None:
    from bot.guard.ocr import ocr_status
    from tests.support import image_corpus

    harmless = b"{\\rtf1\\ansi{\\fonttbl{\\f0\\froman\\fcharset0" + PANOSE + b".VnTime;}}\\f0 b\\'b6o m\\'cbt\\par}"
    assert guard.scan_document("thu.rtf", harmless).action.value == "allow"
    metafile = guard.scan_document("thu.rtf", b"{\\rtf1\\ansi x{\\pict\\emfblip 01000000}\\par}")
    assert metafile.action.value == "block" and metafile.rule == "unreadable-file"
    if not ocr_status().available:
        pytest.skip(ocr_status().detail)
    out = io.BytesIO()
    image_corpus.stamp_alone("TỐI MẬT").save(out, "PNG")
    stamped = (b"{\\rtf1\\ansi Kinh gui\\par{\\*\\shppict{\\pict{\\*\\picprop}\\picw100\\pngblip\n"
               + out.getvalue().hex().encode() + b"}}{\\nonshppict{\\pict\\wmetafile8 0100090000}}\\par}")
    verdict = guard.scan_document("thu.rtf", stamped)
    assert verdict.action.value == "block" and "image" in verdict.rule, verdict.rule


# -- Excel as Excel shows it, and tables read down their columns ------------------------------------


def _rich_text_tcvn3(sheet: object) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    sheet["A1"] = CellRichText(["TỐI", TextBlock(InlineFont(rFont=".VnTimeH"), " MËT")])  # type: ignore[index]


def _formatted(value: object, number_format: str) -> Callable[[object], None]:
    def change(sheet: object) -> None:
        sheet["A1"] = value  # type: ignore[index]
        sheet["A1"].number_format = number_format  # type: ignore[index]

    return change


def _register(value: str) -> Callable[[object], None]:
    def change(sheet: object) -> None:
        sheet.append(["Số", "Trích yếu", "Độ mật"])  # type: ignore[attr-defined]
        sheet.append([1, "Kế hoạch", value])  # type: ignore[attr-defined]

    return change


def saved_formula(formula: str, saved: str) -> bytes:
    """A workbook whose B2 holds `formula` with `saved` as its saved value (written into the XML)."""
    import re

    parts = {}
    with zipfile.ZipFile(io.BytesIO(workbook(lambda sheet: sheet.__setitem__("B2", "x")))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    escaped = formula.replace("&", "&amp;").replace(">", "&gt;")
    sheet = re.sub(r'<c r="B2"[^>]*>.*?</c>', f'<c r="B2" t="str"><f>{escaped}</f><v>{saved}</v></c>',
                   parts["xl/worksheets/sheet1.xml"].decode())
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    return package(dict(parts))


BLOCKED_XLSX = [
    ("rich-text-run-in-tcvn3", lambda: workbook(_rich_text_tcvn3)),
    ("negative-number-section", lambda: workbook(_formatted(-5, '0;"TỐI MẬT"'))),
    ("zero-section", lambda: workbook(_formatted(0, '0;-0;"TỐI MẬT"'))),
    ("escaped-letters", lambda: workbook(_formatted(5, "\\T\\Ố\\I\\ \\M\\Ậ\\T"))),
    ("register-column-letter", lambda: workbook(_register("A"))),
    ("saved-value-hides-the-formula", lambda: saved_formula('"TỐI"&" MẬT"', "Thường")),
]


@pytest.mark.parametrize(("case", "make"), BLOCKED_XLSX, ids=[case for case, _ in BLOCKED_XLSX])
def test_what_excel_shows_blocks(guard: Guard, case: str, make: Callable[[], bytes]) -> None:
    verdict = guard.scan_document("so-lieu.xlsx", make())
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


def register_table(value: str) -> bytes:
    rows = [("Số", "Trích yếu", "Độ mật"), ("12", "Kế hoạch", value)]
    return word("<w:tbl>" + "".join("<w:tr>" + "".join(f"<w:tc>{para(cell)}</w:tc>" for cell in row) + "</w:tr>"
                                     for row in rows) + "</w:tbl>")


def test_a_classification_column_is_a_field_in_every_table(guard: Guard) -> None:
    assert guard.scan_document("thu.docx", register_table("A")).level.value == "tuyet_mat"  # type: ignore[union-attr]
    html = ("<html><body><table><tr><th>Số</th><th>Độ mật</th></tr><tr><td>1</td><td>B</td></tr></table>"
            "</body></html>").encode()
    assert guard.scan_document("a.html", html).level.value == "toi_mat"  # type: ignore[union-attr]
    assert guard.scan_document("a.csv", "Số,Độ mật\n1,C\n".encode()).action.value == "block"
    for harmless in (register_table("Thường"), register_table("Không mật")):
        assert guard.scan_document("thu.docx", harmless).action.value == "allow"
    options = workbook(lambda sheet: (sheet.append(["Phương án", "Chi phí"]), sheet.append(["A", 12])))
    assert guard.scan_document("so-lieu.xlsx", options).action.value == "allow"


# -- Pictures by what they are, at any size ---------------------------------------------------------


def picture_docx(name: str, data: bytes, content_type: str = "") -> bytes:
    extension = name.rsplit(".", 1)[1]
    types = f'<Default Extension="{extension}" ContentType="{content_type}"/>' if content_type else ""
    return word(para("Kính gửi"), extra={f"word/{name}": data}, types=types,
                relationships=f'<Relationship Id="rId7" Type="{R}/image" Target="{name}"/>')


def tight_stamp(height: int, image_format: str = "PNG") -> bytes:
    """«TỐI MẬT» in red on a picture only `height` pixels high: Word may draw it 5 cm wide."""
    from PIL import Image, ImageDraw, ImageFont

    from tests.support.pdf_files import DEJAVU_BOLD

    picture = Image.new("RGB", (height * 11 // 2, height), "white")
    ImageDraw.Draw(picture).text((3, 1), "TỐI MẬT", font=ImageFont.truetype(str(DEJAVU_BOLD), height - 5),
                                 fill=(200, 0, 0))
    out = io.BytesIO()
    picture.save(out, image_format)
    return out.getvalue()


def test_a_windows_metafile_under_any_name_is_refused(guard: Guard) -> None:
    import struct

    emf = (struct.pack("<II4i4i", 1, 108, 0, 0, 100, 100, 0, 0, 1000, 1000) + b" EMF").ljust(108, b"\0")
    for document in (picture_docx("media/image1.bin", emf), picture_docx("media/p.dat", b"\0" * 64, "image/x-wmf")):
        verdict = guard.scan_document("thu.docx", document)
        assert verdict.action.value == "block" and verdict.rule == "unreadable-image", verdict.rule


@pytest.mark.slow
def test_pictures_a_few_pixels_high_or_declared_by_type_are_read(guard: Guard) -> None:
    from bot.guard.ocr import ocr_status

    if not ocr_status().available:
        pytest.skip(ocr_status().detail)
    for document in (picture_docx("media/image1.png", tight_stamp(20)),
                     picture_docx("media/x.dat", tight_stamp(40, "TIFF"), "image/tiff")):
        verdict = guard.scan_document("thu.docx", document)
        assert verdict.action.value == "block" and verdict.rule.startswith("image:"), verdict.rule


# -- Slides in capitals by their master -------------------------------------------------------------

PRESENTATION = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" ' \
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def deck(title: str, body: str, master: str) -> bytes:
    """A slide with a title and a body placeholder, and a master whose text styles are `master`."""
    def shape(kind: str, text: str) -> str:
        return (f'<p:sp><p:nvSpPr><p:nvPr><p:ph type="{kind}"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>{text}'
                "</a:t></a:r></a:p></p:txBody></p:sp>")

    return package({
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Override PartName="/ppt/presentation.xml" ContentType="application/'
                               'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
        "ppt/presentation.xml": f'<?xml version="1.0"?><p:presentation {PRESENTATION}/>',
        "ppt/slides/slide1.xml": f'<?xml version="1.0"?><p:sld {PRESENTATION}><p:cSld><p:spTree>'
                                 f'{shape("title", title)}{shape("body", body)}</p:spTree></p:cSld></p:sld>',
        "ppt/slideMasters/slideMaster1.xml": f'<?xml version="1.0"?><p:sldMaster {PRESENTATION}><p:txStyles>'
                                             f"{master}</p:txStyles></p:sldMaster>",
    })


CAPS_TITLES = '<p:titleStyle><a:lvl1pPr><a:defRPr cap="all"/></a:lvl1pPr></p:titleStyle>'


def test_a_title_the_master_shows_in_capitals_blocks_and_body_prose_does_not(guard: Guard) -> None:
    assert guard.scan_document("bai.pptx", deck("tài liệu tối mật", "Nội dung", CAPS_TITLES)).action.value == "block"
    prose = deck("Quy chế bảo mật", "Quy định về tài liệu tối mật", CAPS_TITLES)
    assert guard.scan_document("bai.pptx", prose).action.value == "allow"


# -- A word cut by hidden or deleted text -----------------------------------------------------------


def split_by(hidden_run: str) -> bytes:
    """«Tài liệu TỐI M» + `hidden_run` + «ẬT»: Word shows «Tài liệu TỐI MẬT»."""
    return word(f'<w:p><w:r><w:t xml:space="preserve">Tài liệu TỐI M</w:t></w:r>{hidden_run}'
                "<w:r><w:t>ẬT</w:t></w:r></w:p>")


@pytest.mark.parametrize(("case", "content", "name"), [
    ("docx-hidden-run", split_by('<w:r><w:rPr><w:vanish/></w:rPr><w:t>zz</w:t></w:r>'), "thu.docx"),
    ("docx-hidden-digit", split_by('<w:r><w:rPr><w:vanish/></w:rPr><w:t>0</w:t></w:r>'), "thu.docx"),
    ("docx-tracked-deletion", split_by('<w:del w:id="1" w:author="a"><w:r><w:delText>zz</w:delText></w:r></w:del>'),
     "thu.docx"),
    ("rtf-hidden", b"{\\rtf1\\ansi T\\u224?i li\\u7879?u T\\u7888?I M{\\v zz}\\u7852?T\\par}", "thu.rtf"),
    ("rtf-deleted", b"{\\rtf1\\ansi T\\u224?i li\\u7879?u T\\u7888?I M{\\deleted zz}\\u7852?T\\par}", "thu.rtf"),
])
def test_a_word_cut_by_hidden_or_deleted_text_is_read_as_shown(guard: Guard, case: str, content: bytes,
                                                                name: str) -> None:
    verdict = guard.scan_document(name, content)
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


# -- What Word's and Excel's panes show ---------------------------------------------------------------


def _python_docx(change: Callable[[Any], None]) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Kính gửi các đơn vị")
    change(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _heading_in_capitals(document: Any) -> None:
    document.styles["Heading 1"].font.all_caps = True  # python-docx's template has stylesWithEffects.xml too
    document.add_paragraph("tài liệu tối mật", style="Heading 1")


def _conditional_format(book: Any) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles.differential import DifferentialStyle
    from openpyxl.styles.numbers import NumberFormat

    book.active["A1"] = 5
    rule = CellIsRule(operator="greaterThan", formula=["1"])
    rule.dxf = DifferentialStyle(numFmt=NumberFormat(numFmtId=200, formatCode='"TỐI MẬT"'))
    book.active.conditional_formatting.add("A1", rule)


def _defined_name(book: Any) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    book.defined_names["TỐI_MẬT"] = DefinedName("TỐI_MẬT", attr_text="Sheet!$A$1")


def _book(change: Callable[[Any], None]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ALT_TEXT = ('<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
            'wordprocessingDrawing"><wp:docPr id="1" name="Hinh 1" descr="TỐI MẬT"/></wp:inline></w:drawing></w:r>'
            "</w:p>")


@pytest.mark.parametrize(("case", "name", "make"), [
    ("heading-style-in-capitals", "thu.docx", lambda: _python_docx(_heading_in_capitals)),
    ("picture-alt-text", "thu.docx", lambda: word(para("Kính gửi") + ALT_TEXT)),
    ("conditional-number-format", "so-lieu.xlsx", lambda: _book(_conditional_format)),
    ("defined-name", "so-lieu.xlsx", lambda: _book(_defined_name)),
], ids=["heading-style-in-capitals", "picture-alt-text", "conditional-number-format", "defined-name"])
def test_what_the_applications_panes_show_blocks(guard: Guard, case: str, name: str,
                                                 make: Callable[[], bytes]) -> None:
    verdict = guard.scan_document(name, make())
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


def test_a_slides_name_in_an_open_document_presentation_is_read(guard: Guard) -> None:
    named = package({"mimetype": "application/vnd.oasis.opendocument.presentation", "content.xml": (
        '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"><office:body><office:presentation>'
        '<draw:page draw:name="TỐI MẬT"/></office:presentation></office:body></office:document-content>')})
    assert guard.scan_document("trinh-chieu.odp", named).action.value == "block"


# -- One-file office XML, Strict Open XML, sheets under other names ----------------------------------

SPLIT = '<w:p><w:r><w:t xml:space="preserve">TỐI M</w:t></w:r><w:r><w:t>ẬT</w:t></w:r></w:p>'


def flat_opc(body: str) -> bytes:
    """A Word XML Document (Flat OPC): the package's parts inside one XML file."""
    document = f"<w:document {W}><w:body>{body}</w:body></w:document>"
    return ('<?xml version="1.0" standalone="yes"?><?mso-application progid="Word.Document"?><pkg:package '
            'xmlns:pkg="http://schemas.microsoft.com/office/2006/xmlPackage"><pkg:part pkg:name="/_rels/.rels" '
            'pkg:contentType="application/vnd.openxmlformats-package.relationships+xml"><pkg:xmlData><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{R}/officeDocument" Target="word/document.xml"/></Relationships></pkg:xmlData></pkg:part>'
            f'<pkg:part pkg:name="/word/document.xml" pkg:contentType="{CT_WORD}"><pkg:xmlData>{document}'
            "</pkg:xmlData></pkg:part></pkg:package>").encode()


def flat_open_document(properties: str, text: str) -> bytes:
    return ('<?xml version="1.0"?><office:document ' + NS + ' office:mimetype="application/vnd.oasis.opendocument.'
            'text"><office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties '
            f'{properties}/></style:style></office:automatic-styles><office:body><office:text><text:p>tài liệu '
            f'<text:span text:style-name="T1">{text}</text:span></text:p></office:text></office:body>'
            "</office:document>").encode()


def strict(document: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        parts: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = bytes(parts["word/document.xml"]).replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    return package(parts)


def sheet_renamed_with_a_formula() -> bytes:
    with zipfile.ZipFile(io.BytesIO(workbook(_formula))) as archive:
        parts: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/data.bin"] = parts.pop("xl/worksheets/sheet1.xml")
    for name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
        parts[name] = bytes(parts[name]).replace(b"worksheets/sheet1.xml", b"worksheets/data.bin")
    return package(parts)


@pytest.mark.parametrize(("case", "name", "make"), [
    ("flat-opc-split-runs", "thu.xml", lambda: flat_opc(SPLIT)),
    ("flat-opc-caps", "thu.xml", lambda: flat_opc(para("tài liệu tối mật", "<w:caps/>"))),
    ("flat-opc-tcvn3", "thu.xml", lambda: flat_opc(para("TèI MËT", '<w:rFonts w:hAnsi=".VnTimeH"/>'))),
    ("flat-odt-uppercase", "van-ban.fodt", lambda: flat_open_document('fo:text-transform="uppercase"', "tối mật")),
    ("strict-split-runs", "thu.docx", lambda: strict(word(SPLIT))),
    ("strict-caps", "thu.docx", lambda: strict(word(para("tài liệu tối mật", "<w:caps/>")))),
    ("sheet-renamed-formula", "so-lieu.xlsx", sheet_renamed_with_a_formula),
], ids=["flat-opc-split-runs", "flat-opc-caps", "flat-opc-tcvn3", "flat-odt-uppercase", "strict-split-runs",
        "strict-caps", "sheet-renamed-formula"])
def test_office_files_in_one_xml_or_strict_or_renamed_are_read(guard: Guard, case: str, name: str,
                                                               make: Callable[[], bytes]) -> None:
    verdict = guard.scan_document(name, make())
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)
    assert guard.scan_document("thu.xml", flat_opc(para("Quy chế bảo mật"))).action.value == "allow"
    assert guard.scan_document("a.fodt", flat_open_document('fo:text-transform="uppercase"', "bảo mật")).action.value \
        == "allow"


@pytest.mark.parametrize(("case", "content"), [
    ("unicode-beside-ansi", b"{\\rtf1\\ansi {\\upr{T?I M?T}{\\*\\ud{T\\u7888?I M\\u7852?T}}}\\par}"),
    ("shape-text-box", b"{\\rtf1\\ansi Noi dung\\par{\\shp{\\*\\shpinst\\shpleft0{\\sp{\\sn shapeType}{\\sv 202}}"
                       b"{\\shptxt \\pard T\\u7888?I M\\u7852?T\\par}}}\\par}"),
    ("wordart-watermark", b"{\\rtf1\\ansi Noi dung\\par{\\shp{\\*\\shpinst{\\sp{\\sn shapeType}{\\sv 136}}"
                          b"{\\sp{\\sn gtextUNICODE}{\\sv T\\u7888?I M\\u7852?T}}}}\\par}"),
    ("comment", b"{\\rtf1\\ansi Noi dung{\\*\\atnid A}{\\*\\annotation \\pard T\\u7888?I M\\u7852?T\\par}\\par}"),
    ("footnote-glued-to-its-mark", b"{\\rtf1\\ansi Noi dung{\\super\\chftn}{\\footnote \\pard "
                                   b"T\\u7888?I M\\u7852?T\\par}\\par}"),
])
def test_rtf_destinations_word_shows_are_read_apart(guard: Guard, case: str, content: bytes) -> None:
    verdict = guard.scan_document("thu.rtf", content)
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat", case


def test_a_register_with_a_title_row_above_its_headings_is_read_down_its_columns(guard: Guard) -> None:
    rows = [["DANH MỤC TÀI LIỆU"], ["Số", "Trích yếu", "Độ mật"], ["1", "Kế hoạch", "A"]]
    table = word("<w:tbl>" + "".join("<w:tr>" + "".join(f"<w:tc>{para(cell)}</w:tc>" for cell in row) + "</w:tr>"
                                     for row in rows) + "</w:tbl>")
    assert guard.scan_document("danh-muc.docx", table).action.value == "block"
    sheet = workbook(lambda book: [book.append(row) for row in (["DANH MỤC"], ["Số", "Độ mật"], [1, "B"])])
    assert guard.scan_document("danh-muc.xlsx", sheet).action.value == "block"
    harmless = workbook(lambda book: [book.append(row) for row in (["DANH MỤC"], ["Số", "Độ mật"], [1, "Thường"])])
    assert guard.scan_document("danh-muc.xlsx", harmless).action.value == "allow"


@pytest.mark.parametrize(("case", "body"), [
    ("hyperlink-tooltip", '<w:p><w:hyperlink w:tooltip="TỐI MẬT" w:anchor="x"><w:r><w:t>Xem</w:t></w:r></w:hyperlink>'
                          "</w:p>"),
    ("content-control-title", '<w:sdt><w:sdtPr><w:alias w:val="TỐI MẬT"/></w:sdtPr><w:sdtContent><w:p><w:r>'
                              "<w:t>Nội dung</w:t></w:r></w:p></w:sdtContent></w:sdt>"),
    ("content-control-list", '<w:sdt><w:sdtPr><w:dropDownList><w:listItem w:displayText="Thường" w:value="1"/>'
                             '<w:listItem w:displayText="TỐI MẬT" w:value="2"/></w:dropDownList></w:sdtPr>'
                             "<w:sdtContent><w:p><w:r><w:t>Thường</w:t></w:r></w:p></w:sdtContent></w:sdt>"),
    ("form-field-list", '<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:ddList><w:listEntry w:val="Thường"/>'
                        '<w:listEntry w:val="TUYỆT MẬT"/></w:ddList></w:ffData></w:fldChar></w:r></w:p>'),
    ("form-field-help", '<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:helpText w:type="text" '
                        'w:val="TỐI MẬT"/></w:ffData></w:fldChar></w:r></w:p>'),
], ids=["hyperlink-tooltip", "content-control-title", "content-control-list", "form-field-list", "form-field-help"])
def test_text_word_shows_from_its_own_attributes_blocks(guard: Guard, case: str, body: str) -> None:
    verdict = guard.scan_document("thu.docx", word(body))
    assert verdict.action.value == "block", (case, verdict.rule)


def test_a_sheet_header_in_a_tcvn3_font_is_read_converted(guard: Guard) -> None:
    def header(book: Any) -> None:
        book.active.oddHeader.center.text = "TèI MËT"
        book.active.oddHeader.center.font = ".VnTimeH,Bold"

    assert guard.scan_document("so-lieu.xlsx", _book(header)).action.value == "block"


def test_slide_text_in_a_legacy_font_set_by_the_master_is_read_converted(guard: Guard) -> None:
    from tests.support.office_files import pptx

    with zipfile.ZipFile(io.BytesIO(pptx("TèI MËT"))) as archive:
        parts: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    parts["ppt/slideMasters/slideMaster1.xml"] = (
        f'<?xml version="1.0"?><p:sldMaster {PRESENTATION}><p:txStyles><p:bodyStyle><a:lvl1pPr><a:defRPr>'
        '<a:latin typeface=".VnTimeH"/></a:defRPr></a:lvl1pPr></p:bodyStyle></p:txStyles></p:sldMaster>')
    assert guard.scan_document("bai.pptx", package(parts)).action.value == "block"


@pytest.mark.parametrize(("case", "body"), [
    ("ruby-text", "Xem <text:ruby><text:ruby-base>kế hoạch</text:ruby-base><text:ruby-text>TỐI MẬT</text:ruby-text>"
                  "</text:ruby>"),
    ("letters-on-broken-lines", "Kính gửi<text:line-break/>T<text:line-break/>Ố<text:line-break/>I<text:line-break/>"
                                "<text:line-break/>M<text:line-break/>Ậ<text:line-break/>T"),
])
def test_open_document_ruby_and_line_breaks_keep_the_level(guard: Guard, case: str, body: str) -> None:
    verdict = guard.scan_document("van-ban.odt", odf("text", body))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat", case


@pytest.mark.slow
def test_a_stamp_stored_mirrored_and_shown_flipped_back_is_read(guard: Guard) -> None:
    from PIL import Image, ImageOps

    from bot.guard.ocr import ocr_status

    if not ocr_status().available:
        pytest.skip(ocr_status().detail)
    mirrored = io.BytesIO()
    ImageOps.mirror(Image.open(io.BytesIO(tight_stamp(60)))).save(mirrored, "PNG")
    shown = ('<w:p><w:r><w:drawing><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
             '<a:graphicData><a:xfrm flipH="1"/></a:graphicData></a:graphic></w:drawing></w:r></w:p>')
    document = word(para("Kính gửi") + shown, extra={"word/media/image1.png": mirrored.getvalue()},
                    relationships=f'<Relationship Id="rId7" Type="{R}/image" Target="media/image1.png"/>')
    verdict = guard.scan_document("thu.docx", document)
    assert verdict.action.value == "block" and "flipped" in (verdict.reason or ""), verdict.reason


def test_the_texts_a_saved_text_formula_can_show_are_read(guard: Guard) -> None:
    shown = guard.scan_document("so-lieu.xlsx", saved_formula('IF(NOW()>0,"TỐI MẬT","Không")', "Không"))
    assert shown.action.value == "block" and shown.rule != "unreadable-file", shown.rule
    counted = saved_formula('IF(COUNTIF(C:C,"x")>0,"Có","Không")', "Có")
    assert guard.scan_document("so-lieu.xlsx", counted).action.value == "allow"
