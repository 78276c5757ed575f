"""OpenDocument spreadsheets' formulas that read other cells (`of:=[.A1]&[.A2]`,
`of:=UPPER(VLOOKUP("k";[.C1:.D9];2;0))`): what they show once LibreOffice recalculates, worked out
from the cells they read as XLSX formulas are (bot/guard/lookups.py) — the table is laid out as a
grid of saved values and formulas, and each formula turned into Excel's syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.guard.lookups import Book
from bot.guard.office_xml import OFFICE_NS, TABLE_NS, TEXT_NS

MAX_REPEAT = 1_000  # a repeated row or cell (`number-rows-repeated="1048000"`, empty filler) is laid out this far
MAX_CELLS = 200_000
_REFERENCE = re.compile(r"\[\$?'?([^\].']*?)'?\.(\$?[A-Z]{1,3}\$?\d+)(?::\$?'?[^\].']*?'?\.?(\$?[A-Z]{1,3}\$?\d+))?\]")


@dataclass
class _Cell:
    value: Any


@dataclass
class _Sheet:
    title: str
    _cells: dict[tuple[int, int], _Cell] = field(default_factory=dict)
    max_row: int = 0
    max_column: int = 0


@dataclass
class _Workbook:
    worksheets: list[_Sheet]
    defined_names: dict[str, Any] = field(default_factory=dict)


def excel_formula(formula: str) -> str:
    """`of:=CONCAT([.A1];[$Data.B2:.B9])` -> `=CONCAT(A1,Data!B2:B9)` (`;` outside quotes)."""
    expression = re.sub(r"^(?:[a-z]+:)?=", "", formula.strip())
    pieces = re.split(r'("(?:[^"]|"")*")', expression)

    def reference(found: re.Match[str]) -> str:
        sheet, first, last = found.groups()
        where = f"'{sheet}'!" if sheet else ""
        return where + first + (f":{last}" if last else "")

    return "=" + "".join(piece if index % 2 else _REFERENCE.sub(reference, piece).replace(";", ",")
                         for index, piece in enumerate(pieces))


def formula_candidates(root: Any) -> tuple[list[str], set[str]]:
    """What every formula of the document's spreadsheets can show, read from the cells it reads, and
    the formulas (as stored) whose texts could not be bounded: those are read by their parts."""
    shown, formulas = _Workbook([]), _Workbook([])
    stored: dict[str, str] = {}  # a formula in Excel's syntax -> as the file stores it
    laid = 0
    for table in root.iter(f"{TABLE_NS}table"):
        name = table.get(f"{TABLE_NS}name") or f"Sheet{len(shown.worksheets) + 1}"
        values, codes = _Sheet(name), _Sheet(name)
        row_number = 0
        for row in table.iter(f"{TABLE_NS}table-row"):
            repeat_rows = _repeat(row.get(f"{TABLE_NS}number-rows-repeated"))
            for _ in range(repeat_rows):
                row_number += 1
                column = 0
                for cell in row:
                    if cell.tag not in (f"{TABLE_NS}table-cell", f"{TABLE_NS}covered-table-cell"):
                        continue
                    repeat = _repeat(cell.get(f"{TABLE_NS}number-columns-repeated"))
                    value = _value(cell)
                    formula = cell.get(f"{TABLE_NS}formula")
                    for _ in range(repeat):
                        column += 1
                        if value is not None:
                            values._cells[(row_number, column)] = _Cell(value)
                        if formula:
                            codes._cells[(row_number, column)] = _Cell(excel_formula(formula))
                            stored[excel_formula(formula)] = formula
                        laid += 1
                    if laid > MAX_CELLS:
                        return [], {"*"}
                values.max_column = codes.max_column = max(values.max_column, column)
        values.max_row = codes.max_row = row_number
        shown.worksheets.append(values)
        formulas.worksheets.append(codes)
    book = Book(shown, formulas)
    found: dict[str, None] = {}
    unbounded: set[str] = set()
    for sheet in formulas.worksheets:
        for code in sheet._cells.values():
            candidates = book.candidates(code.value, sheet.title)
            if candidates is None:
                unbounded.add(stored[code.value])
            found.update(dict.fromkeys(candidates or []))
    return [text for text in found if text.strip()], unbounded


def _repeat(stored: str | None) -> int:
    try:
        return max(1, min(int(stored or 1), MAX_REPEAT))
    except ValueError:
        return 1


def _value(cell: Any) -> Any:
    """The value a cell saves: its number, or the text of its paragraphs."""
    kind = cell.get(f"{OFFICE_NS}value-type")
    if kind in ("float", "percentage", "currency"):
        try:
            number = float(cell.get(f"{OFFICE_NS}value") or "")
        except ValueError:
            number = None
        if number is not None and number == number and abs(number) != float("inf"):
            return int(number) if number.is_integer() else number
    text = "\n".join("".join(paragraph.itertext()) for paragraph in cell.iter(f"{TEXT_NS}p"))
    return text or cell.get(f"{OFFICE_NS}string-value")
