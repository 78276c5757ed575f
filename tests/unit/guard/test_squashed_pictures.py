"""A picture squashed to a few dozen pixels high (issue 24, item 5, round two): a stamp scaled
small and sent, its letters 5 to 7 pixels. Its red is a blur (JPEG keeps colour at half the
resolution of light) and the 3-times enlargement of small pictures left its letters unread; it is
read whole, as light, enlarged to a line's reading height."""

from __future__ import annotations

import pytest
from PIL import Image

from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr

CASES = [("MẬT", 16, "sans-bold", "PNG", "mat"), ("SECRET", 12, "sans-bold", "PNG", "toi_mat"),
         ("TUYỆT MẬT", 14, "sans-bold", "JPEG", "tuyet_mat"), ("TUYỆT MẬT", 16, "serif-bold", "JPEG", "tuyet_mat"),
         ("TỐI MẬT", 16, "condensed-bold", "JPEG", "toi_mat")]


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize(("text", "height", "font", "fmt", "level"), CASES)
def test_a_stamp_squashed_small_is_read(guard: Guard, text: str, height: int, font: str, fmt: str,
                                        level: str) -> None:
    picture = corpus.encode(corpus.squashed(text, height, font), fmt, quality=70)
    verdict = guard.scan_document("stamp.jpg", picture)
    assert verdict.action.value == "block", (text, height, font)
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize("text", ["HỎA TỐC", "Xin chào", "MẬT ONG"])
def test_a_harmless_label_squashed_small_stays_allowed(guard: Guard, text: str) -> None:
    for height in (12, 16, 24):
        verdict = guard.scan_document("label.png", corpus.encode(corpus.squashed(text, height), "PNG"))
        assert verdict.action.value == "allow", (text, height)


@requires_ocr
@pytest.mark.slow
def test_a_tiny_blank_picture_is_allowed(guard: Guard) -> None:
    verdict = guard.scan_document("dot.png", corpus.encode(Image.new("RGB", (30, 12), "white"), "PNG"))
    assert verdict.action.value == "allow"
