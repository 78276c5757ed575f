"""A black (photocopied) stamp pressed over typed lines (issue 24, item 5; a known gap in the
README): the page read takes the stamp's letters and the lines under them for one garbled block,
and the picture was allowed. Marks drawn in strokes far heavier than typed text are now read
without the lines under them."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr

GREY = (35, 35, 35)


def pressed(text: str, at: tuple[int, int], tilt: float = 0.0) -> bytes:
    page = corpus.page(corpus.LETTER)
    serif = text == "TUYỆT MẬT"
    corpus.stamp(page, text, at, size=48 if serif else 56, ink=GREY, tilt=tilt,
                 font="serif-bold" if serif else "sans-bold")
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize(("text", "at", "tilt", "level"), [
    ("TỐI MẬT", (300, 380), 0.0, "toi_mat"),
    ("MẬT", (420, 420), 3.0, "mat"),
    ("TUYỆT MẬT", (247, 391), 2.8, "tuyet_mat"),  # a serif face: its hairlines are as thin as typed text
])
def test_a_black_stamp_over_typed_lines_is_read(guard: Guard, text: str, at: tuple[int, int], tilt: float,
                                                level: str) -> None:
    verdict = guard.scan_document("cong-van.png", pressed(text, at, tilt))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
def test_a_black_stamp_over_a_paragraph_on_a_phone_photo_is_read(guard: Guard) -> None:
    """The page read took the stamp for part of the paragraph, read with confidence as a whole."""
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, "MẬT", (233, 508), size=49, ink=GREY, tilt=0.5, font="condensed-bold")
    photo = corpus.encode(corpus.photographed(page, 2.0), "JPEG", quality=85)
    assert guard.scan_document("anh.jpg", photo).action.value == "block"


@requires_ocr
def test_a_black_urgency_stamp_over_typed_lines_stays_allowed(guard: Guard) -> None:
    assert guard.scan_document("cong-van.png", pressed("KHẨN", (300, 380))).action.value == "allow"


@requires_ocr
def test_a_letter_with_a_bold_heading_stays_allowed(guard: Guard) -> None:
    page = corpus.page(corpus.LETTER, headline=("THÔNG BÁO KẾT LUẬN", (0, 0, 0)))
    assert guard.scan_document("thong-bao.png", corpus.encode(page, "PNG")).action.value == "allow"
