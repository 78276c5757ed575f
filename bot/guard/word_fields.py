"""What a Word field shows once it is updated, read from its code: Word updates fields when it
prints (and on F9), so a field whose saved result is empty or harmless (`QUOTE "TỐI MẬT"`, `IF 1 = 1
"MẬT" ""`, a `w:fldSimple` with no result) shows its code's text all the same. A field's code is
never judged as a stamp itself (`HYPERLINK "…"`, `TOC \\o "1-3"` show nothing of it); its quoted
texts are each read as a line, and together, as an updated `QUOTE` would show them — of an `IF`,
only the two texts it can show, never what it compares (`IF {MERGEFIELD DoMat} = "MẬT" "…" "…"`
prints one of the last two). Fields nested in a code are updated first and their results put in
it, as Word does: `QUOTE {= 84} {SYMBOL 7888 \\u}…` and `QUOTE 84 7888 73…` (bare character codes)
show the characters. A `DOCVARIABLE` shows a document variable (`w:docVar`), read wherever it is
stored."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.guard.formulas import evaluate
from bot.guard.office_xml import W

_QUOTED = re.compile(r"\u201c([^\u201d]*)\u201d|\"([^\"]*)\"")
BEGIN, INSTRUCTION, SIMPLE = f"{W}fldChar", f"{W}instrText", f"{W}fldSimple"
TEXT = f"{W}t"
_UPPER = re.compile(r"\\\*\s*(?:upper|caps)\b", re.I)  # the `\* Upper` / `\* Caps` format switches
_SWITCH = re.compile(r'\\[*#@!a-z]\s*(?:"[^"]*"|[^\s\\"]+)?', re.I)  # `\* Upper`, `\# "0"`, `\u`, `\f "Arial"`
_SYMBOL = re.compile(r"^\s*SYMBOL\s+(0x[0-9a-f]+|\d+)(.*)$", re.I | re.S)
_CODE = re.compile(r"(?:0x[0-9a-f]+|\d+)", re.I)
# An IF field's tokens: quoted texts, comparison operators, bare words.
_TOKEN = re.compile(r'\u201c[^\u201d]*\u201d|"[^"]*"|<>|<=|>=|[=<>]|[^\s"=<>\u201c]+')
_OPERATORS = ("=", "<>", "<", ">", "<=", ">=")
_CURLY = str.maketrans("\u201c\u201d", "  ")


@dataclass
class Field:
    """One field of a paragraph: its code with the fields nested in it updated, its saved result,
    and what it shows once updated."""

    code: str
    saved: str
    shown: str


@dataclass
class _Open:
    code: list[str] = field(default_factory=list)
    result: list[str] = field(default_factory=list)
    phase: str = "code"


def paragraph_fields(paragraph: Any) -> tuple[list[Field], str | None]:
    """The fields of a paragraph (nested ones too), and the paragraph as Word shows it once its
    fields are updated — None when updating would change nothing. A QUOTE field shows its text, a
    SYMBOL field its character (`SYMBOL 7852 \\u` is «Ậ»), an `=` field its number, every other
    field its saved result: «TỐI M» + {SYMBOL 7852 \\u} + «T» with empty results shows «TỐI MẬT».
    Word splits a code over runs as it likes (`QUOTE "TỐI` + `M` + `ẬT"`): they are joined."""
    out: list[str] = []
    stack: list[_Open] = []
    found: list[Field] = []
    changed = False

    def emit(text: str, into_code: bool = False) -> None:
        if not stack:
            out.append(text)
        elif stack[-1].phase == "result":
            stack[-1].result.append(text)
        elif into_code:  # a nested field's result is part of its parent's code
            stack[-1].code.append(text)

    def close(code: str, saved: str) -> None:
        nonlocal changed
        shown = _updated(code, saved)
        found.append(Field(code, saved, shown))
        changed = changed or shown != saved
        emit(shown, into_code=True)

    def walk(element: Any) -> None:
        tag = element.tag
        if tag == SIMPLE:
            close(element.get(f"{W}instr") or "", "".join(text.text or "" for text in element.iter(TEXT)))
            return
        if tag == BEGIN:
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                stack.append(_Open())
            elif kind == "separate" and stack:
                stack[-1].phase = "result"
            elif kind == "end" and stack:
                opened = stack.pop()
                close("".join(opened.code), "".join(opened.result))
            return
        if tag == INSTRUCTION:
            if stack and stack[-1].phase == "code":
                stack[-1].code.append(element.text or "")
            return
        if tag == TEXT:
            emit(element.text or "")
            return
        for child in element:
            if isinstance(child.tag, str):
                walk(child)

    walk(paragraph)
    while stack:  # a field never closed: its code is read all the same
        opened = stack.pop()
        found.append(Field("".join(opened.code), "".join(opened.result), "".join(opened.result)))
    return found, ("".join(out).strip() if changed else None)


def field_lines(code: str) -> list[str]:
    """The texts a field's code can show: each quoted literal alone, and all of them joined (in
    capitals when the field's `\\* Upper` or `\\* Caps` switch says so); of an IF, only its two
    texts; of a QUOTE of bare character codes, the characters."""
    upper = _UPPER.search(code) is not None
    if _name(code) == "IF":
        literals = _if_texts(code)
    else:
        literals = [first or second for first, second in _QUOTED.findall(code)]
        if _name(code) == "QUOTE":
            if not literals:  # character codes, or nested fields' results put in the code
                literals = [_characters(code) or _SWITCH.sub(" ", code.strip()[5:]).strip()]
            else:  # `QUOTE "TỐI M" Ậ "T"`: a nested field's result between two texts
                bare = " ".join(_SWITCH.sub(" ", code.strip()[5:]).replace('"', " ").translate(_CURLY).split())
                literals.append(bare)
    literals = [literal.upper() if upper else literal for literal in literals if literal.strip()]
    if len(literals) > 1:
        return [*literals, " ".join(literals)]
    return literals


def _name(code: str) -> str:
    stripped = code.strip()
    return stripped.split(None, 1)[0].upper() if stripped else ""


def _if_texts(code: str) -> list[str]:
    """`IF expression operator expression "true text" "false text"`: Word shows one of the two texts,
    never the expressions it compares; without an operator, every quoted text (the cautious side)."""
    tokens = _TOKEN.findall(_SWITCH.sub(" ", code.strip()[2:]))
    operator = next((index for index, token in enumerate(tokens) if token in _OPERATORS), None)
    chosen = tokens if operator is None else tokens[operator + 2:operator + 4]
    return [token[1:-1] if token[:1] in ('"', "\u201c") else token
            for token in chosen if token[:1] in ('"', "\u201c") or operator is not None]


def _characters(code: str) -> str | None:
    """`QUOTE 84 7888 73`: a QUOTE of character codes alone shows the characters (Unicode above
    255, the Vietnamese ANSI code page below)."""
    arguments = _SWITCH.sub(" ", code.strip()[5:]).split()
    if not arguments or not all(_CODE.fullmatch(argument) for argument in arguments):
        return None
    return "".join(_character(_code(argument), unicode=False) for argument in arguments)


def _code(text: str) -> int:
    """A character code as Word writes it: decimal, leading zeros allowed (`084`), or `0x54`."""
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def _character(number: int, unicode: bool) -> str:
    if unicode or number > 255:
        return chr(number) if 0 < number < 0x110000 else ""
    return bytes([number]).decode("cp1258", errors="replace") if number else ""


def updated_field(code: str, saved: str) -> str:
    """What a field shows once updated, from its code and its saved result (RTF's fields too)."""
    return _updated(code, saved)


def _updated(code: str, saved: str) -> str:
    shown = _updated_text(code, saved)
    return shown.upper() if _UPPER.search(code) else shown  # `{ MERGEFIELD DoMat \* Upper }` saved «mật»


def _updated_text(code: str, saved: str) -> str:
    name = _name(code)
    if name == "QUOTE":
        literals = [first or second for first, second in _QUOTED.findall(code)]
        if literals:
            return "".join(literals)
        return _characters(code) or _SWITCH.sub(" ", code.strip()[5:]).strip()
    if name.startswith("="):  # `{= 80+4}`: the number it computes
        try:
            return evaluate(_SWITCH.sub(" ", code.strip()[1:]).strip())
        except ValueError:
            return saved
    symbol = _SYMBOL.match(code)
    if symbol:
        number = _code(symbol.group(1))
        shown = _character(number, unicode="\\u" in symbol.group(2).lower())
        return shown or saved
    return saved
