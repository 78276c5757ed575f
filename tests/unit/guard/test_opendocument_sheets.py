"""Spreadsheets in OpenDocument as LibreOffice shows them (issue 24, class 4, second round): a
cell's formula (`of:=CONCAT(CHAR(84);"ỐI M";UNICHAR(7852);"T")`) is read for what it shows once
recalculated, beside a harmless saved value; and spreadsheets LibreOffice itself saved as ODS (from
an XLSX: a header, a comment, a hidden sheet, a number format) are read as it shows them."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import libreoffice_saved, package

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def sheet_with(formula: str, saved: str) -> bytes:
    escaped = formula.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    cell = (f'<table:table-cell table:formula="{escaped}" office:value-type="string" office:string-value="{saved}">'
            f"<text:p>{saved}</text:p></table:table-cell>")
    return package({
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": f'<?xml version="1.0"?><office:document-content {NS}><office:body><office:spreadsheet>'
                       '<table:table table:name="Tổng hợp"><table:table-row><table:table-cell office:value-type='
                       f'"string"><text:p>Số liệu</text:p></table:table-cell>{cell}</table:table-row></table:table>'
                       "</office:spreadsheet></office:body></office:document-content>",
    })


FORMULAS = [
    ("codes", 'of:=CONCAT(CHAR(84);"ỐI M";UNICHAR(7852);"T")', Level.TOI_MAT),
    ("lower-case-names", 'of:=concat(CHAR(84);"ỐI M";unichar(7852);"T")', Level.TOI_MAT),
    ("lookup-fallback", 'of:=IFERROR(VLOOKUP([.A1];[.C1:.D9];2;0);"TUYỆT "&"M"&UNICHAR(7852)&"T")', Level.TUYET_MAT),
    ("semicolon-inside-a-text", 'of:=IF([.A1]>0;"TỐI MẬT; bản 2";"")', Level.TOI_MAT),
]


@pytest.mark.parametrize(("name", "formula", "level"), FORMULAS, ids=[case[0] for case in FORMULAS])
def test_an_opendocument_formula_is_read_as_recalculated(guard: Guard, name: str, formula: str,
                                                         level: Level) -> None:
    verdict = guard.scan_document("so-lieu.ods", sheet_with(formula, "Thường"))
    assert verdict.action is GuardAction.BLOCK and verdict.level is level, name


def test_ordinary_opendocument_formulas_pass(guard: Guard) -> None:
    for formula, saved in (("of:=SUM([.A1:.A3])", "6"), ('of:=IF([.A1]>0;"Đạt";"Chưa đạt")', "Đạt")):
        assert guard.scan_document("so-lieu.ods", sheet_with(formula, saved)).action is GuardAction.ALLOW


def _workbook(change: Callable[[Any], None]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Báo cáo"
    change(book.active)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _comment(sheet: Any) -> None:
    from openpyxl.comments import Comment

    sheet["A1"].comment = Comment("TỐI MẬT", "Tổ")


def _hidden_sheet(sheet: Any) -> None:
    sheet.parent.create_sheet("TỐI MẬT").sheet_state = "hidden"


def _number_format(sheet: Any) -> None:
    sheet["B1"] = -5
    sheet["B1"].number_format = '0;"TỐI MẬT"'


def _header(sheet: Any) -> None:
    sheet.oddHeader.center.text = "TUYỆT MẬT"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs Debian's libreoffice-calc (soffice)")
@pytest.mark.parametrize("change", [_comment, _hidden_sheet, _number_format, _header],
                         ids=["comment", "hidden-sheet", "number-format", "header"])
def test_a_spreadsheet_libreoffice_saved_as_ods(guard: Guard, tmp_path: Path, change: Callable[[Any], None]) -> None:
    source = tmp_path / "bang.xlsx"
    source.write_bytes(_workbook(change))
    result, returncode = libreoffice_saved(source, "ods", tmp_path)
    if result is None:
        pytest.skip(f"soffice cannot convert spreadsheets here: needs Debian's libreoffice-calc ({returncode})")
    assert guard.scan_document("bang.ods", result.read_bytes()).action is GuardAction.BLOCK
