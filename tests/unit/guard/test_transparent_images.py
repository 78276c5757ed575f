"""A white stamp on a transparent PNG is invisible on a light theme and plain on a dark one; it was
composited on white only and allowed. Transparent pictures are read as the theme that shows them."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.guard.engine import Guard
from bot.guard.ocr import ocr_status
from tests.support import image_corpus

pytestmark = pytest.mark.skipif(not ocr_status().available,
                                reason="needs Debian's tesseract-ocr and tesseract-ocr-vie")


def transparent(text: str, ink: tuple[int, int, int]) -> bytes:
    shape = image_corpus.stamp_alone(text).convert("L")
    picture = Image.new("RGBA", shape.size, (*ink, 0))
    picture.putalpha(shape.point(lambda v: 255 - v))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("ink", [(255, 255, 255), (20, 20, 20)], ids=["white-for-dark-theme", "black"])
def test_a_stamp_on_a_transparent_png_is_read_whatever_its_ink(guard: Guard, ink: tuple[int, int, int]) -> None:
    verdict = guard.scan_document("dau.png", transparent("TỐI MẬT", ink))
    assert verdict.action.value == "block", verdict


def test_a_white_heading_on_a_transparent_png_stays_allowed(guard: Guard) -> None:
    verdict = guard.scan_document("tieu-de.png", transparent("THÔNG BÁO", (255, 255, 255)))
    assert verdict.action.value == "allow", verdict
