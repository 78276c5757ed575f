"""What a Word field shows once it is updated, read from its code: Word updates fields when it
prints (and on F9), so a field whose saved result is empty or harmless (`QUOTE "TỐI MẬT"`, `IF 1 = 1
"MẬT" ""`, a `w:fldSimple` with no result) shows its code's text all the same. A field's code is
never judged as a stamp itself (`HYPERLINK "…"`, `TOC \\o "1-3"` show nothing of it); its quoted
texts are each read as a line, and together, as an updated `QUOTE` or `IF` would show them.
A `DOCVARIABLE` shows a document variable (`w:docVar`), read wherever it is stored."""

from __future__ import annotations

import re
from typing import Any

from bot.guard.office_xml import W

_QUOTED = re.compile(r"\u201c([^\u201d]*)\u201d|\"([^\"]*)\"")
BEGIN, INSTRUCTION, SIMPLE = f"{W}fldChar", f"{W}instrText", f"{W}fldSimple"


def field_codes(paragraph: Any) -> list[str]:
    """The codes of the fields in a paragraph, a code split over several runs joined (Word splits
    them as it likes: `QUOTE "TỐI` + `M` + `ẬT"`)."""
    codes: list[str] = []
    current: str | None = None
    for element in paragraph.iter(BEGIN, INSTRUCTION, SIMPLE):
        if element.tag == SIMPLE:
            codes.append(element.get(f"{W}instr") or "")
        elif element.tag == BEGIN:
            if element.get(f"{W}fldCharType") == "begin":
                if current:
                    codes.append(current)
                current = ""
        else:
            current = (current or "") + (element.text or "")
    if current:
        codes.append(current)
    return codes


def field_lines(code: str) -> list[str]:
    """The texts a field's code can show: each quoted literal alone, and all of them joined."""
    literals = [first or second for first, second in _QUOTED.findall(code)]
    literals = [literal for literal in literals if literal.strip()]
    if len(literals) > 1:
        return [*literals, " ".join(literals)]
    return literals
