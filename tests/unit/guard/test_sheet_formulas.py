"""Excel formulas as Excel shows them after recalculating (issue 24, class 4, second round): a
formula that builds a marking from character codes, repetitions or pieces of text shows that
marking whatever value another program saved beside it (`CONCAT(CHAR(84),"ỐI M",UNICHAR(7852),"T")`
saved as «Thường»), and so does any part of a formula that cannot be evaluated whole (a lookup's
fallback, an IF's branch), whatever the saved value's type. Ordinary formulas pass."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from bot.guard.engine import Guard
from bot.guard.sheets import evaluate
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import package


def saved_formula(formula: str, saved: str, kind: str = "str") -> bytes:
    """A workbook whose B2 holds `formula` with `saved` as its saved value, of type `kind`."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active["B2"] = "x"  # type: ignore[index]
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        parts: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    escaped = formula.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    sheet = bytes(parts["xl/worksheets/sheet1.xml"]).decode()  # type: ignore[arg-type]
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        r'<c r="B2"[^>]*>.*?</c>', f'<c r="B2" t="{kind}"><f>{escaped}</f><v>{saved}</v></c>', sheet)
    return package(parts)


BLOCKED = [
    ("char-and-unichar", 'CONCAT(CHAR(84),"ỐI M",UNICHAR(7852),"T")', "Thường", "str", Level.TOI_MAT),
    ("unichar-pieces", '_xlfn.UNICHAR(84)&_xlfn.UNICHAR(7888)&"I"&" "&"M"&_xlfn.UNICHAR(7852)&"T"', "Thường",
     "str", Level.TOI_MAT),
    ("char-arithmetic", 'CHAR(80+4)&"ỐI MẬT"', "x", "str", Level.TOI_MAT),
    ("rept", 'REPT("TUYỆT MẬT ",1)', "x", "str", Level.TUYET_MAT),
    ("textjoin-with-char", '_xlfn.TEXTJOIN(" ",TRUE,"TỐI",CHAR(77)&"ẬT")', "x", "str", Level.TOI_MAT),
    ("mid", 'MID("XXTỐI MẬTXX",3,7)', "x", "str", Level.TOI_MAT),
    ("substitute", 'SUBSTITUTE("TỐI MXT","X","Ậ")', "x", "str", Level.TOI_MAT),
    ("upper-left", 'UPPER(LEFT("tối mật thư",7))', "x", "str", Level.TOI_MAT),
    ("if-branch-built-by-codes", 'IF(A1="","TỐI "&"M"&UNICHAR(7852)&"T","")', "x", "str", Level.TOI_MAT),
    ("lookup-fallback-by-codes", 'IFERROR(VLOOKUP(A1,C:D,2,0),CHAR(84)&"ỐI MẬT")', "x", "str", Level.TOI_MAT),
    ("if-with-a-number-saved", 'IF(1=1,"TỐI MẬT","")', "0", "n", Level.TOI_MAT),
]

ALLOWED = [
    ("sum", "SUM(A1:A3)", "6", "n"),
    ("a-code-and-a-digit", 'CHAR(65)&"1"', "A1", "str"),
    ("lookup", "VLOOKUP(A1,C:D,2,0)", "x", "str"),
    ("date-text", 'TEXT(A1,"dd/mm/yyyy")', "01/01/2026", "str"),
    ("prose", 'IF(A1>0,"Đã bảo mật","")', "Đã bảo mật", "str"),
]


@pytest.mark.parametrize(("name", "formula", "saved", "kind", "level"), BLOCKED, ids=[case[0] for case in BLOCKED])
def test_a_marking_a_formula_builds_blocks(guard: Guard, name: str, formula: str, saved: str, kind: str,
                                           level: Level) -> None:
    verdict = guard.scan_document("so-lieu.xlsx", saved_formula(formula, saved, kind))
    assert verdict.action is GuardAction.BLOCK and verdict.rule != "unreadable-file", (name, verdict.reason)
    assert verdict.level is level, name


@pytest.mark.parametrize(("name", "formula", "saved", "kind"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_ordinary_formulas_pass(guard: Guard, name: str, formula: str, saved: str, kind: str) -> None:
    assert guard.scan_document("so-lieu.xlsx", saved_formula(formula, saved, kind)).action is GuardAction.ALLOW, name


def test_the_evaluator_keeps_to_what_it_can_know() -> None:
    assert evaluate('("TỐI")&(" MẬT")') == "TỐI MẬT"
    assert evaluate("CHAR(84)&CHAR(77)") == "TM"
    assert evaluate("007") == "007"
    for unknown in ('REPT("x",99999)', "CHAR(A1)", "LEFT(B2,3)", "1/0", "__import__('os')"):
        with pytest.raises(ValueError):
            evaluate(unknown)
