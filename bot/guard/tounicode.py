"""PDF pages whose extracted text is not what they draw.

A font's ToUnicode map says which character each glyph is; the text layer is built from it. A
forged map lets a page draw «TỐI MẬT» while its text layer says something harmless. For embedded
TrueType fonts (Identity-H, the kind office programs and PDF libraries write) the font program
names the characters of its glyphs itself (its `cmap` table): where the two disagree, the page is
rendered and read by OCR as a scan. Simple fonts (Type 1, CFF, Type 3, simple TrueType) name
their glyphs instead — by the `/Differences` of their encoding, by the CFF program's own encoding,
or, for plain ASCII codes under a standard encoding, by the code itself: each name says a character
(the Adobe Glyph List, `uniXXXX`), and where the ToUnicode map says another, the page is read the
same way. A Type 3 font's glyphs are drawings of the file's own, which no name or map vouches for:
a page using one is always read as drawn.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

MAX_FONTS = 200  # fonts checked per file; a file with more is checked up to here
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_SECTION = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
_RANGES = re.compile(rb"beginbfrange(.*?)endbfrange", re.DOTALL)
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
SYMBOLIC = 4  # the font descriptor's flag: codes are the font's own, not a standard encoding's
STANDARD_ENCODINGS = ("/WinAnsiEncoding", "/StandardEncoding", "/MacRomanEncoding")


def scrambled_pages(content: bytes) -> set[int]:
    """Indexes of the pages that use a font whose ToUnicode map contradicts its own glyph names."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return set()
        pages: set[int] = set()
        verdicts: dict[int, bool] = {}
        for index, page in enumerate(reader.pages):
            resources = page.get("/Resources")
            fonts = resources.get_object().get("/Font") if resources is not None else None
            for reference in (fonts.get_object().values() if fonts is not None else ()):
                key = id(reference.get_object())
                if key not in verdicts and len(verdicts) < MAX_FONTS:
                    verdicts[key] = _scrambled(reference.get_object())
                if verdicts.get(key):
                    pages.add(index)
        return pages
    except Exception:  # a file pypdf cannot walk is judged by the other readers (and refused there)
        return set()


def _scrambled(font: object) -> bool:
    from fontTools.ttLib import TTFont

    if font.get("/Subtype") == "/Type3":  # type: ignore[attr-defined]
        # A Type 3 glyph is a drawing of the file's own: neither its name nor any map says what it
        # draws (a glyph named /x may draw «M»), so its text layer is never believed.
        return True
    to_unicode = font.get("/ToUnicode")  # type: ignore[attr-defined]
    descendants = font.get("/DescendantFonts")  # type: ignore[attr-defined]
    if to_unicode is None:
        return False
    if not descendants:
        return _simple_font_scrambled(font, to_unicode.get_object().get_data())
    cid_font = descendants[0].get_object()
    program = cid_font.get("/FontDescriptor", {}).get_object().get("/FontFile2")
    if program is None:
        return False
    embedded = TTFont(io.BytesIO(program.get_object().get_data()))
    if "cmap" not in embedded:
        return False
    names: dict[str, set[str]] = {}  # a glyph may stand for several characters (space and no-break space)
    for code, name in embedded.getBestCmap().items():
        names.setdefault(name, set()).add(unicodedata.normalize("NFKC", chr(code)))
    order = embedded.getGlyphOrder()
    gid_map = cid_font.get("/CIDToGIDMap")
    gids = gid_map.get_object().get_data() if gid_map is not None and hasattr(gid_map.get_object(), "get_data") \
        else None
    wrong = 0
    for section in _SECTION.findall(to_unicode.get_object().get_data()):
        for cid_hex, text_hex in _BFCHAR.findall(section):
            cid = int(cid_hex, 16)
            gid = int.from_bytes(gids[cid * 2:cid * 2 + 2], "big") if gids is not None else cid
            if gid >= len(order) or order[gid] not in names:
                continue
            said = bytes.fromhex(text_hex.decode()).decode("utf-16-be", "replace")
            if unicodedata.normalize("NFKC", said) not in names[order[gid]]:  # a ligature «ﬁ» is «fi»
                wrong += 1
    return wrong > 0


def _simple_font_scrambled(font: Any, to_unicode: bytes) -> bool:
    """A one-byte font: each code's glyph name (from the encoding's differences, the CFF program's
    encoding, or an ASCII code under a standard encoding) against what the ToUnicode map says."""
    from fontTools.agl import toUnicode

    names = _glyph_names(font)
    said = _mapped(to_unicode)
    for code, text in said.items():
        name = names.get(code)
        if name is None or name == ".notdef":
            continue
        drawn = toUnicode(name)
        if drawn and unicodedata.normalize("NFKC", drawn) != unicodedata.normalize("NFKC", text):
            return True
    return False


def _glyph_names(font: Any) -> dict[int, str]:
    names: dict[int, str] = {}
    found = font.get("/Encoding")
    encoding: Any = found.get_object() if found is not None else None
    base = encoding.get("/BaseEncoding") if hasattr(encoding, "get") else encoding
    program = _cff_encoding(font) or _truetype_names(font)
    names.update(program)
    descriptor = font.get("/FontDescriptor")
    flags = int(descriptor.get_object().get("/Flags", 0)) if descriptor is not None else 0
    # Without an encoding, a symbolic font's codes select glyphs by its own tables (LibreOffice
    # writes its subsets so): they are no ASCII codes, and only the program's names can say.
    builtin = base is None and (flags & SYMBOLIC or program)
    if str(base) in STANDARD_ENCODINGS or (base is None and not builtin and font.get("/Subtype") != "/Type3"):
        names.update({code: _ascii_name(code) for code in range(0x21, 0x7F)})
    differences = encoding.get("/Differences") if hasattr(encoding, "get") else None
    code = 0
    for item in differences or ():
        item = item.get_object() if hasattr(item, "get_object") else item
        if isinstance(item, int):
            code = item
        else:
            names[code] = str(item).lstrip("/")
            code += 1
    return names


def _ascii_name(code: int) -> str:
    from fontTools.agl import UV2AGL

    return str(UV2AGL.get(code, f"uni{code:04X}"))


def _truetype_names(font: Any) -> dict[int, str]:
    """A simple TrueType font's codes named through its own program: the code's glyph by the
    (3,0) or (1,0) character map, named by the `post` table (`glyph00001` names nothing)."""
    descriptor = font.get("/FontDescriptor")
    program = descriptor.get_object().get("/FontFile2") if descriptor is not None else None
    if program is None or font.get("/Encoding") is not None:
        return {}
    try:
        from fontTools.ttLib import TTFont

        embedded = TTFont(io.BytesIO(program.get_object().get_data()))
        tables = {(table.platformID, table.platEncID): table.cmap for table in embedded["cmap"].tables}
    except Exception:  # a program fontTools cannot read: judged by the other means
        return {}
    names: dict[int, str] = {}
    for code in range(256):
        name = tables.get((3, 0), {}).get(0xF000 + code) or tables.get((3, 0), {}).get(code) \
            or tables.get((1, 0), {}).get(code)
        if name:
            names[code] = name
    return names


def _cff_encoding(font: Any) -> dict[int, str]:
    """A CFF program's own encoding (FontFile3), when it has a custom one."""
    descriptor = font.get("/FontDescriptor")
    program = descriptor.get_object().get("/FontFile3") if descriptor is not None else None
    if program is None:
        return {}
    try:
        from fontTools.cffLib import CFFFontSet

        cff = CFFFontSet()
        cff.decompile(io.BytesIO(program.get_object().get_data()), None)
        encoding = cff[cff.fontNames[0]].Encoding
    except Exception:  # a program fontTools cannot read: judged by the other means
        return {}
    if isinstance(encoding, list):
        return {code: name for code, name in enumerate(encoding) if name and name != ".notdef"}
    return {}


def _mapped(to_unicode: bytes) -> dict[int, str]:
    """What the ToUnicode map says each one-byte code is (bfchar and bfrange entries)."""
    said: dict[int, str] = {}
    for section in _SECTION.findall(to_unicode):
        for code_hex, text_hex in _BFCHAR.findall(section):
            said[int(code_hex, 16)] = bytes.fromhex(text_hex.decode()).decode("utf-16-be", "replace")
    for section in _RANGES.findall(to_unicode):
        for low, high, start in _BFRANGE.findall(section):
            first, last, value = int(low, 16), int(high, 16), int(start, 16)
            for offset in range(min(last - first + 1, 256)):
                said[first + offset] = chr(value + offset) if value + offset < 0x110000 else ""
    return {code: text for code, text in said.items() if code < 256 and text}
