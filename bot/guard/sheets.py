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
_FUNCTION = re.compile(r"^(?:_xlfn\.)?(CONCATENATE|CONCAT|UPPER|LOWER|PROPER|TRIM|TEXTJOIN|CHAR|UNICHAR|REPT|"
                       r"LEFT|RIGHT|MID|SUBSTITUTE|CLEAN|T|HYPERLINK)\((.*)\)$", re.I | re.S)
_CALL = re.compile(r"^(?:_xlfn\.)?[A-Z][A-Z0-9.]*\((.*)\)$", re.I | re.S)
_ARITHMETIC = re.compile(r"[\d\s+\-*/().]+")
# A cell reference outside quoted text: it cannot be evaluated, so which cell it names changes nothing.
_REFERENCE = re.compile(r'("(?:[^"]|"")*")|\$?\b[A-Z]{1,3}\$?\d+\b(?!\()')
MAX_REPEAT = 4096  # REPT's count: beyond this the formula is not evaluated (the file is refused if unsaved)
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
    shapes_read: set[str] = set()
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
                        elif computed is None:
                            # A formula Excel may recompute (`=IF(…,"TỐI MẬT","")`, a lookup that
                            # falls back on `CHAR(84)&"ỐI MẬT"`): the texts its parts can show are
                            # read beside the saved value, whatever that value's type.
                            shape = _REFERENCE.sub(lambda found: found.group(1) or "A1", formula)
                            if shape not in shapes_read:  # a column of one formula (A2, A3…): read once
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


def partial_values(expression: str) -> list[str]:
    """What the parts of a formula that cannot be evaluated whole would show: each argument of a
    function (and each `&` piece) that is itself a string formula, as deep as they go — the
    fallback of `IFERROR(VLOOKUP(…), CHAR(84)&"ỐI MẬT")` is «TỐI MẬT» whatever was saved."""
    expression = expression.strip()
    try:
        value = evaluate(expression)
    except ValueError:
        pass
    else:
        return [value] if value.strip() and not _ARITHMETIC.fullmatch(value) else []
    pieces = _split(expression, "&")
    if len(pieces) == 1:
        call = _CALL.match(expression)
        if call is None or not _wrapped(expression[call.start(1) - 1:]):
            return []
        pieces = _split(call.group(1), ",")
    if len(pieces) == 1 and pieces[0].strip() == expression:
        return []
    return [value for piece in pieces for value in partial_values(piece)]


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


def evaluate(expression: str) -> str:
    """A string formula built of literals, numbers, `&`, CONCAT/CONCATENATE/TEXTJOIN, case and
    trimming, characters by code (CHAR, UNICHAR), REPT, LEFT/RIGHT/MID and SUBSTITUTE; anything else
    raises ValueError (the file is refused rather than passed unread)."""
    expression = expression.strip()
    if _wrapped(expression):  # `("TỐI")&" MẬT"`, `(80+4)`
        return evaluate(expression[1:-1])
    match = _FUNCTION.match(expression)
    if match and _wrapped(expression[match.start(2) - 1:]):  # one call, not `CHAR(84)&CHAR(77)`
        return _function(match.group(1).upper(), [evaluate(part) for part in _split(match.group(2), ",")])
    pieces = _split(expression, "&")
    if len(pieces) > 1:
        return "".join(evaluate(piece) for piece in pieces)
    if re.fullmatch(r"-?\d+(\.\d+)?", expression):
        return expression
    if _ARITHMETIC.fullmatch(expression) and re.search(r"\d", expression):
        return _number(_arithmetic(expression))
    if re.fullmatch(_STRING, expression):
        return expression[1:-1].replace('""', '"')
    if expression.upper() in ("TRUE", "FALSE"):
        return expression.upper()
    raise ValueError(UNKNOWN_FORMULA)


def _function(name: str, arguments: list[str]) -> str:
    if name in ("CONCAT", "CONCATENATE"):
        return "".join(arguments)
    if name == "TEXTJOIN":
        return arguments[0].join(arguments[2:]) if len(arguments) >= 3 else ""
    if name in ("CHAR", "UNICHAR") and len(arguments) == 1:
        code = _integer(arguments[0])
        if name == "CHAR":  # the ANSI code page of a Vietnamese Windows
            return bytes([code]).decode("cp1258", errors="replace") if 0 < code < 256 else "\ufffd"
        return chr(code) if 0 < code < 0x110000 else "\ufffd"
    if name == "REPT" and len(arguments) == 2:
        count = _integer(arguments[1])
        if not 0 <= count * max(len(arguments[0]), 1) <= MAX_REPEAT:
            raise ValueError(UNKNOWN_FORMULA)
        return arguments[0] * count
    if name in ("LEFT", "RIGHT") and len(arguments) in (1, 2):
        count = _integer(arguments[1]) if len(arguments) == 2 else 1
        return arguments[0][:count] if name == "LEFT" else arguments[0][len(arguments[0]) - count:] if count else ""
    if name == "MID" and len(arguments) == 3:
        start = _integer(arguments[1]) - 1
        return arguments[0][max(start, 0):max(start, 0) + _integer(arguments[2])]
    if name == "HYPERLINK" and len(arguments) in (1, 2):
        return arguments[-1]  # the friendly name, else the address
    if name == "SUBSTITUTE" and len(arguments) == 3 and arguments[1]:
        return arguments[0].replace(arguments[1], arguments[2])
    cases: dict[str, Callable[[str], str]] = {"UPPER": str.upper, "LOWER": str.lower, "PROPER": str.title,
                                              "TRIM": str.strip, "CLEAN": str.strip, "T": str}
    if name in cases and len(arguments) == 1:
        return cases[name](arguments[0])
    raise ValueError(UNKNOWN_FORMULA)


def _wrapped(expression: str) -> bool:
    """Whether the whole expression is one parenthesised group (not `(A)&(B)`)."""
    if not (expression.startswith("(") and expression.endswith(")")):
        return False
    depth, quoted = 0, False
    for index, char in enumerate(expression):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
            if depth == 0 and index < len(expression) - 1:
                return False
    return depth == 0


def _integer(text: str) -> int:
    try:
        return int(float(text))
    except ValueError:
        raise ValueError(UNKNOWN_FORMULA) from None


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _arithmetic(expression: str) -> float:
    """`80+4`, `7*11`: numbers and + - * / only, by Python's parser (no names, no calls)."""
    import ast

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = value(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if right == 0:
                raise ValueError(UNKNOWN_FORMULA)
            return left / right
        raise ValueError(UNKNOWN_FORMULA)

    if len(expression) > 200:
        raise ValueError(UNKNOWN_FORMULA)
    try:
        tree = ast.parse(expression.replace(" ", ""), mode="eval")
    except SyntaxError:
        raise ValueError(UNKNOWN_FORMULA) from None
    return value(tree.body)


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
