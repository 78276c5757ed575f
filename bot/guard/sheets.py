"""Spreadsheet cells as Excel shows them: the cached value; a string formula's value
(`="TỐI"&" MẬT"`, CONCAT, UPPER…; bot/guard/formulas.py) and what a formula that reads other cells
can show once recalculated (bot/guard/lookups.py) beside it; a formula whose value can be neither
known nor bounded and has none saved makes the file refused; a number format's literal text applied (`@" MẬT"`,
`"TỐI MẬT"`); a cell in a TCVN3/VNI font converted to Unicode; sheet headers and footers.
Each row is also read as one tab-separated line, so «Độ mật:» | «Mật» reads as a field. Other
parts (drawings, charts, comments, validation prompts, sheet names) are read by bot/guard/office.py.
"""

from __future__ import annotations

import io
import re
from typing import Any

from bot.guard import legacy
from bot.guard.formulas import UNKNOWN_FORMULA, evaluate, partial_values
from bot.guard.lookups import Book
from bot.guard.tables import column_lines

_QUOTED = re.compile(r'"([^"]*)"')
_LITERAL = re.compile(r'"((?:[^"]|"")+)"')
_CONDITION = re.compile(r"\[[<>=][^\]]*\]")
# A cell reference outside quoted text: it cannot be evaluated, so which cell it names changes nothing.
_REFERENCE = re.compile(r'("(?:[^"]|"")*")|\$?\b[A-Z]{1,3}\$?\d+\b(?!\()')


def sheet_lines(content: bytes) -> list[str]:
    import openpyxl

    try:
        shown = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(content), data_only=False) if _has_formulas(content) else None
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ValueError("the XLSX file is damaged or cannot be read; send it again") from exc
    lines: list[str] = []
    shapes_read: set[str] = set()
    candidates: dict[str, None] = {}  # what formulas reading other cells can show, judged beside them
    book = None
    for sheet in shown.worksheets:
        lines.append(sheet.title)
        for header_footer in (sheet.oddHeader, sheet.oddFooter, sheet.evenHeader, sheet.evenFooter,
                              sheet.firstHeader, sheet.firstFooter):
            for side in (header_footer.left, header_footer.center, header_footer.right):
                if side.text:  # in its own font: `&".VnTimeH,Bold"` draws TCVN3
                    lines.append(legacy.convert(side.text, legacy.font_encoding((side.font or "").split(",")[0])))
        source = formulas[sheet.title] if formulas is not None else None
        table: list[list[str]] = []
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                value: Any = cell.value
                if source is not None:
                    formula = source[cell.coordinate].value
                    formula = getattr(formula, "text", formula)  # an array formula's text
                    if isinstance(formula, str) and formula.startswith("="):
                        # Excel recalculates on opening a file another program saved: what the
                        # formula gives is shown as well as (or instead of) the saved value.
                        computed = _evaluated(formula[1:], refuse=False)
                        if computed is not None and computed != value:
                            if value is not None:
                                values.append(_formatted(value, cell.number_format))
                            value = computed
                        elif computed is None:
                            # It reads other cells: what it can show once recalculated, from them
                            # (bot/guard/lookups.py); the saved value is not trusted to be it.
                            if book is None:
                                book = Book(shown, formulas)
                            found = book.candidates(formula, sheet.title)
                            if found is not None:
                                candidates.update(dict.fromkeys(found))
                                if value is None and len(found) == 1:
                                    value = found[0]
                            elif value is None:
                                raise ValueError(UNKNOWN_FORMULA)
                            # A formula whose texts cannot be bounded (`=IF(…,"TỐI MẬT","")` beside an
                            # unknown function, a lookup that falls back on `CHAR(84)&"ỐI MẬT"`): the
                            # texts its parts can show are read beside the saved value, whatever that
                            # value's type. Bounded ones were judged by their texts above, so what they
                            # only compare or count (`COUNTIF(B:B,"Mật")`) is not read as shown.
                            shape = _REFERENCE.sub(lambda found: found.group(1) or "A1", formula)
                            if found is None and shape not in shapes_read:  # a column of one formula: once
                                shapes_read.add(shape)
                                lines.extend(match.replace('""', '"') for match in _LITERAL.findall(formula))
                                lines.extend(partial_values(shape[1:]))
                shown_text = _formatted(value, cell.number_format)
                font = cell.font.name if cell.font is not None else None
                shown_text = legacy.convert(shown_text, legacy.font_encoding(font))  # .VnTime, VNI-Times
                if shown_text:
                    values.append(shown_text)
            if values:
                lines.append("\t".join(values))
                lines.extend(values)
                table.append(values)
        lines.extend(column_lines(table))  # «Độ mật» heading a column, «A» below it
    if candidates:
        known = set(lines)  # a lookup's candidates are mostly cells already read
        lines.extend(text for text in candidates if text.strip() and text not in known)
    return lines


# Excel's header and footer codes: a font (`&"Arial,Bold"`), a size (`&14`), a colour (`&KFF0000`,
# `&K04+000`), bold/italic/underline/strike/super/subscript and fields (page, date, file, sheet…).
_HEADER_CODE = re.compile(r'&"[^"]*"|&\d+|&K(?:[0-9A-Fa-f]{6}|\d\d[+-]\d{3})|&[BIUESXYDTPNZFAGH]', re.S)
_SECTION = re.compile(r"&[LCR]")


def header_footer_lines(stored: str) -> list[str]:
    """A header or footer as Excel prints it: each section (`&L`, `&C`, `&R`) without its
    formatting codes, so «&B&14TỐI &IMẬT» reads «TỐI MẬT» (a code between two letters joins them);
    a TCVN3/VNI font named by a code converts what follows it."""
    lines = []
    for section in _SECTION.split(stored):
        encoding = None
        shown: list[str] = []
        position = 0
        for code in _HEADER_CODE.finditer(section):
            shown.append(legacy.convert(section[position:code.start()], encoding))
            position = code.end()
            if code.group().startswith('&"'):
                encoding = legacy.font_encoding(code.group()[2:-1].split(",")[0])
        shown.append(legacy.convert(section[position:], encoding))
        text = "".join(shown).replace("&&", "&").strip()
        if text:
            lines.append(text)
    return lines


def _has_formulas(content: bytes) -> bool:
    """A second, slower load for formulas only when some part has one (`<f>` or `<x:f>`)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return any(re.search(rb"<(?:\w+:)?f[ >/]", archive.read(name)) for name in archive.namelist()
                   if not name.endswith("/"))  # a sheet may be named anything, `.bin` included


def _evaluated(expression: str, refuse: bool) -> str | None:
    """A formula's value when it is a simple string formula; otherwise refused (ValueError) when no
    value is saved, or None: the saved value is what Excel shows."""
    try:
        return evaluate(expression)
    except ValueError:
        if refuse:
            raise
        return None


def _formatted(value: Any, number_format: str | None) -> str:
    """The value as its number format shows it: a format's quoted or escaped literals are shown
    text, in the section the value falls in (positive; negative; zero; text) — every section when
    sections carry conditions (`[>1]"…";0`)."""
    if value is None:
        return ""  # Excel shows nothing in an empty cell, whatever its format
    text = str(value)
    if not number_format or not any(mark in number_format for mark in ('"', "@", "\\")):
        return text
    sections = number_format.split(";")
    if _CONDITION.search(number_format):
        return " ".join(_formatted(value, _CONDITION.sub("", section)) for section in sections if section)
    if isinstance(value, str):
        index = 3 if len(sections) >= 4 else 0
    elif isinstance(value, (int, float)) and value < 0 and len(sections) >= 2:
        index = 1
    elif isinstance(value, (int, float)) and value == 0 and len(sections) >= 3:
        index = 2
    else:
        index = 0
    section = sections[index]
    if isinstance(value, str) and "@" not in section and number_format.count(";") < 3:
        return text  # a number format does not apply to text
    literal = _QUOTED.sub(lambda m: m.group(1), section).replace("\\", "")
    literal = re.sub(r"\[[^\]]*\]", "", literal)
    if "@" in literal:
        return literal.replace("@", text)
    quoted = " ".join(_QUOTED.findall(section))
    escaped = "".join(re.findall(r"\\(.)", _QUOTED.sub("", section)))  # \T\Ố\I shows «TỐI»
    return " ".join(part for part in (text, quoted, escaped) if part)


def opendocument_formula_texts(formula: str) -> list[str]:
    """An OpenDocument cell's formula (`of:=CONCAT(CHAR(84);"ỐI MẬT")`, references `[.A1]`): what it
    and its parts would show once recalculated, read beside the value saved in the file (LibreOffice
    recalculates files another program saved)."""
    expression = re.sub(r"^(?:[a-z]+:)?=", "", formula.strip())
    expression = "".join(piece if index % 2 else piece.replace(";", ",")
                         for index, piece in enumerate(re.split(r'("(?:[^"]|"")*")', expression)))
    expression = re.sub(r"\[[^\]\"]*\]", "A1", expression)  # a reference cannot be evaluated
    texts = [match.replace('""', '"') for match in _LITERAL.findall(expression)]
    return texts + partial_values(expression)
