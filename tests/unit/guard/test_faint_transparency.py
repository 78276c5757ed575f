"""A stamp drawn partly transparent on a transparent PNG (issue 24, item 5, red team): a white
TỐI MẬT at a third of full opacity shows plainly on a dark theme, but no pixel reached the
half-opacity the picture's ink was measured from, so it was laid on white, invisible, and allowed.
A faint picture's opacity is now read relative to its strongest pixel."""

from __future__ import annotations

import pytest
from PIL import Image

from bot.guard.engine import Guard
from bot.guard.pictures import _on_a_background
from tests.support import image_corpus
from tests.support.tools import requires_ocr


def faint(text: str, ink: tuple[int, int, int], strength: float) -> Image.Image:
    shape = image_corpus.stamp_alone(text).convert("L")
    picture = Image.new("RGBA", shape.size, (*ink, 0))
    picture.putalpha(shape.point(lambda v: round((255 - v) * strength)))
    return picture


@requires_ocr
@pytest.mark.parametrize(("text", "ink", "strength", "level"), [
    ("TỐI MẬT", (255, 255, 255), 0.55, "toi_mat"),  # white, for a dark theme: at most 93 of 255 opaque
    ("TUYỆT MẬT", (255, 255, 255), 0.3, "tuyet_mat"),
    ("MẬT", image_corpus.RED, 0.4, "mat"),  # red at 40 %: pale pink on a light theme
])
def test_a_faint_stamp_on_a_transparent_png_is_read(guard: Guard, text: str, ink: tuple[int, int, int],
                                                    strength: float, level: str) -> None:
    verdict = guard.scan_document("dau.png", image_corpus.encode(faint(text, ink, strength), "PNG"))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
def test_a_faint_white_heading_stays_allowed(guard: Guard) -> None:
    heading = image_corpus.encode(faint("THÔNG BÁO", (255, 255, 255), 0.4), "PNG")
    assert guard.scan_document("tieu-de.png", heading).action.value == "allow"


def test_a_faint_white_picture_is_shown_as_on_a_dark_theme() -> None:
    shown = _on_a_background(faint("MẬT", (255, 255, 255), 0.3)).convert("L")
    assert shown.getextrema()[0] < 60  # its strongest ink is drawn dark, as solid white shows on dark


def test_a_picture_with_nothing_drawn_stays_blank() -> None:
    nothing = Image.new("RGBA", (50, 50), (255, 255, 255, 0))
    assert _on_a_background(nothing).convert("L").getextrema() == (255, 255)
