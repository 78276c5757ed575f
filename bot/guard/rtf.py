"""Text of an RTF file as Word shows it: `\\uN` characters, `\\'hh` bytes decoded by the code page
of the font they are set in (Vietnamese `\\fcharset163` is Windows-1258), and legacy TCVN3/VNI
fonts converted (bot/guard/legacy.py). Destinations that are never shown (font and colour tables,
stylesheets, pictures' bytes) are skipped; headers, footers and fields' results are read.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from bot.guard import legacy
from bot.guard.word_fields import field_lines, updated_field

_TOKEN = re.compile(rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S)
_SKIPPED = {b"fonttbl", b"colortbl", b"stylesheet", b"pict", b"object", b"themedata", b"colorschememapping",
            b"datastore", b"latentstyles", b"listtable", b"listoverridetable", b"rsidtbl", b"generator",
            b"xmlnstbl", b"mmathPr", b"wgrffmtfilter", b"pgdsctbl", b"sn", b"atnid", b"atnauthor",
            b"atndate", b"atnref", b"atrfstart", b"atrfend"}
# Destinations marked ignorable (`\\*`) that Word shows all the same: a field's result, the Unicode
# text beside its ANSI copy (`\\ud`), a shape (text boxes, WordArt watermarks), a comment.
_SHOWN = {b"fldrslt", b"ud", b"shpinst", b"shptxt", b"annotation", b"fldinst"}  # a field's code: what it shows
# Destinations shown apart from the text around them: each starts a line.
_APART = {b"footnote", b"annotation", b"header", b"headerl", b"headerr", b"headerf", b"footer", b"footerl",
          b"footerr", b"footerf", b"shptxt", b"sv", b"ud",
          # the document's properties (File > Properties): each its own line, never glued to the body
          b"title", b"subject", b"author", b"operator", b"keywords", b"doccomm", b"comment", b"company", b"manager",
          b"category"}
_CHARSETS = {0: "cp1252", 163: "cp1258", 238: "cp1250", 204: "cp1251", 161: "cp1253", 162: "cp1254",
             177: "cp1255", 178: "cp1256", 186: "cp1257", 222: "cp874", 128: "cp932", 134: "gbk", 136: "big5"}
_DESTINATION = re.compile(rb"\{\\\*[^{}]*\}")  # {\*\panose …}, {\*\falt …} inside a font's entry
_CONTROL = re.compile(rb"\\[a-zA-Z]+-?\d* ?|[{}]")


def rtf_text(data: bytes) -> str:
    fonts = _font_table(data)
    # Text kept with its font's legacy encoding and whether it is shown in capitals, converted
    # run by run at the end: a VNI letter's marks are a byte of their own after it (`O\\'c1` is Ố).
    out: list[tuple[str, str | None, bool, bool]] = []  # text, encoding, capitals, hidden
    stack: list[tuple[bool, int, int, bool, bool]] = []
    skipping, font, skip_after_unicode, pending_skip, capitals, hidden = False, -1, 1, 0, False, False
    star = False
    apart: list[bool] = []  # per open group: whether it is a destination shown apart (ends its line)
    codes: list[list[str] | None] = []  # per open group: a field instruction's text being read
    field_texts: list[str] = []  # what fields' codes can show (bot/guard/word_fields.py)
    reading: list[str] | None = None  # the innermost open field instruction
    for match in _TOKEN.finditer(data):
        word, argument, hexa, symbol, brace, text = match.groups()
        if brace == b"{":
            stack.append((skipping, font, skip_after_unicode, capitals, hidden))
            apart.append(False)
            codes.append(None)
            star = False
            continue
        if brace == b"}":
            if stack:
                skipping, font, skip_after_unicode, capitals, hidden = stack.pop()
            if apart and apart.pop():
                out.append(("\n", None, False, False))
            if codes and (code := codes.pop()) is not None:
                instruction = "".join(code)
                field_texts.extend(field_lines(instruction))
                reading = next((open_code for open_code in reversed(codes) if open_code is not None), None)
                if shown := updated_field(instruction, ""):  # «TỐI M» {SYMBOL 7852 \u} «T»: in its place
                    (reading.append(shown) if reading is not None
                     else out.append((shown, None, capitals, hidden)))
            continue
        if symbol == b"*":
            star = True
            continue
        encoding = fonts.get(font, ("cp1252", None))[1]
        if word is not None:
            if word in _SKIPPED or (star and word not in _SHOWN):
                skipping = True
            star = False
            if word == b"fldinst" and not skipping and codes:
                codes[-1] = reading = []
                continue
            if word in _APART and not skipping:
                out.append(("\n", None, False, False))
                if apart:
                    apart[-1] = True
            if word == b"f" and argument is not None:
                font = int(argument)
            elif word in (b"caps", b"scaps"):  # shown in capitals, small or not
                capitals = argument != b"0"
            elif word in (b"v", b"deleted"):  # hidden text, a tracked deletion: shown on a click
                hidden = argument != b"0"
            elif word == b"plain":
                capitals = hidden = False
            elif word == b"uc" and argument is not None:
                skip_after_unicode = int(argument)
            elif word == b"u" and argument is not None and not skipping:
                if reading is not None:
                    reading.append(chr(int(argument) % 65536))
                else:
                    out.append((chr(int(argument) % 65536), None, capitals, hidden))
                pending_skip = skip_after_unicode
            elif word in (b"par", b"line", b"row", b"sect", b"page") and not skipping:
                out.append(("\n", None, False, False))
            elif word in (b"tab", b"cell") and not skipping:
                out.append(("\t", None, False, False))
            continue
        if skipping:
            continue
        codepage = fonts.get(font, ("cp1252", None))[0]
        if reading is not None:  # a field's code: read, never shown as text
            if hexa is not None and pending_skip:
                pending_skip -= 1
            elif hexa is not None:
                reading.append(bytes([int(hexa, 16)]).decode(codepage, "replace"))
            elif symbol is not None:
                reading.append(symbol.decode("latin-1"))
            elif text is not None:
                chunk = text.decode(codepage, "replace")
                reading.append(chunk[pending_skip:])
                pending_skip = 0
            continue
        if hexa is not None:
            if pending_skip:
                pending_skip -= 1
                continue
            out.append((bytes([int(hexa, 16)]).decode(codepage, "replace"), encoding, capitals, hidden))
        elif symbol is not None:
            out.append(({b"~": "\xa0", b"-": "", b"_": "-"}.get(symbol, symbol.decode("latin-1")), None, capitals,
                        hidden))
        elif text is not None:
            chunk = text.decode(codepage, "replace")
            if pending_skip:
                chunk = chunk[pending_skip:]
                pending_skip = 0
            out.append((chunk, encoding, capitals, hidden))
    every = _converted(out) + "".join(f"\n{line}" for line in field_texts)
    if not any(piece[3] for piece in out):
        return every
    return every + "\n" + _converted([piece for piece in out if not piece[3]])  # «M{\\v zz}ẬT» shows MẬT


def _converted(pieces: list[tuple[str, str | None, bool, bool]]) -> str:
    shown = []
    for (encoding, upper), run in itertools.groupby(pieces, key=lambda piece: (piece[1], piece[2])):
        converted = legacy.convert("".join(piece[0] for piece in run), encoding)
        shown.append(converted.upper() if upper else converted)
    return unicodedata.normalize("NFC", "".join(shown))


def _font_table(data: bytes) -> dict[int, tuple[str, str | None]]:
    """Each font's code page and legacy encoding. Word writes every entry with nested groups
    (`{\\f37\\froman\\fcharset0{\\*\\panose …}.VnTime{\\*\\falt …};}`) and some writers none at all
    (`\\f0\\fswiss Helvetica;`): the table is read entry by entry, its nested groups removed."""
    start = data.find(b"\\fonttbl")
    if start < 0:
        return {}
    depth, end = 1, start
    while end < len(data) and depth:
        if data[end] == 0x5C:  # a backslash: the next byte is escaped (\{, \})
            end += 2
            continue
        depth += {0x7B: 1, 0x7D: -1}.get(data[end], 0)
        end += 1
    table = data[start + len(b"\\fonttbl"):end]
    while True:
        inner = _DESTINATION.sub(b"", table)
        if inner == table:
            break
        table = inner
    fonts: dict[int, tuple[str, str | None]] = {}
    for entry in table.split(b";"):
        number = re.search(rb"\\f(\d+)", entry)
        if number is None:
            continue
        charset = re.search(rb"\\fcharset(\d+)", entry)
        name = _CONTROL.sub(b"", entry).decode("latin-1").strip()
        fonts[int(number.group(1))] = (_CHARSETS.get(int(charset.group(1)) if charset else 0, "cp1252"),
                                       legacy.font_encoding(name))
    return fonts


_PICTURE_KINDS = {b"pngblip": "png", b"jpegblip": "jpg", b"emfblip": "emf", b"wmetafile": "wmf", b"macpict": "pict",
                  b"dibitmap": "bmp", b"wbitmap": "bmp"}
_HEX = re.compile(rb"[0-9a-fA-F\s]{16,}")


class PictureFormatError(ValueError):
    """An RTF picture in a format the guard cannot read (a Windows metafile with no PNG beside it)."""


def rtf_pictures(data: bytes) -> list[tuple[str, bytes]]:
    """The pictures Word shows in an RTF (`{\\pict\\pngblip <hex>}`), as files to be read by OCR. A
    `\\nonshppict` copy is the same picture for old readers and is skipped; a metafile with no
    readable copy is refused (raises PictureFormatError), as in a DOCX."""
    pictures: list[tuple[str, bytes]] = []
    for found in re.finditer(rb"\\pict(?![a-z])", data):
        depth, end = 1, found.end()
        while end < len(data) and depth:
            if data[end] == 0x5C:
                end += 2
                continue
            depth += {0x7B: 1, 0x7D: -1}.get(data[end], 0)
            end += 1
        group = data[found.end():end - 1]
        while True:
            inner = _DESTINATION.sub(b"", group)
            if inner == group:
                break
            group = inner
        kind = next((name for word, name in _PICTURE_KINDS.items() if re.search(rb"\\" + word + rb"(?![a-z])",
                                                                               group)), None)
        if b"\\nonshppict" in data[max(0, found.start() - 40):found.start()]:
            continue  # the fallback copy of a picture given as PNG/JPEG beside it
        if kind not in ("png", "jpg"):
            raise PictureFormatError("the RTF holds a picture in a format that cannot be checked (a Windows "
                                     "metafile); save pictures as PNG or JPEG, or send the document as PDF")
        runs = _HEX.findall(group)
        if not runs:
            continue
        hexadecimal = re.sub(rb"\s", b"", max(runs, key=len))
        pictures.append((f"picture{len(pictures) + 1}.{kind}", bytes.fromhex(hexadecimal[:len(hexadecimal) // 2 * 2]
                                                                              .decode("ascii"))))
    return pictures
