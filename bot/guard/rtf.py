"""Text of an RTF file as Word shows it: `\\uN` characters, `\\'hh` bytes decoded by the code page
of the font they are set in (Vietnamese `\\fcharset163` is Windows-1258), and legacy TCVN3/VNI
fonts converted (bot/guard/legacy.py). Destinations that are never shown (font and colour tables,
stylesheets, pictures' bytes) are skipped; headers, footers and fields' results are read.
"""

from __future__ import annotations

import re
import unicodedata

from bot.guard import legacy

_TOKEN = re.compile(rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S)
_SKIPPED = {b"fonttbl", b"colortbl", b"stylesheet", b"pict", b"object", b"themedata", b"colorschememapping",
            b"datastore", b"latentstyles", b"listtable", b"listoverridetable", b"rsidtbl", b"generator",
            b"xmlnstbl", b"mmathPr", b"wgrffmtfilter", b"pgdsctbl", b"fldinst"}
_CHARSETS = {0: "cp1252", 163: "cp1258", 238: "cp1250", 204: "cp1251", 161: "cp1253", 162: "cp1254",
             177: "cp1255", 178: "cp1256", 186: "cp1257", 222: "cp874", 128: "cp932", 134: "gbk", 136: "big5"}
_FONT = re.compile(rb"\{\\f(\d+)[^{}]*?\\fcharset(\d+)[^{};]*?\s([^{};\\]+);", re.S)


def rtf_text(data: bytes) -> str:
    fonts: dict[int, tuple[str, str | None]] = {}
    for number, charset, name in _FONT.findall(data):
        fonts[int(number)] = (_CHARSETS.get(int(charset), "cp1252"),
                              legacy.font_encoding(name.decode("latin-1").strip()))
    out: list[str] = []
    stack: list[tuple[bool, int, int]] = []
    skipping, font, skip_after_unicode, pending_skip = False, -1, 1, 0
    star = False
    for match in _TOKEN.finditer(data):
        word, argument, hexa, symbol, brace, text = match.groups()
        if brace == b"{":
            stack.append((skipping, font, skip_after_unicode))
            star = False
            continue
        if brace == b"}":
            if stack:
                skipping, font, skip_after_unicode = stack.pop()
            continue
        if symbol == b"*":
            star = True
            continue
        if word is not None:
            if word in _SKIPPED or (star and word not in (b"fldrslt",)):
                skipping = True
            star = False
            if word == b"f" and argument is not None:
                font = int(argument)
            elif word == b"uc" and argument is not None:
                skip_after_unicode = int(argument)
            elif word == b"u" and argument is not None and not skipping:
                out.append(chr(int(argument) % 65536))
                pending_skip = skip_after_unicode
            elif word in (b"par", b"line", b"row", b"sect", b"page") and not skipping:
                out.append("\n")
            elif word in (b"tab", b"cell") and not skipping:
                out.append("\t")
            continue
        if skipping:
            continue
        codepage, encoding = fonts.get(font, ("cp1252", None))
        if hexa is not None:
            if pending_skip:
                pending_skip -= 1
                continue
            out.append(legacy.convert(bytes([int(hexa, 16)]).decode(codepage, "replace"), encoding))
        elif symbol is not None:
            out.append({b"~": "\xa0", b"-": "", b"_": "-"}.get(symbol, symbol.decode("latin-1")))
        elif text is not None:
            chunk = text.decode(codepage, "replace")
            if pending_skip:
                chunk = chunk[pending_skip:]
                pending_skip = 0
            out.append(legacy.convert(chunk, encoding))
    return unicodedata.normalize("NFC", "".join(out))
