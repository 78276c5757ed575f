"""What a pivot table and a form control show (issue 24, class 4, third round): a pivot table's
captions (data, row and column headers, grand total, error and empty cells), its fields' and items'
own names and its cache's field names and captions are what the grid shows, whatever the source
cells say; a list box or drop-down shows the items stored with it or the array constant its input
range names, and a validation list a named array constant. Ordinary pivots and lists pass; a list of
the levels in ordinary case is an enumeration, as a validation list's is."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import Cell, workbook

S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
X14 = 'xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"'
SOURCE: tuple[str, dict[str, Cell]] = ("S", {"A1": "Đơn vị", "B1": "Số", "A2": "Vụ A", "B2": 3})


def pivot(attributes: str = "", inner: str = "") -> bytes:
    return workbook(SOURCE, extra={"xl/pivotTables/pivotTable1.xml": (
        f'<?xml version="1.0"?><pivotTableDefinition {S} name="P1" cacheId="1" {attributes}><location ref="D1:E3" '
        f'firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/>{inner}</pivotTableDefinition>')})


def cache(fields: str) -> bytes:
    return workbook(SOURCE, extra={"xl/pivotCache/pivotCacheDefinition1.xml": (
        f'<?xml version="1.0"?><pivotCacheDefinition {S}><cacheSource type="worksheet"><worksheetSource ref="A1:B2" '
        f'sheet="S"/></cacheSource><cacheFields count="1">{fields}</cacheFields></pivotCacheDefinition>')})


def control(attributes: str, inner: str = "", names: str = "") -> bytes:
    return workbook(SOURCE, names=names, extra={"xl/ctrlProps/ctrlProp1.xml": (
        f'<?xml version="1.0"?><formControlPr {X14} {attributes}>{inner}</formControlPr>')})


BLOCKED: list[tuple[str, bytes, Level]] = [
    ("data-caption", pivot('dataCaption="TỐI MẬT"'), Level.TOI_MAT),
    ("row-header-caption", pivot('rowHeaderCaption="TUYỆT MẬT"'), Level.TUYET_MAT),
    ("column-header-caption", pivot('colHeaderCaption="TỐI MẬT"'), Level.TOI_MAT),
    ("grand-total-caption", pivot('grandTotalCaption="TỐI MẬT"'), Level.TOI_MAT),
    ("error-caption", pivot('errorCaption="TỐI MẬT" showError="1"'), Level.TOI_MAT),
    ("empty-cell-caption", pivot('missingCaption="MẬT" showMissing="1"'), Level.MAT),
    ("an-item-renamed", pivot("", '<pivotFields count="1"><pivotField axis="axisRow"><items count="2">'
                                  '<item n="TỐI MẬT" x="0"/><item t="default"/></items></pivotField></pivotFields>'),
     Level.TOI_MAT),
    ("a-field-renamed", pivot("", '<pivotFields count="1"><pivotField name="TỐI MẬT" axis="axisRow"/></pivotFields>'),
     Level.TOI_MAT),
    ("a-value-field-renamed", pivot("", '<dataFields count="1"><dataField name="TUYỆT MẬT" fld="1"/></dataFields>'),
     Level.TUYET_MAT),
    ("a-filter-caption", pivot("", '<pageFields count="1"><pageField fld="0" cap="TỐI MẬT"/></pageFields>'),
     Level.TOI_MAT),
    ("a-cache-field-name", cache('<cacheField name="TỐI MẬT" numFmtId="0"><sharedItems/></cacheField>'),
     Level.TOI_MAT),
    ("a-cache-item-caption", cache('<cacheField name="Nhãn"><sharedItems><n v="1" c="TỐI MẬT"/></sharedItems>'
                                   "</cacheField>"), Level.TOI_MAT),
    ("a-calculated-field", cache('<cacheField name="Nhóm" formula="&quot;TỐI &quot;&amp;&quot;MẬT&quot;" '
                                 'databaseField="0"/>'), Level.TOI_MAT),
    ("a-cache-field-caption", cache('<cacheField name="Nhãn" caption="TỐI MẬT"><sharedItems/></cacheField>'),
     Level.TOI_MAT),
    ("list-box-items", control('objectType="List"', '<itemLst><item val="TỐI MẬT"/><item val="Thường"/></itemLst>'),
     Level.TOI_MAT),
    ("drop-down-items", control('objectType="Drop" dropStyle="combo"', '<itemLst><item val="TUYỆT MẬT"/></itemLst>'),
     Level.TUYET_MAT),
    ("input-range-a-named-array", control('objectType="Drop" fmlaRange="DS"',
                                          names='<definedName name="DS">{"Thường","TỐI MẬT"}</definedName>'),
     Level.TOI_MAT),
    ("input-range-a-named-text", control('objectType="Drop" fmlaRange="DS"',
                                         names='<definedName name="DS">"TỐI "&amp;"MẬT"</definedName>'), Level.TOI_MAT),
    ("validation-list-a-named-array", workbook(("S", {"A1": "x"}),
                                               names='<definedName name="DS">{"Thường","TỐI MẬT"}</definedName>'),
     Level.TOI_MAT),
    ("input-range-cells-linked-to-a-cell", workbook(("S", {"F1": "TỐI M", "F2": "ẬT", "G1": 1}), extra={
        "xl/ctrlProps/ctrlProp1.xml": f'<?xml version="1.0"?><formControlPr {X14} objectType="Drop" '
                                      'fmlaRange="$F$1:$F$2" fmlaLink="$G$1"/>'}), Level.TOI_MAT),
]

ALLOWED: list[tuple[str, bytes]] = [
    ("an-ordinary-pivot", pivot('dataCaption="Giá trị" grandTotalCaption="Tổng cộng"',
                                '<pivotFields count="1"><pivotField name="Đơn vị"><items count="1">'
                                '<item n="Vụ A" x="0"/></items></pivotField></pivotFields>')),
    ("an-ordinary-drop-down", control('objectType="Drop" fmlaRange="DS"', '<itemLst><item val="Vụ A"/></itemLst>',
                                      names='<definedName name="DS">{"Vụ A","Vụ B"}</definedName>')),
    ("the-levels-to-choose-from", control('objectType="Drop"', '<itemLst><item val="Thường"/>'
                                                               '<item val="Mật"/><item val="Tối mật"/>'
                                                               '<item val="Tuyệt mật"/></itemLst>')),
    ("the-levels-in-a-named-array", workbook(("S", {"A1": "x"}), names='<definedName name="Muc">'
                                                                     '{"Thường","Mật","Tối mật","Tuyệt mật"}'
                                                                     "</definedName>")),
    ("a-name-for-a-range", workbook(("S", {"A1": "x"}), names="<definedName name=\"Bang\">S!$A$1:$B$3</definedName>")),
]


@pytest.mark.parametrize(("name", "content", "level"), BLOCKED, ids=[case[0] for case in BLOCKED])
def test_what_a_pivot_or_a_control_shows_is_judged(guard: Guard, name: str, content: bytes, level: Level) -> None:
    verdict = guard.scan_document("bao-cao.xlsx", content)
    assert verdict.action is GuardAction.BLOCK and verdict.rule != "unreadable-file", (name, verdict.reason)
    assert verdict.level is level, name


@pytest.mark.parametrize(("name", "content"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_ordinary_pivots_and_lists_pass(guard: Guard, name: str, content: bytes) -> None:
    assert guard.scan_document("bao-cao.xlsx", content).action is GuardAction.ALLOW, name
