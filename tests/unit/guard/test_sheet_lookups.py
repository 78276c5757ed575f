"""Excel formulas whose text comes from other cells (issue 24, class 4, third round): a lookup, an
INDEX, a CHOOSE, an INDIRECT or OFFSET, or a plain `B1&B2`, saved by another program with a harmless
value, shows what the cells it reads give once Excel recalculates — `UPPER(VLOOKUP("k1",Bảng,2,0))`
over «tài liệu tối mật» shows «TÀI LIỆU TỐI MẬT», `B1&B2` over «TỐI M» and «ẬT» shows «TỐI MẬT».
Lookups over ordinary tables pass, and a formula with no saved value whose cells are known is read,
not refused."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import Cell, workbook

TABLE: dict[str, Cell] = {"A1": "Mã", "B1": "Nhãn", "A2": "k1", "B2": "tài liệu tối mật", "A3": "k2", "B3": "Thường"}
PIECES: dict[str, Cell] = {"A1": "k1", "B1": "TỐI M", "A2": "k2", "B2": "ẬT", "A3": "k3", "B3": "Thường"}
CODES: dict[str, Cell] = {f"A{row}": ord(character) for row, character in enumerate("TỐI MẬT", start=1)}
UNICHARS = "&".join(f"_xlfn.UNICHAR(A{row})" for row in range(1, 8))

BLOCKED: list[tuple[str, bytes, Level]] = [
    ("upper-of-a-vlookup", workbook(("S", {**TABLE, "D1": ('UPPER(VLOOKUP("k1",A1:B3,2,FALSE))', "THƯỜNG")})),
     Level.TOI_MAT),
    ("upper-of-index-match", workbook(("S", {**TABLE, "D1": ('UPPER(INDEX(B1:B3,MATCH("k1",A1:A3,0)))', "THƯỜNG")})),
     Level.TOI_MAT),
    ("two-indexes-joined", workbook(("S", {**PIECES, "D1": ("INDEX(B1:B3,1)&INDEX(B1:B3,2)", "Thường")})),
     Level.TOI_MAT),
    ("two-cells-joined", workbook(("S", {**PIECES, "D1": ("B1&B2", "Thường")})), Level.TOI_MAT),
    ("choose-of-cells", workbook(("S", {**PIECES, "D1": ("CHOOSE(1,B1,B3)&CHOOSE(1,B2,B3)", "Thường")})),
     Level.TOI_MAT),
    ("a-lookup-before-a-literal-keeps-its-level", workbook(("S", {"A1": "k", "B1": "TỐI",
                                                                  "D1": ('VLOOKUP("k",A1:B1,2,0)&" MẬT"', "Thường")})),
     Level.TOI_MAT),
    ("characters-by-codes-in-cells", workbook(("S", {**CODES, "D1": (UNICHARS, "Thường")})), Level.TOI_MAT),
    ("indirect", workbook(("S", {**TABLE, "D1": ('UPPER(INDIRECT("B"&2))', "THƯỜNG")})), Level.TOI_MAT),
    ("offset", workbook(("S", {**TABLE, "D1": ("UPPER(OFFSET(A1,1,1))", "THƯỜNG")})), Level.TOI_MAT),
    ("a-hidden-sheet", workbook(("S", {"D1": ("UPPER(Data!B2)", "THƯỜNG")}), ("Data", TABLE), hidden=("Data",)),
     Level.TOI_MAT),
    ("a-lookup-into-a-hidden-sheet", workbook(("S", {"D1": ('UPPER(VLOOKUP("k1",Data!$A$1:$B$3,2,0))', "THƯỜNG")}),
                                              ("Data", TABLE), hidden=("Data",)), Level.TOI_MAT),
    ("xlookup", workbook(("S", {**TABLE, "D1": ('UPPER(_xlfn.XLOOKUP("k1",A1:A3,B1:B3))', "THƯỜNG")})),
     Level.TOI_MAT),
    ("hlookup", workbook(("S", {"A1": "k1", "B1": "k2", "A2": "tài liệu tuyệt mật", "B2": "x",
                                "D5": ('UPPER(HLOOKUP("k1",A1:B2,2,0))', "X")})), Level.TUYET_MAT),
    ("a-number-saved", workbook(("S", {**TABLE, "D1": ('UPPER(VLOOKUP("k1",A1:B3,2,0))', "0", "n")})),
     Level.TOI_MAT),
    ("a-formula-reading-a-formula", workbook(("S", {**PIECES, "D1": ("B1", "x"), "D2": ("D1&B2", "Thường")})),
     Level.TOI_MAT),
    ("upper-of-a-cell", workbook(("S", {"A1": "mật", "B1": ('"TỐI "&UPPER(A1)', "Thường")})), Level.TOI_MAT),
    ("a-defined-name", workbook(("S", {**TABLE, "D1": ('UPPER(VLOOKUP("k1",Bang,2,0))', "THƯỜNG")}),
                                names='<definedName name="Bang">S!$A$1:$B$3</definedName>'), Level.TOI_MAT),
    ("whole-columns", workbook(("S", {**TABLE, "D1": ('UPPER(VLOOKUP("k1",A:B,2,0))', "THƯỜNG")})), Level.TOI_MAT),
    ("a-shared-formula", workbook(("S", {**PIECES, "D1": ("B1&B2", "Thường", "str", ' t="shared" ref="D1:D2" si="0"'),
                                         "D2": ("", "Thường", "str", ' t="shared" si="0"')})), Level.TOI_MAT),
    ("an-array-formula", workbook(("S", {**PIECES, "D1": ("B1&B2", "Thường", "str", ' t="array" ref="D1"')})),
     Level.TOI_MAT),
    ("substitute-in-a-cell", workbook(("S", {"A1": "TỐI MXT", "B1": ('SUBSTITUTE(A1,"X","Ậ")', "Thường")})),
     Level.TOI_MAT),
]

ALLOWED: list[tuple[str, bytes]] = [
    ("a-lookup-of-names", workbook(("S", {"A1": "k1", "B1": "Nguyễn Văn A",
                                          "D1": ('UPPER(VLOOKUP("k1",A1:B1,2,0))', "NGUYỄN VĂN A")}))),
    ("a-lookup-of-a-compound", workbook(("S", {"A1": "k1", "B1": "bảo mật",
                                               "D1": ('UPPER(VLOOKUP("k1",A1:B1,2,0))', "BẢO MẬT")}))),
    ("a-sum", workbook(("S", {"A1": 1, "A2": 2, "A3": ("SUM(A1:A2)", "3", "n")}))),
    ("names-joined", workbook(("S", {"A1": "Hà", "B1": "Nội", "C1": ('A1&" "&B1', "Hà Nội")}))),
    ("a-lookup-of-prose", workbook(("S", {"A1": "k", "B1": "tài liệu tối mật phải gửi bản giấy",
                                          "C1": ('VLOOKUP("k",A1:B1,2,0)', "tài liệu tối mật phải gửi bản giấy")}))),
    ("a-column-of-lookups", workbook(("S", {**{f"A{i}": f"k{i}" for i in range(1, 60)},
                                            **{f"B{i}": f"Đơn vị {i}" for i in range(1, 60)},
                                            **{f"D{i}": (f"VLOOKUP(A{i},A1:B59,2,0)", f"Đơn vị {i}")
                                               for i in range(1, 60)}}))),
]


@pytest.mark.parametrize(("name", "content", "level"), BLOCKED, ids=[case[0] for case in BLOCKED])
def test_what_a_formula_reads_from_other_cells_is_judged(guard: Guard, name: str, content: bytes,
                                                        level: Level) -> None:
    verdict = guard.scan_document("so-lieu.xlsx", content)
    assert verdict.action is GuardAction.BLOCK and verdict.rule != "unreadable-file", (name, verdict.reason)
    assert verdict.level is level, name


@pytest.mark.parametrize(("name", "content"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_lookups_over_ordinary_tables_pass(guard: Guard, name: str, content: bytes) -> None:
    assert guard.scan_document("so-lieu.xlsx", content).action is GuardAction.ALLOW, name


def test_a_formula_without_a_saved_value_whose_cells_are_known_is_read_not_refused(guard: Guard) -> None:
    harmless = workbook(("S", {"A1": "Hà", "B1": "Nội", "C1": ('A1&" "&B1', "")}))
    assert guard.scan_document("so-lieu.xlsx", harmless).action is GuardAction.ALLOW
    marked = workbook(("S", {**PIECES, "D1": ("B1&B2", "")}))
    assert guard.scan_document("so-lieu.xlsx", marked).level is Level.TOI_MAT


# What a formula only compares or counts is not shown: a register's IF on its «Độ mật» column, a
# COUNTIF of a level, a test for equality (TRUE/FALSE) were blocked as if they showed the level.
REGISTER: dict[str, Cell] = {"A1": "Văn bản", "B1": "Độ khẩn", "A2": "Công văn 12", "B2": "Thường"}
COMPARED = [
    ("if-comparing-with-a-level", 'IF(B2="Mật","Gửi bản giấy","Gửi qua bot")', "Gửi qua bot", "str"),
    ("if-comparing-with-two-levels", 'IF(OR(B2="Tối mật",B2="Tuyệt mật"),"Không gửi","Gửi")', "Gửi", "str"),
    ("countif-of-a-level", 'COUNTIF(B:B,"Mật")', "0", "n"),
    ("countifs-of-a-level", 'COUNTIFS(B:B,"Tối mật",A:A,"&lt;&gt;")', "0", "n"),
    ("sumif-of-a-level", 'SUMIF(B:B,"TUYỆT MẬT",C:C)', "0", "n"),
    ("equal-to-a-level", 'B2="TỐI MẬT"', "0", "b"),
    ("match-of-a-level", 'MATCH("Mật",B:B,0)', "#N/A", "e"),
    ("if-with-yes-and-no", 'IF(B2="Mật","Có","Không")', "Không", "str"),
]


@pytest.mark.parametrize(("name", "formula", "saved", "kind"), COMPARED, ids=[case[0] for case in COMPARED])
def test_what_a_formula_only_compares_or_counts_is_not_shown(guard: Guard, name: str, formula: str, saved: str,
                                                             kind: str) -> None:
    content = workbook(("S", {**REGISTER, "D2": (formula.replace("&lt;&gt;", "<>"), saved, kind)}))
    assert guard.scan_document("so-dang-ky.xlsx", content).action is GuardAction.ALLOW, name


def test_a_branch_that_shows_a_level_still_blocks(guard: Guard) -> None:
    content = workbook(("S", {**REGISTER, "D2": ('IF(B2="Thường","Gửi qua bot","TỐI MẬT")', "Gửi qua bot")}))
    assert guard.scan_document("so-dang-ky.xlsx", content).level is Level.TOI_MAT


# Google Sheets writes a function Excel lacks as IFERROR(__xludf.DUMMYFUNCTION("…"), saved value):
# in Google Sheets, where the file comes from, the quoted formula's result shows.
@pytest.mark.parametrize(("name", "formula", "saved", "allowed"), [
    ("google-sheets-upper-of-a-cell", 'IFERROR(__xludf.DUMMYFUNCTION("UPPER(A1)"),"THƯỜNG")', "THƯỜNG", False),
    ("google-sheets-translation", 'IFERROR(__xludf.DUMMYFUNCTION("GOOGLETRANSLATE(B1,""en"",""vi"")"),"Xin chào")',
     "Xin chào", True),
])
def test_a_google_sheets_formula_is_read_as_google_sheets_shows_it(guard: Guard, name: str, formula: str,
                                                                  saved: str, allowed: bool) -> None:
    content = workbook(("S", {"A1": "tài liệu tối mật", "B1": "Hello", "D1": (formula, saved)}))
    verdict = guard.scan_document("google.xlsx", content)
    assert (verdict.action is GuardAction.ALLOW) if allowed else (verdict.level is Level.TOI_MAT), name
