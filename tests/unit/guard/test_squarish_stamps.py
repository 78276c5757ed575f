"""A two-line stamp in a squarish frame pressed at a steep angle (issue 24, item 5, red team):
TUYỆT over MẬT, framed, at 140°. Its marks have no long axis to level it by, and the narrow
search stops at ±30°: it was read on its side and allowed. A candidate that reads as nothing is
levelled once more by a search over the whole half turn, when that finds its lines elsewhere."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


def two_lines(first: str, second: str, tilt: float) -> bytes:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, "", (700, 40), size=48, lines=[first, second], tilt=tilt)
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize(("first", "second", "tilt", "level"), [("TUYỆT", "MẬT", 140.0, "tuyet_mat")])
def test_a_squarish_two_line_stamp_at_a_steep_angle_is_read(guard: Guard, first: str, second: str, tilt: float,
                                                            level: str) -> None:
    verdict = guard.scan_document("trang.png", two_lines(first, second, tilt))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
def test_a_squarish_harmless_stamp_at_a_steep_angle_stays_allowed(guard: Guard) -> None:
    assert guard.scan_document("trang.png", two_lines("ĐÃ", "DUYỆT", 140.0)).action.value == "allow"


def test_the_whole_half_turn_finds_lines_beyond_the_narrow_search() -> None:
    lines = Image.new("L", (400, 400), 0)
    draw = ImageDraw.Draw(lines)
    for y in range(120, 300, 40):
        draw.rectangle((60, y, 340, y + 14), fill=255)  # level lines of ink
    turned = lines.rotate(60, expand=True)
    found = ink.swept_angle(turned)
    assert min(abs(found + 60) % 180, 180 - abs(found + 60) % 180) < 3  # turned back by about 60°
