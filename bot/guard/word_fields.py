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


_UPPER = re.compile(r"\\\*\s*(?:upper|caps)\b", re.I)  # the `\* Upper` / `\* Caps` format switches


def field_lines(code: str) -> list[str]:
    """The texts a field's code can show: each quoted literal alone, and all of them joined (in
    capitals when the field's `\\* Upper` or `\\* Caps` switch says so)."""
    literals = [first or second for first, second in _QUOTED.findall(code)]
    literals = [literal.upper() if _UPPER.search(code) else literal for literal in literals if literal.strip()]
    if len(literals) > 1:
        return [*literals, " ".join(literals)]
    return literals


TEXT, SEPARATE_OR_END = f"{W}t", ("separate", "end")
_SYMBOL = re.compile(r"^\s*SYMBOL\s+(0x[0-9a-f]+|\d+)(.*)$", re.I | re.S)


def updated_paragraph(paragraph: Any) -> str | None:
    """The paragraph as Word shows it once its fields are updated: a QUOTE field shows its text, a
    SYMBOL field its character (`SYMBOL 7852 \\u` is «Ậ»), every other field its saved result; None
    when the paragraph has no field that updating would change. «TỐI M» + {SYMBOL 7852 \\u} + «T»
    with empty results shows «TỐI MẬT»."""
    out: list[str] = []
    stack: list[dict[str, Any]] = []  # open complex fields: code, saved result, phase
    changed = False

    def emit(text: str) -> None:
        if stack:
            if stack[-1]["phase"] == "result":
                stack[-1]["result"].append(text)
        else:
            out.append(text)

    def walk(element: Any) -> None:
        nonlocal changed
        tag = element.tag
        if tag == SIMPLE:
            saved: list[str] = []
            for text in element.iter(TEXT):
                saved.append(text.text or "")
            shown = _updated(element.get(f"{W}instr") or "", "".join(saved))
            changed = changed or shown != "".join(saved)
            emit(shown)
            return
        if tag == BEGIN:
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                stack.append({"code": [], "result": [], "phase": "code"})
            elif kind == "separate" and stack:
                stack[-1]["phase"] = "result"
            elif kind == "end" and stack:
                field = stack.pop()
                saved_text = "".join(field["result"])
                shown = _updated("".join(field["code"]), saved_text)
                changed = changed or shown != saved_text
                emit(shown)
            return
        if tag == INSTRUCTION:
            if stack and stack[-1]["phase"] == "code":
                stack[-1]["code"].append(element.text or "")
            return
        if tag == TEXT:
            emit(element.text or "")
            return
        for child in element:
            if isinstance(child.tag, str):
                walk(child)

    walk(paragraph)
    return "".join(out).strip() if changed else None


def _updated(code: str, saved: str) -> str:
    shown = _updated_text(code, saved)
    return shown.upper() if _UPPER.search(code) else shown  # `{ MERGEFIELD DoMat \* Upper }` saved «mật»


def _updated_text(code: str, saved: str) -> str:
    name = code.strip().split(" ", 1)[0].upper() if code.strip() else ""
    if name == "QUOTE":
        literals = [first or second for first, second in _QUOTED.findall(code)]
        return "".join(literals) if literals else code.strip()[5:].strip()
    symbol = _SYMBOL.match(code)
    if symbol:
        number = int(symbol.group(1), 0)
        if "\\u" in symbol.group(2).lower() or number > 255:
            return chr(number) if 0 < number < 0x110000 else saved
        return bytes([number]).decode("cp1258", errors="replace") if number else saved
    return saved
