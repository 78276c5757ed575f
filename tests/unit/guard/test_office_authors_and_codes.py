"""What Excel and PowerPoint show beside the cells and slides (issue 24, class 4, second round):
a comment's author (a cell comment's box, a threaded comment's person, a slide comment's author in
either comment format), a custom show's name, a cell hyperlink's display text and tooltip, a
`HYPERLINK` formula's friendly name, a validation list's options, and a header or footer as
printed — its &-codes (bold, size, font, colour) dropped, so a code between two words neither
hides nor lowers a marking."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from bot.guard.engine import Guard
from bot.guard.sheets import header_footer_lines
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import package, pptx

P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
THREADED = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"


def workbook(change: Callable[[Any], None]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Số liệu"
    change(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_parts(content: bytes, extra: dict[str, str]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    parts.update(extra)
    return package(parts)


def comment_by(author: str) -> Callable[[Any], None]:
    from openpyxl.comments import Comment

    def change(sheet: Any) -> None:
        sheet["A1"].comment = Comment("Đã kiểm tra", author)

    return change


def header(text: str, first_footer: bool = False) -> Callable[[Any], None]:
    def change(sheet: Any) -> None:
        (sheet.firstFooter if first_footer else sheet.oddHeader).center.text = text
        sheet.HeaderFooter.differentFirst = first_footer

    return change


def cell(formula: str = "", tooltip: str = "", display: str = "") -> Callable[[Any], None]:
    from openpyxl.worksheet.hyperlink import Hyperlink

    def change(sheet: Any) -> None:
        if formula:
            sheet["B1"] = formula
        else:
            sheet["B1"] = "Trang"
            sheet["B1"].hyperlink = Hyperlink(ref="B1", target="http://example.vn", tooltip=tooltip or None,
                                              display=display or None)

    return change


def validation_list(options: str) -> Callable[[Any], None]:
    from openpyxl.worksheet.datavalidation import DataValidation

    def change(sheet: Any) -> None:
        rule = DataValidation(type="list", formula1=f'"{options}"')
        sheet.add_data_validation(rule)
        rule.add("B1")

    return change


X14 = ('<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/'
       'spreadsheetml/2009/9/main"><x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/'
       '2006/main"><x14:dataValidation type="list"><x14:formula1><xm:f>"Thường,TỐI MẬT"</xm:f></x14:formula1>'
       "<xm:sqref>B1</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>")


def excel_2010_validation() -> bytes:
    content = workbook(lambda sheet: None)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    return with_parts(content, {"xl/worksheets/sheet1.xml": sheet.replace("</worksheet>", X14 + "</worksheet>")})


def slides_with(name: str, xml: str) -> bytes:
    return with_parts(pptx("Kế hoạch công tác"), {name: f'<?xml version="1.0"?>{xml}'})


BLOCKED: list[tuple[str, str, Callable[[], bytes], Level]] = [
    ("cell-comment-author", "xlsx", lambda: workbook(comment_by("TUYỆT MẬT")), Level.TUYET_MAT),
    ("threaded-comment-person", "xlsx", lambda: with_parts(workbook(lambda sheet: None), {
        "xl/persons/person.xml": f'<?xml version="1.0"?><personList xmlns="{THREADED}"><person '
                                 'displayName="TỐI MẬT" id="{1}" userId="x" providerId="None"/></personList>'}),
     Level.TOI_MAT),
    ("header-bold-and-size-codes", "xlsx", lambda: workbook(header("&B&14TỐI &IMẬT")), Level.TOI_MAT),
    ("header-font-code-between-words", "xlsx", lambda: workbook(header('&"Arial,Bold"TỐI&"Arial,Regular" MẬT')),
     Level.TOI_MAT),
    ("header-colour-code-inside-a-word", "xlsx", lambda: workbook(header("&LSố 12&CTUYỆT M&KFF0000ẬT")),
     Level.TUYET_MAT),
    ("hyperlink-formula-friendly-name", "xlsx", lambda: workbook(cell('=HYPERLINK("http://example.vn","TỐI MẬT")')),
     Level.TOI_MAT),
    ("hyperlink-tooltip", "xlsx", lambda: workbook(cell(tooltip="TỐI MẬT")), Level.TOI_MAT),
    ("validation-list-options", "xlsx", lambda: workbook(validation_list("Thường,TỐI MẬT,TUYỆT MẬT")), Level.TUYET_MAT),
    ("excel-2010-validation-list", "xlsx", excel_2010_validation, Level.TOI_MAT),
    ("slide-comment-author", "pptx", lambda: slides_with(
        "ppt/commentAuthors.xml", f'<p:cmAuthorLst {P}><p:cmAuthor id="1" name="TỐI MẬT" initials="TM" lastIdx="1" '
                                  'clrIdx="0"/></p:cmAuthorLst>'), Level.TOI_MAT),
    ("modern-slide-comment-author", "pptx", lambda: slides_with(
        "ppt/authors.xml", '<p188:authorLst xmlns:p188="http://schemas.microsoft.com/office/powerpoint/2018/8/main">'
                           '<p188:author id="{1}" name="TUYỆT MẬT" initials="TM" userId="x" providerId="None"/>'
                           "</p188:authorLst>"), Level.TUYET_MAT),
    ("custom-show-name", "pptx", lambda: slides_with(
        "ppt/presentation.xml", f'<p:presentation {P}><p:custShowLst><p:custShow name="TỐI MẬT" id="0"/>'
                                "</p:custShowLst></p:presentation>"), Level.TOI_MAT),
]

ALLOWED: list[tuple[str, str, Callable[[], bytes]]] = [
    ("comment-by-a-person", "xlsx", lambda: workbook(comment_by("Nguyễn Văn Mật"))),
    ("header-page-numbers", "xlsx", lambda: workbook(header("&LTrang &P / &N&R&D &T"))),
    ("header-prose", "xlsx", lambda: workbook(header("&B&12Quy chế bảo mật &&amp; an toàn"))),
    ("hyperlink-display", "xlsx", lambda: workbook(cell(display="Cổng thông tin", tooltip="Mở trang"))),
    ("hyperlink-formula", "xlsx", lambda: workbook(cell('=HYPERLINK("http://example.vn","Cổng thông tin")'))),
    ("validation-list-of-levels-in-prose-case", "xlsx", lambda: workbook(validation_list("Thường,Mật,Tối mật"))),
    ("custom-show", "pptx", lambda: slides_with(
        "ppt/presentation.xml", f'<p:presentation {P}><p:custShowLst><p:custShow name="Bản rút gọn" id="0"/>'
                                "</p:custShowLst></p:presentation>")),
]


@pytest.mark.parametrize(("name", "kind", "make", "level"), BLOCKED, ids=[case[0] for case in BLOCKED])
def test_what_is_shown_beside_cells_and_slides_is_judged(guard: Guard, name: str, kind: str,
                                                          make: Callable[[], bytes], level: Level) -> None:
    verdict = guard.scan_document(f"tep.{kind}", make())
    assert verdict.action is GuardAction.BLOCK and verdict.rule != "unreadable-file", (name, verdict.reason)
    assert verdict.level is level, name


@pytest.mark.parametrize(("name", "kind", "make"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_harmless_names_and_codes_pass(guard: Guard, name: str, kind: str, make: Callable[[], bytes]) -> None:
    assert guard.scan_document(f"tep.{kind}", make()).action is GuardAction.ALLOW, name


def test_header_codes_are_dropped_section_by_section() -> None:
    assert header_footer_lines('&L&"Arial,Bold"Số 12&C&14TỐI&K04+000 MẬT&R&P') == ["Số 12", "TỐI MẬT"]
    assert header_footer_lines('&".VnTimeH,Bold"TèI MËT') == ["TỐI MẬT"]
