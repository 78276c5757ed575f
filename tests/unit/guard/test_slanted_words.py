"""Unframed stamps at a steep slant (issue 24, item 5, red team): outlined TỐI MẬT at 45° and TUYỆT
MẬT at 135°. Nothing joins their words (no frame), and at a slant the two words' boxes stand corner
to corner, neither on one line nor in one column: each word was read alone, and `MẬT` alone blocked
at a lower level. Levelled, a steep stamp lay in a square twice its height, enlarged as a whole, so
its letters stayed small; and outlines were filled only the way up it came out, not upside down."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


def outlined_at(text: str, tilt: float) -> bytes:
    page = corpus.page(corpus.LETTER)
    layer = Image.new("RGBA", (900, 200), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((20, 20), text, fill=(255, 255, 255, 255), font=corpus.face("sans-bold", 72),
                               stroke_width=3, stroke_fill=(*corpus.RED, 255))
    layer = layer.rotate(tilt, expand=True, resample=Image.Resampling.BICUBIC)
    page.paste(layer, (500, 40), layer)
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize(("text", "tilt", "level"), [("TỐI MẬT", 45.0, "toi_mat"), ("TUYỆT MẬT", 135.0, "tuyet_mat")])
def test_an_outlined_stamp_at_a_steep_slant_is_read_at_its_level(guard: Guard, text: str, tilt: float,
                                                                 level: str) -> None:
    verdict = guard.scan_document("trang.png", outlined_at(text, tilt))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
def test_an_outlined_urgency_mark_at_a_slant_stays_allowed(guard: Guard) -> None:
    assert guard.scan_document("trang.png", outlined_at("HỎA TỐC", 45.0)).action.value == "allow"


def test_two_words_corner_to_corner_are_one_region() -> None:
    strength = Image.new("L", (600, 600), 0)
    draw = ImageDraw.Draw(strength)
    draw.rectangle((100, 300, 220, 400), fill=255)  # the first word, lower left
    draw.rectangle((240, 180, 380, 290), fill=255)  # the second, up and to the right
    assert len(ink.regions(strength, 128)) == 1


def test_two_words_far_apart_stay_two_regions() -> None:
    strength = Image.new("L", (900, 900), 0)
    draw = ImageDraw.Draw(strength)
    draw.rectangle((100, 600, 220, 700), fill=255)
    draw.rectangle((500, 180, 640, 290), fill=255)
    assert len(ink.regions(strength, 128)) == 2
