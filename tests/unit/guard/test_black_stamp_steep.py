"""A black stamp pressed steeply over typed lines (issue 24, item 5, red team): MẬT at −40°. Its
heavy letters were found, but the page had read the typed lines round it with confidence, and a
heavy mark inside such a block was taken for a bold heading and skipped; and when read, it was
levelled by the typed strokes it touches rather than by its own. A heavy mark at a slant on the
straightened page is no heading, and is levelled by its heavy strokes alone."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr

GREY = (35, 35, 35)


def pressed(text: str, at: tuple[int, int], tilt: float, font: str = "sans-bold") -> bytes:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, text, at, size=56, ink=GREY, tilt=tilt, font=font)
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize(("text", "at", "tilt", "font", "level"), [
    ("MẬT", (350, 330), -40.0, "sans-bold", "mat"),
    # a serif face: levelled by its heavy strokes alone it reads a degree off; by its own tilt, right
    ("TỐI MẬT", (250, 330), -30.0, "serif-bold", "toi_mat"),
])
def test_a_black_stamp_at_a_steep_slant_over_typed_lines_is_read(guard: Guard, text: str, at: tuple[int, int],
                                                                 tilt: float, font: str, level: str) -> None:
    verdict = guard.scan_document("cong-van.png", pressed(text, at, tilt, font))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
@pytest.mark.parametrize("tilt", [35.0, -40.0])
def test_a_black_urgency_stamp_at_a_slant_stays_allowed(guard: Guard, tilt: float) -> None:
    assert guard.scan_document("cong-van.png", pressed("HỎA TỐC", (300, 330), tilt)).action.value == "allow"
