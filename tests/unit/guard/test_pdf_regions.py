"""Which parts of a PDF page with a text layer are rendered and read as a picture (no OCR here:
what is handed to the image reader is checked, so these run fast and without tesseract)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot.guard.pictures import pictures
from bot.guard.policy import ImageLimits

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
pytestmark = pytest.mark.skipif(not DEJAVU.exists(), reason="needs Debian's fonts-dejavu-core")


def _page(draw: str, picture: Image.Image | None = None, width_mm: float = 60) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", fname=str(DEJAVU))
    pdf.set_font("dejavu", size=11)
    for _ in range(10):
        pdf.cell(0, 8, "Đề nghị các đơn vị báo cáo tình hình thực hiện kế hoạch", new_x="LMARGIN", new_y="NEXT")
    if draw == "red rule":
        pdf.set_draw_color(200, 0, 0)
        pdf.line(10, 12, 200, 12)
    if picture is not None:
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        pdf.image(buffer, x=120, y=150, w=width_mm)
    return bytes(pdf.output())


def _where(content: bytes) -> list[tuple[str, tuple[int, int]]]:
    found = []
    for picture in pictures("pdf", content, ImageLimits()):
        assert picture.load is not None
        found.append((picture.where, picture.load().size))
    return found


def test_a_text_page_with_a_coloured_rule_is_not_rendered() -> None:
    assert _where(_page("")) == []
    assert _where(_page("red rule")) == []


def test_a_tiny_picture_drawn_large_is_rendered_as_its_region() -> None:
    tiny = Image.new("RGB", (20, 8), "red")
    found = _where(_page("", tiny))
    assert [where for where, _ in found] == ["page 1"]
    width, height = found[0][1]
    full_width = round(210 / 25.4 * 200)  # an A4 page at the default 200 dpi
    assert width < full_width / 2 and height < width  # the region and its margin, not the whole page


def test_a_picture_of_readable_size_is_read_alone_not_the_page() -> None:
    assert [where for where, _ in _where(_page("", Image.new("RGB", (300, 120), "red")))] == \
        ["page 1, picture 1"]


def test_forged_tounicode_is_told_from_a_faithful_one() -> None:
    """A Vietnamese page's faithful map is not flagged (no OCR cost); a forged one is."""
    from bot.guard.tounicode import scrambled_pages
    from tests.support.pdf_files import scrambled_pdf

    assert scrambled_pages(_page("")) == set()
    assert scrambled_pages(scrambled_pdf("TỐI MẬT")) == {0}
