"""Stamps pressed at angles that level them upside down (issue 24, item 5, red team): a stamp at
135°, 250° or -150° sits in a squarish box, so the region was never tried the other way up; its
long axis levels it, but on its head, and the picture was allowed. A levelled stamp that reads as
nothing and lies in a line is now read turned half round too."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


def stamped(text: str, tilt: float, font: str = "sans-bold") -> bytes:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, text, (600, 40), tilt=tilt, font=font)
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize(("text", "tilt", "font", "level"), [
    ("TỐI MẬT", 135.0, "sans-bold", "toi_mat"),
    ("TỐI MẬT", 250.0, "sans-bold", "toi_mat"),
    ("TUYỆT MẬT", -150.0, "serif-bold", "tuyet_mat"),
])
def test_a_red_stamp_levelled_upside_down_is_read(guard: Guard, text: str, tilt: float, font: str,
                                                  level: str) -> None:
    verdict = guard.scan_document("cong-van.png", stamped(text, tilt, font))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
@pytest.mark.parametrize(("text", "tilt"), [("HỎA TỐC", 135.0), ("THƯỢNG KHẨN", -145.0), ("BẢN SAO", 200.0)])
def test_a_harmless_stamp_upside_down_stays_allowed(guard: Guard, text: str, tilt: float) -> None:
    assert guard.scan_document("cong-van.png", stamped(text, tilt)).action.value == "allow"
