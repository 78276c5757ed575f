"""Excel formulas evaluated where their value can be known without the workbook: string formulas
of literals, numbers, `&`, CONCAT, case, characters by code, REPT, pieces and SUBSTITUTE, and the
parts of any formula that are such (an IF's branch, a lookup's fallback). Shared by the XLSX and
OpenDocument readers (bot/guard/sheets.py) and by the reader of formulas that follow references
(bot/guard/lookups.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

_STRING = r'"(?:[^"]|"")*"'
_FUNCTION = re.compile(r"^(?:_xlfn\.)?(CONCATENATE|CONCAT|UPPER|LOWER|PROPER|TRIM|TEXTJOIN|CHAR|UNICHAR|REPT|"
                       r"LEFT|RIGHT|MID|SUBSTITUTE|CLEAN|T|HYPERLINK)\((.*)\)$", re.I | re.S)
_CALL = re.compile(r"^(?:_xlfn\.)?[A-Z][A-Z0-9.]*\((.*)\)$", re.I | re.S)
_ARITHMETIC = re.compile(r"[\d\s+\-*/().]+")
MAX_REPEAT = 4096  # REPT's count: beyond this the formula is not evaluated (the file is refused if unsaved)
UNKNOWN_FORMULA = ("the spreadsheet has formulas whose results are not saved in the file, so what Excel "
                   "shows cannot be checked; open it in Excel, save it and send it again")


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
