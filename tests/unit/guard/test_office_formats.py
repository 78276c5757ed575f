"""Office documents read as their applications show them (issue 24, items 3 and 4): parts found by
what the package holds, not by name; watermarks, caps, ruby, legacy TCVN3/VNI fonts, fields split
across table cells; Excel as Excel shows it; PPTX, ODT, RTF, EPUB and legacy-encoded text read."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.guard.engine import Guard
from bot.guard.legacy import tcvn3_to_unicode, vni_to_unicode
from tests.support.office_files import odf, package, pptx
from tests.support.tools import requires_ocr

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def word(body: str, *, main: str = "word/document.xml", extra: dict[str, str | bytes] | None = None,
         relationships: str = "") -> bytes:
    """A DOCX by hand: `body` is the inner XML of w:body; the main part may be named anything."""
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                               'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                               f'<Override PartName="/{main}" ContentType="{CT_WORD}"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       f'relationships"><Relationship Id="rId1" Type="{R}/officeDocument" Target="{main}"/>'
                       "</Relationships>",
        main: f'<?xml version="1.0"?><w:document {W} xmlns:r="{R}" xmlns:v="urn:schemas-microsoft-com:vml">'
              f"<w:body>{body}</w:body></w:document>",
    }
    if relationships:
        folder, name = main.rsplit("/", 1)
        parts[f"{folder}/_rels/{name}.rels"] = (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relationships}</Relationships>")
    parts.update(extra or {})
    return package(parts)


def para(text: str, properties: str = "") -> str:
    return f"<w:p><w:r><w:rPr>{properties}</w:rPr><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def docx_with_header_named(name: str, header: str) -> bytes:
    return word(para("Nội dung thường"), extra={
        name: f'<?xml version="1.0"?><w:hdr {W}>{para(header)}</w:hdr>'},
        relationships=f'<Relationship Id="rId5" Type="{R}/header" Target="{name.split("/", 1)[1]}"/>')


def _nested(depth: int) -> bytes:
    inner = python_docx("Nội dung thường")
    for _ in range(depth):
        inner = word(para("x"), extra={"word/embeddings/a.docx": inner})
    return inner


def python_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


BLOCKED_DOCX = [
    ("header-renamed", lambda: docx_with_header_named("word/hdr1.xml", "TỐI MẬT")),
    ("body-behind-decoy", lambda: word(para("TUYỆT MẬT - kế hoạch"), main="word/main.xml", extra={
        "word/document.xml": f'<?xml version="1.0"?><w:document {W}><w:body>{para("Thư mời họp")}</w:body>'
                             "</w:document>"})),
    ("altchunk-html", lambda: word(para("Xem phụ lục") + '<w:altChunk r:id="rId9"/>', extra={
        "word/chunk9.htm": "<html><body><p>TỐI MẬT</p></body></html>"},
        relationships=f'<Relationship Id="rId9" Type="{R}/aFChunk" Target="chunk9.htm"/>')),
    ("altchunk-rtf", lambda: word(para("Xem phụ lục"), extra={
        "word/afchunk.rtf": b"{\\rtf1\\ansi T\\u7888?I M\\u7852?T\\par}"})),
    ("embedded-docx", lambda: word(para("Tài liệu đính kèm"), extra={
        "word/embeddings/package1.bin": python_docx("TUYỆT MẬT")})),
    ("watermark-vml", lambda: word('<w:p><w:r><w:pict><v:shape><v:textpath string="TỐI MẬT"/></v:shape></w:pict>'
                                   "</w:r></w:p>" + para("Nội dung thường"))),
    ("watermark-confidential", lambda: word('<w:p><w:r><w:pict><v:shape><v:textpath string="CONFIDENTIAL"/>'
                                            "</v:shape></w:pict></w:r></w:p>")),
    ("caps", lambda: word(para("tài liệu tối mật", "<w:caps/>"))),  # lower case alone is prose
    ("small-caps", lambda: word(para("hồ sơ mật", "<w:smallCaps/>"))),
    ("tcvn3-upper-font", lambda: word(para("TèI MËT", '<w:rFonts w:ascii=".VnTimeH" w:hAnsi=".VnTimeH"/>'))),
    ("tcvn3-font", lambda: word(para("TUYÖT MËT", '<w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/>'))),
    ("vni-font", lambda: word(para("TOÁI MAÄT", '<w:rFonts w:ascii="VNI-Times" w:hAnsi="VNI-Times"/>'))),
    ("letters-across-cells", lambda: word("<w:tbl><w:tr>" + "".join(
        f"<w:tc>{para(letter)}</w:tc>" for letter in ("TỐI", "M", "Ậ", "T")) + "</w:tr></w:tbl>")),
    ("field-across-cells", lambda: word(f"<w:tbl><w:tr><w:tc>{para('Độ mật')}</w:tc><w:tc>{para('A')}</w:tc>"
                                        "</w:tr></w:tbl>")),
    ("chart-title", lambda: word(para("Biểu đồ"), extra={
        "word/charts/bieudo.xml": '<?xml version="1.0"?><c:chartSpace xmlns:c="http://schemas.openxmlformats.org/'
                                  'drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
                                  'main"><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>TỐI MẬT</a:t></a:r></a:p>'
                                  "</c:rich></c:tx></c:title></c:chart></c:chartSpace>"})),
    ("ruby", lambda: word('<w:p><w:r><w:ruby><w:rt><w:r><w:t>TỐI MẬT</w:t></w:r></w:rt><w:rubyBase><w:r>'
                          "<w:t>kế hoạch</w:t></w:r></w:rubyBase></w:ruby></w:r></w:p>")),
    ("embedded-too-deep", lambda: word(para("x"), extra={"word/embeddings/a.docx": _nested(5)})),
    ("text-box-drawingml", lambda: word(
        '<w:p><w:r><w:drawing><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        "<a:graphicData><wps:txbx xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\">"
        "<a:p><a:r><a:t>TỐI MẬT</a:t></a:r></a:p></wps:txbx></a:graphicData></a:graphic></w:drawing></w:r></w:p>")),
]


@pytest.mark.parametrize(("case", "make"), BLOCKED_DOCX, ids=[case for case, _ in BLOCKED_DOCX])
def test_docx_as_word_shows_it_blocks(guard: Guard, case: str, make: object) -> None:
    verdict = guard.scan_document("thu.docx", make())  # type: ignore[operator]
    assert verdict.action.value == "block", case
    assert (verdict.rule == "unreadable-file") == (case == "embedded-too-deep"), (case, verdict.reason)


@requires_ocr
def test_benign_office_documents_stay_allowed(guard: Guard) -> None:
    assert guard.scan_document("thu.docx", python_docx("Quy định về bảo mật thông tin")).action.value == "allow"
    table = word(f"<w:tbl><w:tr><w:tc>{para('Độ mật')}</w:tc><w:tc>{para('thường')}</w:tc></w:tr></w:tbl>"
                 + para("bảo mật thông tin", '<w:rFonts w:ascii="Times New Roman"/>'))
    assert guard.scan_document("thu.docx", table).action.value == "allow"
    assert guard.scan_document("bai.pptx", pptx("Bảo mật thông tin trong cơ quan")).action.value == "allow"
    assert guard.scan_document("so-lieu.xlsx", xlsx_formula('="bảo mật"&" thông tin"')).action.value == "allow"


# -- Excel ------------------------------------------------------------------------------------------


def xlsx_formula(formula: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Số liệu"
    workbook.active["B2"] = formula  # openpyxl saves formulas without a cached value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_with(change: object) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Số liệu"
    change(workbook)  # type: ignore[operator]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _number_format(workbook: object) -> None:
    cell = workbook.active["B1"]  # type: ignore[attr-defined]
    cell.value = "TỐI"
    cell.number_format = '@" MẬT"'


def _literal_format(workbook: object) -> None:
    cell = workbook.active["B1"]  # type: ignore[attr-defined]
    cell.value = 42
    cell.number_format = '"TỐI MẬT"'


def _validation(workbook: object) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(type="list", formula1='"a,b"', prompt="Tài liệu TỐI MẬT", promptTitle="Lưu ý",
                                showInputMessage=True)
    workbook.active.add_data_validation(validation)  # type: ignore[attr-defined]
    validation.add("C1")


def _comment(workbook: object) -> None:
    from openpyxl.comments import Comment

    workbook.active["C3"].comment = Comment("TỐI MẬT", "Văn thư")  # type: ignore[attr-defined]


def xlsx_text_box(text: str) -> bytes:
    content = xlsx_with(lambda workbook: None)
    parts = dict(_unzip(content))
    parts["xl/drawings/hinh1.xml"] = (
        '<?xml version="1.0"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
        'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
        f"<xdr:sp><xdr:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:twoCellAnchor>"
        "</xdr:wsDr>").encode()
    return package(parts)


def _unzip(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def _tcvn3_cell(workbook: object) -> None:
    from openpyxl.styles import Font

    cell = workbook.active["B2"]  # type: ignore[attr-defined]
    cell.value = "TèI MËT"
    cell.font = Font(name=".VnTimeH")


def _chart_sheet(workbook: object) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.add_data(Reference(workbook.active, min_col=1, min_row=1, max_row=1))  # type: ignore[attr-defined]
    workbook.create_chartsheet("TỐI MẬT").add_chart(chart)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("case", "make"), [
    ("formula-concat", lambda: xlsx_formula('="TỐI"&" MẬT"')),
    ("formula-upper", lambda: xlsx_formula('=UPPER(CONCATENATE("tối ", "mật"))')),
    ("number-format-text", lambda: xlsx_with(_number_format)),
    ("number-format-literal", lambda: xlsx_with(_literal_format)),
    ("validation-prompt", lambda: xlsx_with(_validation)),
    ("chart-sheet-name", lambda: xlsx_with(_chart_sheet)),
    ("comment", lambda: xlsx_with(_comment)),
    ("tcvn3-cell", lambda: xlsx_with(_tcvn3_cell)),
    ("text-box", lambda: xlsx_text_box("TỐI MẬT")),
])
def test_xlsx_as_excel_shows_it_blocks(guard: Guard, case: str, make: object) -> None:
    verdict = guard.scan_document("so-lieu.xlsx", make())  # type: ignore[operator]
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


def test_xlsx_formula_that_cannot_be_evaluated_is_refused(guard: Guard) -> None:
    verdict = guard.scan_document("so-lieu.xlsx", xlsx_formula('=INDIRECT("Z"&ROW())'))
    assert verdict.action.value == "block" and verdict.rule == "unreadable-file"
    assert "formula" in verdict.reason


# -- Formats refused unread until now ---------------------------------------------------------------


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: precomposed base letters, tone marks combining."""
    import unicodedata

    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def epub(chapter: str) -> bytes:
    return package({
        "mimetype": "application/epub+zip",
        "OEBPS/chuong1.xhtml": '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
                               f"<h1>{chapter}</h1><p>Nội dung</p></body></html>",
    })


@pytest.mark.parametrize(("name", "make"), [
    ("bai.pptx", lambda: pptx("TỐI MẬT")),
    ("bai.pptx", lambda: pptx("Giao ban tuần", notes="TUYỆT MẬT")),
    ("van-ban.odt", lambda: odf("text", "TỐI MẬT")),
    ("van-ban.odt", lambda: odf("text", "Nội dung thường", styles_text="TUYỆT MẬT")),
    ("bang.ods", lambda: odf("spreadsheet", "TỐI MẬT")),
    ("trinh-chieu.odp", lambda: odf("presentation", "TỐI MẬT")),
    ("sach.epub", lambda: epub("TỐI MẬT")),
    ("thu.rtf", lambda: b"{\\rtf1\\ansi{\\fonttbl{\\f0\\fcharset0 Arial;}}\\f0 M\\u7852?T\\par}"),
    ("thu.rtf", lambda: b"{\\rtf1\\ansi{\\fonttbl{\\f0\\fcharset163 Times New Roman;}}"
                        b"\\f0 T\\'d4\\'ecI M\\'c2\\'f2T\\par}"),
    ("thu.rtf", lambda: b"{\\rtf1\\ansi{\\fonttbl{\\f1\\fcharset0 .VnTimeH;}}\\f1 T\\'e8I M\\'cbT\\par}"),
    ("ghi-chu.txt", lambda: cp1258("Độ mật: Tối mật\nNội dung")),
    ("ghi-chu.txt", lambda: "TỐI MẬT\r\nNội dung".encode("utf-16-le")),
    ("ghi-chu.txt", lambda: "TỐI MẬT\r\nNội dung".encode("utf-16-be")),
])
def test_formats_refused_unread_are_read(guard: Guard, name: str, make: object) -> None:
    verdict = guard.scan_document(name, make())  # type: ignore[operator]
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (name, verdict.reason)


def test_benign_formats_stay_allowed(guard: Guard) -> None:
    for name, content in (("van-ban.odt", odf("text", "Quy chế bảo mật thông tin")), ("sach.epub", epub("Lời nói đầu")),
                          ("thu.rtf", b"{\\rtf1\\ansi b\\u7843?o m\\u7853?t th\\u244?ng tin\\par}"),
                          ("ghi-chu.txt", cp1258("Độ mật: thường")),
                          ("ghi-chu.txt", "bảo mật thông tin".encode("utf-16-le"))):
        verdict = guard.scan_document(name, content)
        assert verdict.action.value == "allow", (name, verdict.reason)


# -- Legacy encodings, both directions ----------------------------------------------------------------


def test_tcvn3_and_vni_tables_round_trip() -> None:
    import unicodedata

    assert tcvn3_to_unicode("TèI MËT") == "TốI MậT"
    assert tcvn3_to_unicode("b¶o mËt th«ng tin") == "bảo mật thông tin"
    assert vni_to_unicode("TOÁI MAÄT") == "TỐI MẬT"
    assert vni_to_unicode("ñöôïc baûo maät") == "được bảo mật"
    # every TCVN3 code gives a distinct Vietnamese letter, and every Vietnamese lower-case vowel with
    # a mark has a TCVN3 code (the table read backwards)
    from bot.guard.legacy import _TCVN3

    assert len(set(_TCVN3.values())) == len(_TCVN3)
    vowels = {unicodedata.normalize("NFC", base + mark) for base in "aăâeêioôơuưy"
              for mark in ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")} - set("aeiouy")
    assert vowels <= set(_TCVN3.values())


def test_pictures_are_found_wherever_they_are_stored() -> None:
    from bot.guard.office import image_parts

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    archive = zipfile.ZipFile(io.BytesIO(word(para("x"), extra={"word/anh/stamp.bin": png})))
    assert [name for name, _ in image_parts(archive)] == ["word/anh/stamp.bin"]


def _stamped_png() -> bytes:
    from tests.support import image_corpus

    page = image_corpus.page(image_corpus.LETTER)
    image_corpus.stamp(page, "TỐI MẬT", (820, 90))
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()


def test_a_stamped_picture_outside_media_is_read(guard: Guard) -> None:
    from bot.guard.ocr import ocr_status

    if not ocr_status().available:
        pytest.skip(ocr_status().detail)
    document = word(para("Kính gửi"), extra={"word/anh/phu-luc.bin": _stamped_png()},
                    relationships=f'<Relationship Id="rId7" Type="{R}/image" Target="anh/phu-luc.bin"/>')
    verdict = guard.scan_document("thu.docx", document)
    assert verdict.action.value == "block" and verdict.rule.startswith("image:"), verdict.reason
