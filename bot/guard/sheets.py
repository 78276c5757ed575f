"""Spreadsheet cells as Excel shows them: the cached value; for a formula without one, its value
when it is a simple string formula (`="TỐI"&" MẬT"`, CONCAT, UPPER…), else the file is refused
(what Excel would show cannot be known); a number format's literal text applied (`@" MẬT"`,
`"TỐI MẬT"`); a cell in a TCVN3/VNI font converted to Unicode; sheet headers and footers.
Each row is also read as one tab-separated line, so «Độ mật:» | «Mật» reads as a field. Other
parts (drawings, charts, comments, validation prompts, sheet names) are read by bot/guard/office.py.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from bot.guard import legacy
from bot.guard.tables import column_lines

_QUOTED = re.compile(r'"([^"]*)"')
_LITERAL = re.compile(r'"((?:[^"]|"")+)"')
_CONDITION = re.compile(r"\[[<>=][^\]]*\]")
_STRING = r'"(?:[^"]|"")*"'
_FUNCTION = re.compile(r"^(CONCATENATE|CONCAT|UPPER|LOWER|PROPER|TRIM|TEXTJOIN|_xlfn\.CONCAT|_xlfn\.TEXTJOIN)\((.*)\)$",
                       re.I | re.S)
UNKNOWN_FORMULA = ("the spreadsheet has formulas whose results are not saved in the file, so what Excel "
                   "shows cannot be checked; open it in Excel, save it and send it again")


def sheet_lines(content: bytes) -> list[str]:
    import openpyxl

    try:
        shown = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(content), data_only=False) if _has_formulas(content) else None
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ValueError("the XLSX file is damaged or cannot be read; send it again") from exc
    lines: list[str] = []
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
                    if isinstance(formula, str) and formula.startswith("="):
                        # Excel recalculates on opening a file another program saved: what the
                        # formula gives is shown as well as (or instead of) the saved value.
                        computed = _evaluated(formula[1:], refuse=value is None)
                        if computed is not None and computed != value:
                            if value is not None:
                                values.append(_formatted(value, cell.number_format))
                            value = computed
                        elif computed is None and isinstance(value, str):
                            # A text formula Excel may recompute (`=IF(…,"TỐI MẬT","")`): the
                            # texts it can show are read beside the saved one.
                            lines.extend(match.replace('""', '"') for match in _LITERAL.findall(formula))
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


def evaluate(expression: str) -> str:
    """A string formula built of literals, `&`, CONCAT/CONCATENATE/UPPER/LOWER/PROPER/TRIM; anything
    else raises ValueError (the file is refused rather than passed unread)."""
    expression = expression.strip()
    match = _FUNCTION.match(expression)
    if match:
        name = match.group(1).upper().removeprefix("_XLFN.")
        arguments = [evaluate(part) for part in _split(match.group(2), ",")]
        if name in ("CONCAT", "CONCATENATE"):
            return "".join(arguments)
        if name == "TEXTJOIN":
            return arguments[0].join(arguments[2:]) if len(arguments) >= 3 else ""
        if len(arguments) != 1:
            raise ValueError(UNKNOWN_FORMULA)
        cases: dict[str, Callable[[str], str]] = {"UPPER": str.upper, "LOWER": str.lower, "PROPER": str.title,
                                                  "TRIM": str.strip}
        return cases[name](arguments[0])
    pieces = _split(expression, "&")
    if len(pieces) > 1:
        return "".join(evaluate(piece) for piece in pieces)
    if re.fullmatch(_STRING, expression):
        return expression[1:-1].replace('""', '"')
    if re.fullmatch(r"-?\d+(\.\d+)?", expression):
        return expression
    if expression.upper() in ("TRUE", "FALSE"):
        return expression.upper()
    raise ValueError(UNKNOWN_FORMULA)


def _split(text: str, separator: str) -> list[str]:
    """Split at `separator` outside quotes and parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        if char == separator and not quoted and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts
