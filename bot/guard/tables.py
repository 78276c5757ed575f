"""A table read down its columns: a cell under a heading is that heading's value.

A register of documents shows «Độ mật» at the head of a column and «A» or «Tối mật» in the rows
below: a classification field laid out as a table, which a row read across («12 | Kế hoạch | A»)
does not show. Each cell is read with its column's heading as `heading<TAB>value`, the layout of a
field the rules know — for headings that could name a classification field (their letters, folded,
hold `mat` or `class`: every field of the policy, disguised or not), so a spreadsheet's other
columns cost nothing. Headings and values longer than a field's are skipped (a column of paragraphs
is no field), and so is any table beyond `MAX_LINES` lines. Pure.
"""

from __future__ import annotations

import unicodedata

MAX_CELL = 40  # characters: a heading or a value longer than this is prose, not a field
MAX_LINES = 20_000  # column lines per document
HEADING_ROWS = 4  # rows looked at for the headings: a title row or two may stand above them
FIELD_LETTERS = ("mat", "class")  # in «Độ mật», «Mức độ mật», «Classification»… once folded


def _may_name_a_field(heading: str) -> bool:
    folded = "".join(c for c in unicodedata.normalize("NFKD", heading.casefold()) if c.isalnum())
    return any(letters in folded.replace("đ", "d") for letters in FIELD_LETTERS)


def may_hold_a_field(rows: list[list[str]]) -> bool:
    """Whether the top rows hold a heading that could name a field: a table without one is not read
    down its columns (and its cells need not be read twice)."""
    return any(_may_name_a_field(cell) for row in rows for cell in row)


def column_lines(rows: list[list[str]]) -> list[str]:
    """`heading<TAB>value` for each short cell under a short heading (in the first rows with text)."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    # The heading row is the first, or one under a title row or two (a register's name above it).
    first = next((index for index, row in enumerate(rows[:HEADING_ROWS]) if any(map(_may_name_a_field, row))), None)
    if first is None or first + 1 >= len(rows):
        return []
    headings = [" ".join(cell.split()) if _may_name_a_field(cell) else "" for cell in rows[first]]
    lines: list[str] = []
    for row in rows[first + 1:]:
        for heading, cell in zip(headings, row, strict=False):
            value = " ".join(cell.split())
            if heading and value and len(heading) <= MAX_CELL and len(value) <= MAX_CELL:
                lines.append(f"{heading}\t{value}")
                if len(lines) >= MAX_LINES:
                    return lines
    return lines
