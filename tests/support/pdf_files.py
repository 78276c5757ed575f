"""PDFs made for the guard's tests: a page of plain Helvetica text to add to, text layers that
lie about what is drawn, and stamps drawn as outlines."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


BODY = "Kinh gui cac don vi. Bao cao tinh hinh thuc hien ke hoach nam nay."


def helvetica_page(content: bytes = b"", change: Callable[[Any, Any], None] | None = None) -> bytes:
    """One page of twelve lines of Helvetica body text, then `content` (page operators);
    `change(writer, page)` adds to the file before it is written."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})  # type: ignore[attr-defined]
    body = "".join(f"BT /F1 11 Tf 60 {700 - 16 * n} Td ({BODY}) Tj ET\n" for n in range(12)).encode()
    stream = DecodedStreamObject()
    stream.set_data(body + content)
    page[NameObject("/Contents")] = writer._add_object(stream)  # type: ignore[attr-defined]
    if change is not None:
        change(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scrambled_pdf(stamp: str) -> bytes:
    """A page that draws `stamp` large, and a body line, in one embedded font whose ToUnicode map
    is forged: every glyph is said to be «x», so the text layer shows no stamp."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", fname=str(DEJAVU_BOLD))
    pdf.set_font("dejavu", size=12)
    pdf.cell(0, 8, "Kinh gui cac don vi bao cao tinh hinh thuc hien", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", size=40)
    pdf.cell(0, 30, stamp)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(bytes(pdf.output()))))
    fonts = writer.pages[0]["/Resources"]["/Font"]
    for reference in fonts.values():
        cmap = reference.get_object()["/ToUnicode"].get_object()
        data = cmap.get_data()
        forged = re.sub(rb"(<[0-9A-Fa-f]{4}>\s*)<[0-9A-Fa-f]{4}>", lambda m: m.group(1) + b"<0078>", data)
        cmap.set_data(forged)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def patterned_pdf(picture_png: bytes) -> bytes:
    """A text page with a picture painted as a tiling pattern's fill over a rectangle: the picture is
    no object of the page (it lives in the pattern's resources), yet every reader draws it."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
    )

    holder = FPDF()
    holder.add_page()
    holder.image(io.BytesIO(picture_png), x=10, y=10, w=150)
    image = next(iter(PdfReader(io.BytesIO(bytes(holder.output()))).pages[0]["/Resources"]["/XObject"].values()))

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in ("Kinh gui cac don vi", "Bao cao tinh hinh thuc hien ke hoach quy III", "Tran trong."):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(bytes(pdf.output()))))
    page = writer.pages[0]
    tile = DecodedStreamObject()
    tile.set_data(b"q 456 0 0 156 0 0 cm /Im1 Do Q")
    tile.update({NameObject("/Type"): NameObject("/Pattern"), NameObject("/PatternType"): NumberObject(1),
                 NameObject("/PaintType"): NumberObject(1), NameObject("/TilingType"): NumberObject(1),
                 NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, 456, 156)]),
                 NameObject("/XStep"): FloatObject(456), NameObject("/YStep"): FloatObject(156),
                 NameObject("/Matrix"): ArrayObject([FloatObject(v) for v in (1, 0, 0, 1, 60, 420)]),
                 NameObject("/Resources"): DictionaryObject({NameObject("/XObject"): DictionaryObject(
                     {NameObject("/Im1"): image.get_object().clone(writer).indirect_reference})})})
    resources = page["/Resources"]
    resources[NameObject("/Pattern")] = DictionaryObject({NameObject("/P1"): writer._add_object(tile)})
    painted = DecodedStreamObject()
    painted.set_data(b"q /Pattern cs /P1 scn 60 420 456 156 re f Q")
    contents = page["/Contents"]
    existing = contents.get_object() if not isinstance(contents.get_object(), list) else None
    streams = ArrayObject([page.raw_get("/Contents")] if existing is not None else list(contents))
    streams.append(writer._add_object(painted))
    page[NameObject("/Contents")] = streams
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scrambled_type1_pdf(stamp: str, differences: bool = False) -> bytes:
    """A page in Helvetica (a Type 1 font, no program of its own) drawing `stamp` large under a body
    line, whose ToUnicode map says every character is «x»; with `differences`, the letters are named
    by the encoding's /Differences instead of by the standard encoding."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 8, "Kinh gui cac don vi bao cao tinh hinh thuc hien", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", size=40)
    pdf.cell(0, 30, stamp)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(bytes(pdf.output()))))
    forged = DecodedStreamObject()
    forged.set_data(b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                    b"1 begincodespacerange <00> <FF> endcodespacerange\n"
                    b"1 beginbfrange <20> <7E> <0078> endbfrange\n"  # every code: «x» onwards
                    b"endcmap CMapName currentdict /CMap defineresource pop end end")
    forged_ref = writer._add_object(forged)
    for reference in writer.pages[0]["/Resources"]["/Font"].values():
        font = reference.get_object()
        font[NameObject("/ToUnicode")] = forged_ref
        if differences:
            font[NameObject("/Encoding")] = DictionaryObject({
                NameObject("/Type"): NameObject("/Encoding"),
                NameObject("/Differences"): ArrayObject([NumberObject(0x41), *(NameObject(f"/{chr(c)}")
                                                                             for c in range(0x41, 0x5B))])})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def outlines(text: str, x: float, y: float, size: float) -> bytes:
    """`text` as filled paths (no text object at all), its baseline starting at (x, y) points."""
    from fontTools.pens.basePen import BasePen
    from fontTools.ttLib import TTFont

    font = TTFont(str(DEJAVU_BOLD))
    glyphs, cmap, scale = font.getGlyphSet(), font.getBestCmap(), size / font["head"].unitsPerEm
    ops: list[str] = []

    class Pen(BasePen):  # type: ignore[misc]
        def __init__(self, dx: float) -> None:
            super().__init__(glyphs)
            self.dx = dx

        def _p(self, point: tuple[float, float]) -> str:
            return f"{self.dx + point[0] * scale:.2f} {y + point[1] * scale:.2f}"

        def _moveTo(self, pt: tuple[float, float]) -> None:
            ops.append(f"{self._p(pt)} m")

        def _lineTo(self, pt: tuple[float, float]) -> None:
            ops.append(f"{self._p(pt)} l")

        def _curveToOne(self, p1: tuple[float, float], p2: tuple[float, float],
                        p3: tuple[float, float]) -> None:
            ops.append(f"{self._p(p1)} {self._p(p2)} {self._p(p3)} c")

        def _closePath(self) -> None:
            ops.append("h")

    import unicodedata

    for character in unicodedata.normalize("NFC", text):
        name = cmap[ord(character)]
        glyphs[name].draw(Pen(x))
        x += glyphs[name].width * scale
    return ("\n".join(ops) + "\nf").encode()
