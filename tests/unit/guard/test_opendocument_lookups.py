"""OpenDocument spreadsheets' formulas that read other cells (issue 24, class 4, third round), as
XLSX ones are read: `of:=[.A1]&[.A2]` over «TỐI M» and «ẬT», or `UPPER(VLOOKUP(…))` over «tài liệu
tối mật», saved as «Thường», shows the marking once LibreOffice recalculates. Other sheets and
ranges are followed; ordinary formulas pass."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.opendocument_cells import excel_formula
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import package

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"')


def cell(value: str = "", formula: str = "", repeat: int = 1) -> str:
    if formula:
        return (f'<table:table-cell table:formula="{formula}" office:value-type="string" '
                f'office:string-value="Thường"><text:p>Thường</text:p></table:table-cell>')
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if not value:
        return f"<table:table-cell{repeated}/>"
    return f'<table:table-cell office:value-type="string"{repeated}><text:p>{value}</text:p></table:table-cell>'


def table(name: str, *rows: str) -> str:
    return f'<table:table table:name="{name}">' + "".join(f"<table:table-row>{row}</table:table-row>"
                                                            for row in rows) + "</table:table>"


def ods(*tables: str) -> bytes:
    content = (f'<?xml version="1.0"?><office:document-content {NS}><office:body><office:spreadsheet>'
               f'{"".join(tables)}</office:spreadsheet></office:body></office:document-content>')
    return package({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content})


def fods(*tables: str) -> bytes:
    return (f'<?xml version="1.0"?><office:document {NS} office:mimetype="application/vnd.oasis.opendocument.'
            f'spreadsheet"><office:body><office:spreadsheet>{"".join(tables)}</office:spreadsheet></office:body>'
            "</office:document>").encode()


PIECES = (cell("TỐI M") + cell(formula="of:=[.A1]&amp;[.A2]"), cell("ẬT"))
LOOKUP = "of:=UPPER(VLOOKUP(&quot;k1&quot;;[.A1:.B2];2;0))"
TABLE = (cell("k1") + cell("tài liệu tối mật"), cell("k2") + cell("Thường"))


@pytest.mark.parametrize(("name", "make", "level"), [
    ("two-cells-joined", lambda: ods(table("S", *PIECES)), Level.TOI_MAT),
    ("two-cells-joined-flat", lambda: fods(table("S", *PIECES)), Level.TOI_MAT),
    ("upper-of-a-vlookup", lambda: ods(table("S", *TABLE, cell(formula=LOOKUP))), Level.TOI_MAT),
    ("another-sheet", lambda: ods(table("S", cell(formula="of:=UPPER([$Data.B1])")), table("Data", *TABLE)),
     Level.TOI_MAT),
    ("after-repeated-empty-cells", lambda: ods(table("S", cell(repeat=3) + cell("TUYỆT M"), cell(repeat=3) + cell("ẬT"),
                                                     cell(formula="of:=[.D1]&amp;[.D2]"))), Level.TUYET_MAT),
])
def test_what_a_formula_reads_from_other_cells_is_judged(guard: Guard, name: str, make: object, level: Level) -> None:
    suffix = "fods" if name.endswith("flat") else "ods"
    verdict = guard.scan_document(f"bang.{suffix}", make())  # type: ignore[operator]
    assert verdict.action is GuardAction.BLOCK and verdict.level is level, (name, verdict.reason)


def test_ordinary_formulas_pass(guard: Guard) -> None:
    names = ods(table("S", cell("Hà") + cell("Nội") + cell(formula="of:=[.A1]&amp;&quot; &quot;&amp;[.B1]"),
                      cell(formula="of:=SUM([.C1:.C9])")))
    assert guard.scan_document("bang.ods", names).action is GuardAction.ALLOW


def test_formulas_are_turned_into_excels_syntax() -> None:
    assert excel_formula("of:=CONCAT([.A1];[$Data.B2:.B9];\"a;b\")") == "=CONCAT(A1,'Data'!B2:B9,\"a;b\")"
    assert excel_formula("of:=[.$A$1]&[.B2]") == "=$A$1&B2"


@pytest.mark.parametrize("formula", [
    "of:=IF([.B1]=&quot;Mật&quot;;&quot;Gửi bản giấy&quot;;&quot;Gửi qua bot&quot;)",
    "of:=COUNTIF([.B1:.B9];&quot;Tối mật&quot;)",
    "of:=[.B1]=&quot;TUYỆT MẬT&quot;",
], ids=["if-comparing-with-a-level", "countif-of-a-level", "equal-to-a-level"])
def test_what_a_formula_only_compares_or_counts_is_not_shown(guard: Guard, formula: str) -> None:
    register = ods(table("S", cell("Công văn 12") + cell("Thường") + cell(formula=formula)))
    assert guard.scan_document("so-dang-ky.ods", register).action is GuardAction.ALLOW


def test_a_branch_that_shows_a_level_still_blocks(guard: Guard) -> None:
    formula = "of:=IF([.B1]=&quot;Thường&quot;;&quot;Gửi qua bot&quot;;&quot;TỐI MẬT&quot;)"
    register = ods(table("S", cell("Công văn 12") + cell("Thường") + cell(formula=formula)))
    assert guard.scan_document("so-dang-ky.ods", register).level is Level.TOI_MAT


def spreadsheet(inner: str) -> bytes:
    content = (f'<?xml version="1.0"?><office:document-content {NS}><office:body><office:spreadsheet>{inner}'
               f'{table("S", cell("x"))}</office:spreadsheet></office:body></office:document-content>')
    return package({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content})


def validation(condition: str, inner: str = "") -> str:
    return (f'<table:content-validations><table:content-validation table:name="v1" table:condition="{condition}">'
            f"{inner}</table:content-validation></table:content-validations>")


LIST = "of:cell-content-is-in-list(&quot;{}&quot;)"


@pytest.mark.parametrize(("name", "inner"), [
    ("a-validation-list", validation(LIST.format("Thường&quot;;&quot;TỐI MẬT"))),
    ("a-validation-help-title", validation("of:cell-content-is-whole-number()",
                                           '<table:help-message table:title="TỐI MẬT"><text:p>Nhập số</text:p>'
                                           "</table:help-message>")),
    ("a-named-expression", '<table:named-expressions><table:named-expression table:name="DS" '
                           'table:expression="of:&quot;TỐI MẬT&quot;"/></table:named-expressions>'),
    ("a-named-range", '<table:named-expressions><table:named-range table:name="TOI_MAT" '
                      'table:cell-range-address="$S.$A$1"/></table:named-expressions>'),
])
def test_what_validations_and_names_show_is_judged(guard: Guard, name: str, inner: str) -> None:
    verdict = guard.scan_document("bang.ods", spreadsheet(inner))
    assert verdict.action is GuardAction.BLOCK and verdict.level is Level.TOI_MAT, (name, verdict.reason)


def test_a_validation_list_of_the_levels_is_an_enumeration(guard: Guard) -> None:
    levels = validation(LIST.format("Thường&quot;;&quot;Mật&quot;;&quot;Tối mật&quot;;&quot;Tuyệt mật"))
    assert guard.scan_document("bang.ods", spreadsheet(levels)).action is GuardAction.ALLOW
