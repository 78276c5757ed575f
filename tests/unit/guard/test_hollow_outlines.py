"""Outlined (hollow) stamps of other weights than the tested one (issue 24, item 5, red team): a thin
outline round wide letters lost the hollow band of each stroke when the stamp was reduced by its
length before filling (TUYỆT MẬT allowed), and a serif outline was filled with a seam of paper
left inside each stroke, read as a lower level (TỐI MẬT read as MẬT). The fill now works at a
tenth of a letter's height and closes the seam."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


def outlined(text: str, font: str, size: int, stroke: int) -> Image.Image:
    picture = Image.new("RGBA", (900, 200), (0, 0, 0, 0))
    ImageDraw.Draw(picture).text((20, 20), text, fill=(255, 255, 255, 255), font=corpus.face(font, size),
                                 stroke_width=stroke, stroke_fill=(*corpus.RED, 255))
    return picture


def page_with(text: str, font: str, size: int, stroke: int) -> bytes:
    page = corpus.page(corpus.LETTER)
    layer = outlined(text, font, size, stroke)
    page.paste(layer, (500, 40), layer)
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize(("text", "font", "size", "stroke", "level"), [
    ("TUYỆT MẬT", "sans-bold", 80, 2, "tuyet_mat"),  # a thin outline round wide letters
    ("TỐI MẬT", "serif-bold", 64, 3, "toi_mat"),  # serifs: a seam inside each stroke lowered the level
])
def test_an_outlined_stamp_is_read_at_its_level(guard: Guard, text: str, font: str, size: int, stroke: int,
                                                level: str) -> None:
    verdict = guard.scan_document("trang.png", page_with(text, font, size, stroke))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
def test_an_outlined_urgency_mark_stays_allowed(guard: Guard) -> None:
    assert guard.scan_document("trang.png", page_with("KHẨN", "sans-bold", 80, 3)).action.value == "allow"


def test_a_thin_outline_is_filled_whole() -> None:
    """Every stroke of the thin outline becomes ink: the filled picture holds far more ink than the
    outline alone, as the bold letters a reader sees do."""
    picture = Image.new("RGB", (700, 160), "white")
    layer = outlined("TUYỆT MẬT", "sans-bold", 80, 2)
    picture.paste(layer, (0, 0), layer)
    grey = ink.upscale_to(picture.convert("L").crop(picture.convert("L").point(
        lambda v: 255 if v < 200 else 0).getbbox()), 160)
    filled = ink.fill_enclosed(grey)
    assert filled is not None
    outline_ink = grey.point(lambda v: 255 if v < 160 else 0).histogram()[255]
    assert filled.point(lambda v: 255 if v < 160 else 0).histogram()[255] > 2.5 * outline_ink
