"""A PDF whose text layer lies: what it draws is not what its ToUnicode map says."""

from __future__ import annotations

import io
import re
from pathlib import Path

DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


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
