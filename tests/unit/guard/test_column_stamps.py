"""Letters stacked one per line in other faces, sizes and places than the tested column (issue 24,
item 5, red team): a serif TỐI MẬT down the left margin and a small TUYỆT MẬT were allowed. The
column's levelled crop had its "frame" erased first — the bar of a T and the foot of a U at its ends
run across half its width, as a frame's rule does — so the letters set in a line read as garbage.
A column without sides keeps its letters whole."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


def column(img: Image.Image, text: str, at: tuple[int, int], font: str, size: int, gap: int) -> None:
    draw = ImageDraw.Draw(img)
    face = corpus.face(font, size)
    x, y = at
    for char in text:
        if char == " ":
            y += gap // 2
            continue
        box = draw.textbbox((0, 0), char, font=face)
        draw.text((x - (box[0] + box[2]) // 2, y - box[1]), char, fill=corpus.RED, font=face)
        y += gap


@requires_ocr
@pytest.mark.parametrize(("text", "at", "font", "size", "gap", "level"), [
    ("TỐI MẬT", (60, 300), "serif-bold", 38, 54, "toi_mat"),  # down the left margin, serif
    ("TUYỆT MẬT", (1150, 200), "sans-bold", 30, 40, "tuyet_mat"),  # small letters
])
def test_a_red_column_of_letters_is_read(guard: Guard, text: str, at: tuple[int, int], font: str, size: int,
                                         gap: int, level: str) -> None:
    page = corpus.page(corpus.LETTER)
    column(page, text, at, font, size, gap)
    verdict = guard.scan_document("trang.png", corpus.encode(page, "PNG"))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


def test_a_column_keeps_the_bars_at_its_ends() -> None:
    """T at both ends: no frame to erase, so the crop comes back untouched."""
    img = Image.new("RGB", (80, 420), "white")
    column(img, "TẬT", (40, 20), "sans-bold", 44, 59)
    grey = img.convert("L")
    assert ink.erase_rules(grey).tobytes() == grey.tobytes()


def test_a_framed_column_still_loses_its_frame() -> None:
    img = Image.new("RGB", (80, 420), "white")
    column(img, "TẬT", (40, 20), "sans-bold", 44, 59)
    ImageDraw.Draw(img).rectangle((2, 2, 77, 417), outline="black", width=3)
    grey = img.convert("L")
    cleaned = ink.erase_rules(grey)
    assert cleaned.getpixel((40, 3)) == 255 and cleaned.getpixel((3, 200)) == 255
