"""A transparent picture that mixes dark and light ink shows each on one theme only: dark lines on a
light theme, a white stamp on a dark one. It was composited for its dominant ink alone, so a small
white TỐI MẬT among dark lines (or a black MẬT among white ones) was never seen and the picture
allowed (issue 24, item 5). Both views are read now."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bot.guard.engine import Guard
from bot.guard.pictures import _on_a_background
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr

WHITE, BLACK = (255, 255, 255), (25, 25, 25)


def mixed(lines_ink: tuple[int, int, int], stamp_ink: tuple[int, int, int], stamp: str) -> Image.Image:
    """Typed lines in one ink and a framed stamp in the other, on a transparent canvas."""
    picture = Image.new("RGBA", (1240, 900), (*lines_ink, 0))
    draw = ImageDraw.Draw(picture)
    for i, line in enumerate(corpus.LETTER):
        draw.text((80, 260 + i * 54), line, fill=(*lines_ink, 255), font=corpus.face("serif", 30))
    draw.rectangle((700, 50, 1040, 160), outline=(*stamp_ink, 255), width=5)
    draw.text((730, 70), stamp, fill=(*stamp_ink, 255), font=corpus.face("sans-bold", 56))
    return picture


@requires_ocr
@pytest.mark.parametrize(("lines_ink", "stamp_ink"), [(BLACK, WHITE), (WHITE, BLACK)],
                         ids=["white-stamp-among-dark-lines", "black-stamp-among-white-lines"])
def test_a_stamp_in_the_minority_ink_is_read(guard: Guard, lines_ink: tuple[int, int, int],
                                             stamp_ink: tuple[int, int, int]) -> None:
    verdict = guard.scan_document("trang.png", corpus.encode(mixed(lines_ink, stamp_ink, "TỐI MẬT"), "PNG"))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == "toi_mat"


@requires_ocr
def test_a_mixed_picture_without_a_marking_stays_allowed(guard: Guard) -> None:
    verdict = guard.scan_document("trang.png", corpus.encode(mixed(BLACK, WHITE, "KHẨN"), "PNG"))
    assert verdict.action.value == "allow", verdict


def test_both_themes_are_shown_only_when_both_inks_are_there() -> None:
    both = _on_a_background(mixed(BLACK, WHITE, "KHẨN"))
    assert both.height > 2 * 900  # the light theme's view above the dark theme's
    one = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(one).text((20, 60), "THÔNG BÁO", fill=(*BLACK, 255), font=corpus.face("sans-bold", 40))
    assert _on_a_background(one).size == (400, 200)
