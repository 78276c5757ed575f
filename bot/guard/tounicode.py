"""PDF pages whose extracted text is not what they draw.

A font's ToUnicode map says which character each glyph is; the text layer is built from it. A
forged map lets a page draw «TỐI MẬT» while its text layer says something harmless. For embedded
TrueType fonts (Identity-H, the kind office programs and PDF libraries write) the font program
names the characters of its glyphs itself (its `cmap` table): where the two disagree, the page is
rendered and read by OCR as a scan. Fonts without their own map cannot be checked this way.
"""

from __future__ import annotations

import io
import re
import unicodedata

MAX_FONTS = 200  # fonts checked per file; a file with more is checked up to here
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_SECTION = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)


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

    to_unicode = font.get("/ToUnicode")  # type: ignore[attr-defined]
    descendants = font.get("/DescendantFonts")  # type: ignore[attr-defined]
    if to_unicode is None or not descendants:
        return False
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
