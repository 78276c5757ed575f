"""Other ways of reading a text: as it is displayed, without its markup, and read down a column.

A marking can be hidden from a plain reading of the characters yet be plain to whoever looks at
the message: letters typed backwards under a right-to-left override (U+202E) show in the right
order, and markup (`TỐI M<b></b>ẬT`, `M&#7852;T`, a Markdown link `[MẬT](…)`) disappears when
rendered. Each view gives the text a reader sees; the guard judges every view and keeps the
strictest verdict, so a disguise never lowers the level. A word written one letter per line
(M⏎Ậ⏎T) is read down the column as a reader does. Each returns None when it would change nothing,
which for ordinary messages is decided by a few substring tests.
"""

from __future__ import annotations

import html
import re
import unicodedata

from bot.guard.normalise import REGIONAL_INDICATORS, Skeleton

# -- the displayed order ---------------------------------------------------------------------------

RLO = "\u202e"
_PUSH = {"\u202a": ("L", False, False), "\u202b": ("R", False, False), "\u202d": ("L", True, False),
         "\u202e": ("R", True, False), "\u2066": ("L", False, True), "\u2067": ("R", False, True),
         "\u2068": ("L", False, True)}  # direction, overriding, isolate (FSI taken as left-to-right)
_PDF, _PDI = "\u202c", "\u2069"
_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))
_STRONG_RTL = frozenset(("R", "AL"))
LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"  # every line separator Unicode knows
_LINE_BREAK = re.compile(f"([{LINE_BREAKS}])")


def displayed(text: str) -> str | None:
    """The text in the order it is displayed, bidi controls removed; None if nothing is overridden
    to run right to left (only an override reverses Latin letters)."""
    if RLO not in text:
        return None
    # An override ends with its paragraph: only the lines that hold one are reordered.
    # Split on every line separator, kept, so the text keeps its length and its breaks.
    parts = _LINE_BREAK.split(text)
    return "".join(_display_line(part) if RLO in part else part for part in parts)


def _display_line(line: str) -> str:
    # Explicit levels (UAX #9, X1-X8) with the implicit rules reduced to what matters here: a letter
    # under an override takes its direction, any other character keeps its own (right-to-left
    # letters are odd, everything else even). Then rule L2: from the highest level down to the
    # lowest odd one, every run at that level or above is reversed.
    stack: list[tuple[int, str | None, bool]] = [(0, None, False)]
    clusters: list[tuple[int, str]] = []  # (level, base character and the marks that follow it)
    for char in line:
        if char in _PUSH:
            direction, overriding, isolate = _PUSH[char]
            level = stack[-1][0]
            level = level + (1 if (level % 2 == 0) == (direction == "R") else 2)
            stack.append((level, direction if overriding else None, isolate))
            continue
        if char == _PDF:
            if len(stack) > 1 and not stack[-1][2]:
                stack.pop()
            continue
        if char == _PDI:
            while len(stack) > 1 and not stack.pop()[2]:
                pass
            continue
        if clusters and unicodedata.combining(char):
            level, cluster = clusters[-1]
            clusters[-1] = (level, cluster + char)
            continue
        level, override, _ = stack[-1]
        rtl = override == "R" if override else unicodedata.bidirectional(char) in _STRONG_RTL
        if rtl != (level % 2 == 1):
            level += 1
        clusters.append((level, char))
    if not any(level % 2 for level, _ in clusters):
        return "".join(cluster for _, cluster in clusters)
    top = max(level for level, _ in clusters)
    lowest_odd = min(level for level, _ in clusters if level % 2)
    order = list(range(len(clusters)))
    for floor in range(top, lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if clusters[order[index]][0] < floor:
                index += 1
                continue
            end = index
            while end < len(order) and clusters[order[end]][0] >= floor:
                end += 1
            order[index:end] = reversed(order[index:end])
            index = end
    shown = []
    for position in order:
        level, cluster = clusters[position]
        if level % 2 and cluster[0] in _MIRROR:
            cluster = _MIRROR[cluster[0]] + cluster[1:]
        shown.append(cluster)
    return "".join(shown)


# -- without markup --------------------------------------------------------------------------------

# Tags that start a new line when rendered; any other tag vanishes and joins what it split.
_BLOCK_TAGS = frozenset([
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr",
    "ul"])
_COMMENT = re.compile(r"<!--.*?(?:-->|$)|<!\[CDATA\[|\]\]>", re.DOTALL)
_TAG = re.compile(r"</?([A-Za-z][^\s/<>]{0,40})(?:[\s/][^<>]{0,2000})?>")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]\n]{0,300})\]\([^)\n]{0,2000}\)")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")


def may_hold_markup(text: str) -> bool:
    return "<" in text or "&" in text or ("]" in text and "](" in text)


def without_markup(text: str) -> str | None:
    """The text with HTML/XML tags, comments, entities and Markdown links rendered away; None if
    there are none."""
    if not may_hold_markup(text):
        return None
    plain = _COMMENT.sub("", text)
    plain = _TAG.sub(_tag_replacement, plain)
    plain = _MARKDOWN_LINK.sub(r"\1", plain)
    if "&" in plain:
        plain = _ENTITY.sub(lambda m: html.unescape(m.group()), plain)
    return None if plain == text else plain


def _tag_replacement(match: re.Match[str]) -> str:
    return "\n" if match.group(1).lower() in _BLOCK_TAGS else ""


# -- read down a column ----------------------------------------------------------------------------

_HAS_WORD = re.compile(r"[^\W_]")
_NUMBER = re.compile(r"[^\w\n]*(\d{1,2}[.)]|[a-z]\))")
# A line of one letter, with punctuation round it, or after a list's number (`1. M`, `b) Ậ`).
_LETTER_LINE = re.compile(r"[^\w\n]*(?:(?:\d{1,2}[.)]|[a-z]\))[^\w\n]*)?[^\W_][^\w\n]*")
_TWO_LETTER_LINES = re.compile(  # searched after a line break: the literal first runs at memchr speed
    r"\n[^\w\n]*(?:(?:\d{1,2}[.)]|[a-z]\))[^\w\n]*)?[^\W_][^\w\n]*\n(?:[^\w\n]*\n){0,2}"
    r"[^\w\n]*(?:(?:\d{1,2}[.)]|[a-z]\))[^\w\n]*)?[^\W_][^\w\n]*(?:\n|$)")


def stacked(skeleton: Skeleton) -> str | None:
    """The text with every column of one-letter lines read as one line (`M⏎Ậ⏎T` → `M Ậ T`; a blank
    line, or a line of punctuation, in the column parts words: `T⏎Ố⏎I⏎⏎M⏎Ậ⏎T` → `T Ố I  M Ậ T`);
    None if there is no such column. The line breaks become spaces, so offsets are the original's."""
    text = skeleton.text
    if "\n" not in text or _TWO_LETTER_LINES.search("\n" + text) is None:
        return None
    lines = skeleton.lines
    letter = [_LETTER_LINE.fullmatch(text, start, end) is not None for start, end in lines]
    breaks: list[int] = []  # skeleton offsets of the line breaks to read as spaces
    numbered: list[tuple[int, int]] = []  # a list's numbers before a column's letters (`1. M`)
    previous: int | None = None  # the last one-letter line of the column being read
    for number, is_letter in enumerate(letter):
        start, end = lines[number]
        if is_letter:
            if previous is not None:
                breaks.extend(lines[i][1] for i in range(previous, number))
                numbered.extend(found.span(1) for line in (previous, number)
                                if (found := _NUMBER.match(text, lines[line][0], lines[line][1])))
            previous = number
        elif _HAS_WORD.search(text, start, end) or (previous is not None and number - previous > 2):
            previous = None  # a line of words, or a third line without a letter, ends the column
    if not breaks:
        return None
    chars = list(skeleton.original)
    for position in breaks:
        at = skeleton.start(position)
        chars[at] = " "
        if at and chars[at - 1] == "\r":
            chars[at - 1] = " "  # CR LF is one break
    for start, end in numbered:
        for position in range(skeleton.start(start), skeleton.start(end)):
            chars[position] = " "
    return "".join(chars)


# A line break inside a word in capitals: a line that ends in a piece of one or two letters of it
# and the next that goes on with the rest (`TỐI M⏎ẬT`), or a line that ends in letters and the next
# that starts with the last one or two (`TỐ⏎I MẬT`); CR LF reads as a space and a line break.
# Found from the break, a literal (searched at memchr speed), with capitals on both sides.
_CAPITALS_BROKEN = re.compile(r"\n(?:(?<=[A-Z]\n)|(?<=[A-Z] \n))(?=[A-Z])")
_HEAD = re.compile(r"[^\W_]+ ?$")
_TAIL = re.compile(r"[^\W_]+")
_PIECE_LETTERS = 2  # at most, in the piece on one side of the break


def unbroken(skeleton: Skeleton, words: frozenset[str]) -> str | None:
    """The text with a line break inside one of `words` (a marking's, in capitals) taken out
    (`TỐI M⏎ẬT` → `TỐI MẬT`): the reader reads the word across it. None if there is none."""
    text = skeleton.text
    if "\n" not in text:
        return None
    breaks = []
    for match in _CAPITALS_BROKEN.finditer(text):
        at = match.start()
        head, tail = _HEAD.search(text, max(0, at - 16), at), _TAIL.match(text, at + 1)
        if head is None or tail is None:
            continue
        left = head.group().rstrip()
        if min(len(left), len(tail.group())) <= _PIECE_LETTERS and left + tail.group() in words:
            breaks.append(at)
    if not breaks:
        return None
    chars = list(skeleton.original)
    for position in sorted({skeleton.start(b) for b in breaks}, reverse=True):
        del chars[position]
        if position and chars[position - 1] == "\r":
            del chars[position - 1]
    return "".join(chars)


_GRID_LINE = re.compile(r"[ \t]*(?:[^\W_]|[^\w\s])(?:[ \t]+(?:[^\W_]|[^\w\s]))+[ \t]*")  # letters, or a filler
# Searched in the text after a line break: the literal first lets it run at memchr speed.
_TWO_GRID_LINES = re.compile(r"\n" + _GRID_LINE.pattern + r"\n" + _GRID_LINE.pattern + r"(?:\n|$)")


def columns(skeleton: Skeleton) -> str | None:
    """Letters written in a grid, a word down each column (`T M⏎Ố Ậ⏎I T`: vertical writing, column
    after column), read column by column, one column to a line; None if there is no such grid."""
    text = skeleton.text
    if "\n" not in text or _TWO_GRID_LINES.search("\n" + text) is None:
        return None
    lines = [line.split() if _GRID_LINE.fullmatch(line) else None for line in skeleton.original.splitlines()]
    out: list[str] = []
    number = 0
    while number < len(lines):
        grid = [lines[number]]
        while grid[0] is not None and number + len(grid) < len(lines) and \
                lines[number + len(grid)] is not None and len(lines[number + len(grid)] or ()) == len(grid[0]):
            grid.append(lines[number + len(grid)])
        if len(grid) >= 2:
            out.extend(" ".join(row[column] for row in grid if row) for column in range(len(grid[0] or ())))
        else:
            out.append(skeleton.original.splitlines()[number])
        number += len(grid)
    return "\n".join(out)


# -- regional indicators as letters ----------------------------------------------------------------

_REGIONAL = re.compile(f"[{chr(REGIONAL_INDICATORS[0])}-{chr(REGIONAL_INDICATORS[1])}]")
_REGIONAL_RUN = re.compile(_REGIONAL.pattern + "+")
_REGIONAL_LETTERS = {code: chr(ord("A") + code - REGIONAL_INDICATORS[0])
                     for code in range(REGIONAL_INDICATORS[0], REGIONAL_INDICATORS[1] + 1)}


def lettered(skeleton: Skeleton, words: frozenset[str]) -> str | None:
    """The text with regional indicators read as the capitals they are named after (🇸🇪🇨🇷🇪🇹 is
    SECRET where a client shows them as letters) where they touch letters, cannot all be flags, or
    spell one of `words` (a marking's); None if nothing is read so. In the plain reading they stay
    symbols, so that a flag after a stamp (`Tuyệt mật 🇻🇳`) does not make it a line of words."""
    if skeleton.text.isascii() or _REGIONAL.search(skeleton.text) is None:
        return None
    text = skeleton.original
    out, cursor = [], 0
    for run in _REGIONAL_RUN.finditer(text):
        start, end = run.span()
        touching = (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum())
        letters = run.group().translate(_REGIONAL_LETTERS)
        # Flags standing apart are flags (🇻🇳, 🇻🇳🇱🇦), unless they spell a marking's word.
        if (end - start) % 2 or touching or any(word in letters for word in words):
            out.append(text[cursor:start])
            out.append(letters)
            cursor = end
    if not cursor:
        return None
    out.append(text[cursor:])
    return "".join(out)
