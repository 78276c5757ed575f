"""What a formula that reads other cells can show once Excel recalculates it: its saved value may
say «Thường» while `UPPER(VLOOKUP("k1",Bảng,2,0))`, `B1&B2` or `UNICHAR(A1)&…` gives «TỐI MẬT»
from the cells it reads. References are followed (other sheets, defined names, whole columns,
formulas in the cells they name, INDIRECT's text); a lookup is worked out where its key and table
are known, else every text it can return is a candidate (a lookup column, CHOOSE's and IF's
branches, IFERROR's fallback). Each candidate is judged beside the saved value, which is never
trusted to be what Excel shows. Where the candidates cannot be bounded (unknown functions, too
many combinations) the answer is None, and the caller keeps to the saved value and the formula's
evaluable parts (bot/guard/sheets.py)."""

from __future__ import annotations

import re
from typing import Any

from bot.guard.formulas import _function, _integer, _split, _wrapped, evaluate

MAX_CANDIDATES = 256  # texts one formula may give; beyond, the caller reads its parts instead
MAX_RANGE_CELLS = 20_000  # a lookup table larger than this is not enumerated
MAX_DEPTH = 8  # formulas reading formulas reading formulas…
MAX_FORMULAS = 20_000  # formulas worked out per workbook: a sheet of more keeps to their parts

_CALL = re.compile(r"^(?:_xlfn\.|_xlws\.|__xludf\.)?([A-Z][A-Z0-9.]*)\((.*)\)$", re.I | re.S)
_STRING = re.compile(r'^"((?:[^"]|"")*)"$', re.S)
_SIMPLE_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_SHEET = r"(?:(?:'((?:[^']|'')+)'|([^\s!'\"(),&:=<>+*/^-]+))!)?"
_RANGE = re.compile(rf"^{_SHEET}\$?([A-Z]{{1,3}})?\$?(\d+)?(?::\$?([A-Z]{{1,3}})?\$?(\d+)?)?$", re.I)
# A single-cell reference inside arithmetic (`A1+0`), outside quoted text.
_CELL_IN_TEXT = re.compile(r'("(?:[^"]|"")*")|((?:\'[^\']+\'|[A-Za-z0-9_.]+)!)?\$?\b([A-Z]{1,3})\$?(\d+)\b(?!\()')
STRINGS = {"CONCATENATE", "CONCAT", "UPPER", "LOWER", "PROPER", "TRIM", "TEXTJOIN", "CHAR", "UNICHAR", "REPT",
           "LEFT", "RIGHT", "MID", "SUBSTITUTE", "CLEAN", "T", "HYPERLINK"}
# Functions that give a number or a truth value, never a text they are given: their criteria and
# the values they compare (`COUNTIF(B:B,"Mật")`) are not shown; the saved number is.
NUMBERS = {"COUNT", "COUNTA", "COUNTBLANK", "COUNTIF", "COUNTIFS", "SUM", "SUMIF", "SUMIFS", "SUMPRODUCT",
           "AVERAGE", "AVERAGEIF", "AVERAGEIFS", "MIN", "MAX", "MINIFS", "MAXIFS", "MATCH", "XMATCH", "LEN", "ROW",
           "ROWS", "COLUMN", "COLUMNS", "ISNUMBER", "ISTEXT", "ISBLANK", "ISERROR", "ISNA", "AND", "OR", "NOT",
           "XOR", "EXACT", "SEARCH", "FIND", "RANK", "ROUND", "ABS", "INT", "VALUE", "NETWORKDAYS", "DATEDIF"}
BRANCHES = {"IF": lambda n: range(1, n), "IFERROR": lambda n: range(n), "IFNA": lambda n: range(n),
            "IFS": lambda n: range(1, n, 2), "CHOOSE": lambda n: range(1, n)}


class TooMany(Exception):
    """More candidates than can be judged: the formula is read by its parts instead."""


def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class Book:
    """A workbook's saved values and formulas, for following references."""

    def __init__(self, shown: Any, formulas: Any) -> None:
        self.shown = {sheet.title.lower(): sheet for sheet in shown.worksheets}
        self.formulas = {sheet.title.lower(): sheet for sheet in formulas.worksheets} if formulas else {}
        self.names: dict[str, str] = {}
        try:
            for name, defined in shown.defined_names.items():
                if defined.attr_text:
                    self.names[name.lower()] = defined.attr_text
        except AttributeError:  # an older openpyxl's list of names: they are not followed
            pass
        self.worked = 0
        self._busy: set[tuple[str, int, int]] = set()
        # A column of lookups reads one table: its cells, its keys and its texts are found once.
        self._ranges: dict[tuple[str, str], list[list[tuple[str, int, int]]] | None] = {}
        self._keys: dict[tuple[str, str, bool], dict[str, int]] = {}
        self._columns: dict[tuple[str, str, bool, int | None], list[str]] = {}
        self._bounds: dict[str, tuple[int, int]] = {}  # openpyxl counts a sheet's extent at each ask

    def candidates(self, formula: str, sheet: str) -> list[str] | None:
        """The texts the formula (`=…`) in `sheet` can show, or None when they cannot be bounded."""
        self.worked += 1
        if self.worked > MAX_FORMULAS:
            return None
        try:
            found = self._expression(formula.lstrip("=").strip(), sheet.lower(), 0)
        except (TooMany, ValueError, RecursionError, IndexError, KeyError, TypeError, ArithmeticError):
            return None  # a formula Excel itself would not take (`VLOOKUP(1,A1,-1)`): read by its parts
        return found

    # -- expressions ---------------------------------------------------------------------------

    def _expression(self, expression: str, sheet: str, depth: int) -> list[str]:
        expression = expression.strip()
        if depth > MAX_DEPTH:
            raise TooMany
        while _wrapped(expression):
            expression = expression[1:-1].strip()
        if (simple := _SIMPLE_CELL.match(expression)) is not None and sheet in self.shown:  # most of them
            return self._cell(sheet, int(simple.group(2)), _column(simple.group(1)), depth + 1)
        pieces = _split(expression, "&")
        if len(pieces) > 1:
            return _product([self._expression(piece, sheet, depth + 1) for piece in pieces], "".join)
        if len(_split_comparison(expression)) > 1:  # `B2="TỐI MẬT"` shows TRUE or FALSE
            return ["TRUE", "FALSE"]
        call = _CALL.match(expression)
        if call and _wrapped(expression[call.start(2) - 1:]):
            return self._call(call.group(1).upper(), _split(call.group(2), ","), sheet, depth + 1)
        if (string := _STRING.match(expression)) is not None:
            return [string.group(1).replace('""', '"')]
        if _NUMBER.match(expression) or expression.upper() in ("TRUE", "FALSE"):
            return [expression.upper()]
        cells = self._range(expression, sheet)
        if cells is not None:
            if len(cells) != 1 or len(cells[0]) != 1:
                raise ValueError("a range where one value is shown")
            return self._cell(*cells[0][0], depth + 1)
        return [self._arithmetic(expression, sheet, depth)]

    def _arithmetic(self, expression: str, sheet: str, depth: int) -> str:
        """`A1+0`, `B2*1`: each cell's one value put in, then evaluated."""
        def value(found: re.Match[str]) -> str:
            if found.group(1):
                return found.group(1)
            named = (found.group(2) or "") + found.group(3) + found.group(4)
            cells = self._range(named.replace("$", ""), sheet)
            shown = self._cell(*cells[0][0], depth + 1) if cells else []
            if len(shown) != 1 or not _NUMBER.match(shown[0]):
                raise ValueError("not one number")
            return shown[0]

        return evaluate(_CELL_IN_TEXT.sub(value, expression))

    def _call(self, name: str, arguments: list[str], sheet: str, depth: int) -> list[str]:
        name = name.removeprefix("_XLFN.").removeprefix("_XLWS.")
        if name in NUMBERS:
            return []  # a number: what was saved shows
        if name == "DUMMYFUNCTION" and len(arguments) == 1:
            # Google Sheets writes a function Excel lacks as IFERROR(__xludf.DUMMYFUNCTION("…"), saved):
            # Google Sheets (where the file comes from) shows what the quoted formula gives.
            return _union(self._expression(formula, sheet, depth) for formula in
                          self._expression(arguments[0], sheet, depth))
        if name in BRANCHES:
            if name == "CHOOSE" and (index := self._known_integer(arguments[0], sheet, depth)) is not None:
                return self._expression(arguments[index], sheet, depth) if 0 < index < len(arguments) else []
            return _union(self._expression(arguments[i], sheet, depth) for i in BRANCHES[name](len(arguments)))
        if name == "SWITCH":
            chosen = [*range(2, len(arguments), 2)] + ([len(arguments) - 1] if len(arguments) % 2 == 0 else [])
            return _union(self._expression(arguments[i], sheet, depth) for i in chosen)
        if name in ("VLOOKUP", "HLOOKUP") and len(arguments) >= 3:
            return self._lookup(name == "VLOOKUP", arguments, sheet, depth)
        if name == "XLOOKUP" and len(arguments) >= 3:
            key = self._known(arguments[0], sheet, depth)
            keys, results = self._range(arguments[1], sheet), self._range(arguments[2], sheet)
            if keys is None or results is None:
                raise ValueError("not a range")
            flat_keys, flat_results = _flat(keys), _flat(results)
            if key is not None and len(flat_keys) == len(flat_results):
                for position, coordinates in enumerate(flat_keys):
                    if self._saved(*coordinates).casefold() == key.casefold():
                        return self._value(flat_results[position], depth)
            fallback = self._expression(arguments[3], sheet, depth) if len(arguments) > 3 else []
            return _union([*(self._value(cell, depth) for cell in flat_results), fallback])
        if name == "LOOKUP" and len(arguments) >= 2:
            cells = self._range(arguments[-1], sheet)
            if cells is None:
                raise ValueError("not a range")
            return _union(self._value(cell, depth) for cell in _flat(cells))
        if name == "INDEX" and len(arguments) >= 2:
            cells = self._range(arguments[0], sheet)
            if cells is None:
                raise ValueError("not a range")
            row = self._known_integer(arguments[1], sheet, depth)
            column = self._known_integer(arguments[2], sheet, depth) if len(arguments) > 2 else None
            if len(cells) == 1 and len(arguments) == 2:  # one row: the number is a column
                row, column = 1, row
            picked = [cells[row - 1]] if row and 0 < row <= len(cells) else cells
            chosen = [one[column - 1] for one in picked if 0 < column <= len(one)] if column else _flat(picked)
            return _union(self._value(cell, depth) for cell in chosen)
        if name == "INDIRECT" and arguments:
            texts = self._expression(arguments[0], sheet, depth)
            found: list[list[str]] = []
            for text in texts:
                cells = self._range(text, sheet)
                if cells is None:
                    raise ValueError("not a reference")
                found.extend(self._value(cell, depth) for cell in _flat(cells))
            return _union(found)
        if name == "OFFSET" and len(arguments) >= 3:
            cells = self._range(arguments[0], sheet)
            down, across = (self._known_integer(argument, sheet, depth) for argument in arguments[1:3])
            if cells is None or down is None or across is None:
                raise ValueError("an offset not known")
            target, top, left = cells[0][0]
            return self._cell(target, top + down, left + across, depth)
        if name in ("CONCAT", "TEXTJOIN"):  # a range gives each of its cells, in order
            values: list[list[str]] = []
            for argument in arguments:
                cells = self._range(argument, sheet)
                if cells is not None and len(_flat(cells)) > 1:
                    values.extend(self._value(cell, depth) for cell in _flat(cells))
                else:
                    values.append(self._expression(argument, sheet, depth))
            return _product(values, lambda parts: _function(name, list(parts)))
        if name in STRINGS:
            values = [self._expression(argument, sheet, depth) for argument in arguments]
            return _product(values, lambda parts: _function(name, list(parts)))
        raise ValueError(f"{name} is not followed")

    def _lookup(self, vertical: bool, arguments: list[str], sheet: str, depth: int) -> list[str]:
        cells = self._range(arguments[1], sheet)
        index = self._known_integer(arguments[2], sheet, depth)
        if cells is None or (index is not None and index < 1):
            raise ValueError("not a range, or no column of it")
        lines = cells if vertical else [list(column) for column in zip(*cells, strict=False)]
        exact = len(arguments) > 3 and arguments[3].strip().upper() in ("0", "FALSE")
        key = self._known(arguments[0], sheet, depth) if exact and index else None
        table = (sheet, arguments[1].strip(), vertical)
        if key is not None and index:
            keys = self._keys.get(table)
            if keys is None:
                keys = {}
                for position, line in enumerate(lines):
                    if line:
                        keys.setdefault(self._saved(*line[0]).casefold(), position)
                self._keys[table] = keys
            found = keys.get(key.casefold())
            if found is None:
                return []  # #N/A: IFERROR's fallback shows
            line = lines[found]
            return self._value(line[index - 1], depth) if index <= len(line) else []
        column = self._columns.get((*table, index))
        if column is None:
            chosen = [line[index - 1] for line in lines if index and index <= len(line)] if index else _flat(lines)
            column = _union(self._value(cell, depth) for cell in chosen)
            self._columns[(*table, index)] = column
        return column

    def _known(self, argument: str, sheet: str, depth: int) -> str | None:
        try:
            found = self._expression(argument, sheet, depth)
        except (ValueError, TooMany):
            return None
        return found[0] if len(found) == 1 else None

    def _known_integer(self, argument: str, sheet: str, depth: int) -> int | None:
        known = self._known(argument, sheet, depth)
        try:
            return _integer(known) if known is not None else None
        except ValueError:
            return None

    # -- cells -------------------------------------------------------------------------------

    def _range(self, text: str, sheet: str) -> list[list[tuple[str, int, int]]] | None:
        """The cells a reference names, row by row (a defined name followed), or None."""
        text = text.strip()
        if (text, sheet) not in self._ranges:
            self._ranges[(text, sheet)] = self._cells_named(text, sheet)
        return self._ranges[(text, sheet)]

    def _cells_named(self, text: str, sheet: str) -> list[list[tuple[str, int, int]]] | None:
        named_range = self.names.get(text.lower())
        if named_range is not None and named_range.lower() != text.lower():
            return self._range(named_range, sheet)
        match = _RANGE.match(text)
        if match is None:
            return None
        quoted, plain, first_column, first_row, last_column, last_row = match.groups()
        if ":" not in text and not (first_column and first_row):
            return None  # `2`, `AB`: a number or a word, not a cell
        named = (quoted or "").replace("''", "'") or plain
        target = named.lower() if named else sheet
        worksheet = self.shown.get(target)
        if worksheet is None:
            raise ValueError("a sheet not in the workbook")
        if (":" in text and not (last_column or last_row)) or not (first_column or first_row):
            return None
        if target not in self._bounds:
            self._bounds[target] = (worksheet.max_row, worksheet.max_column)
        max_row, max_column = self._bounds[target]
        top = int(first_row) if first_row else 1
        bottom = int(last_row) if last_row else (top if first_row and ":" not in text else max_row)
        left = _column(first_column) if first_column else 1
        right = _column(last_column) if last_column else (left if first_column and ":" not in text else max_column)
        bottom, right = min(bottom, max(max_row, top)), min(right, max(max_column, left))
        if (bottom - top + 1) * (right - left + 1) > MAX_RANGE_CELLS:
            raise TooMany
        return [[(target, row, column) for column in range(left, right + 1)] for row in range(top, bottom + 1)]

    def _value(self, cell: tuple[str, int, int], depth: int) -> list[str]:
        return self._cell(cell[0], cell[1], cell[2], depth)

    def _saved(self, sheet: str, row: int, column: int) -> str:
        cell = self.shown[sheet]._cells.get((row, column))  # never creates a cell
        value = cell.value if cell is not None else None
        return "" if value is None else str(value)

    def _cell(self, sheet: str, row: int, column: int, depth: int) -> list[str]:
        """What a cell can show: its formula's candidates (when it has one) and its saved value."""
        saved = self._saved(sheet, row, column)
        source = self.formulas.get(sheet)
        cell = source._cells.get((row, column)) if source is not None else None
        formula = getattr(cell.value, "text", cell.value) if cell is not None else None
        if not isinstance(formula, str) or not formula.startswith("=") or (sheet, row, column) in self._busy:
            return [saved]
        self._busy.add((sheet, row, column))
        try:
            return _union([self._expression(formula[1:], sheet, depth + 1), [saved]])
        finally:
            self._busy.discard((sheet, row, column))


def _split_comparison(expression: str) -> list[str]:
    """The sides of a comparison outside quotes and parentheses (`A1="x"`), else the expression."""
    pieces, start, depth, quoted = [], 0, 0, False
    for index, character in enumerate(expression):
        if character == '"':
            quoted = not quoted
        elif not quoted and character in "()":
            depth += 1 if character == "(" else -1
        elif not quoted and depth == 0 and character in "=<>" and index > start:
            pieces.append(expression[start:index])
            start = index + 1
    return [*pieces, expression[start:]] if pieces else [expression]


def _flat(cells: list[list[tuple[str, int, int]]]) -> list[tuple[str, int, int]]:
    return [cell for row in cells for cell in row]


def _union(groups: Any) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for text in group:
            seen[text] = None
            if len(seen) > MAX_CANDIDATES:
                raise TooMany
    return list(seen)


def _product(groups: list[list[str]], combine: Any) -> list[str]:
    total = 1
    for group in groups:
        total *= max(len(group), 1)
        if total > MAX_CANDIDATES:
            raise TooMany
    results: list[list[str]] = [[]]
    for group in groups:
        results = [[*partial, text] for partial in results for text in (group or [""])]
    return _union([[combine(parts)] for parts in results])
