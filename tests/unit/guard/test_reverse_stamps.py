"""A "reverse" stamp — a filled red box whose letters are the paper left in it (issue 24, item 5, red
team): tilted a little, it was levelled, its box's rows erased as a frame's rules, and what was
left read as nothing: allowed. A candidate whose ink fills most of its box is read as the letters
knocked out of it."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


def reverse(text: str, tilt: float) -> bytes:
    page = corpus.page(corpus.LETTER)
    face = corpus.face("sans-bold", 52)
    box = ImageDraw.Draw(page).textbbox((0, 0), text, font=face)
    layer = Image.new("RGBA", (box[2] - box[0] + 40, box[3] - box[1] + 30), (*corpus.RED, 255))
    ImageDraw.Draw(layer).text((20 - box[0], 15 - box[1]), text, fill=(255, 255, 255, 255), font=face)
    if tilt:
        layer = layer.rotate(tilt, expand=True, resample=Image.Resampling.BICUBIC)
    page.paste(layer, (640, 60), layer)
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize(("text", "tilt", "level"), [("MẬT", 12.0, "mat"), ("TỐI MẬT", -8.0, "toi_mat")])
def test_letters_knocked_out_of_a_red_box_are_read(guard: Guard, text: str, tilt: float, level: str) -> None:
    verdict = guard.scan_document("trang.png", reverse(text, tilt))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
def test_a_harmless_reverse_label_stays_allowed(guard: Guard) -> None:
    assert guard.scan_document("trang.png", reverse("HỎA TỐC", 10.0)).action.value == "allow"


def test_a_speck_of_solid_ink_is_no_box_of_letters() -> None:
    """A region a few pixels high (a faint speck) cannot be cut inside its edge: it is left alone."""
    from bot.guard.reading import _knocked_out

    assert _knocked_out(Image.new("L", (40, 3), 255)) is None
    assert _knocked_out(Image.new("L", (60, 40), 0)) is None  # no ink at all
