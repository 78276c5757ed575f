"""A picture with two markings is blocked at the higher (issue 24, item 5, round two): the first
stamp read is not the picture's level. A red `MẬT` is read (red regions first) before a black
`TỐI MẬT` on the page or a typed `Độ mật: A` field; the picture carries the higher marking."""

from __future__ import annotations

import pytest
from PIL import Image

from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr

BLACK = (15, 15, 15)


def two_marks(lines: list[str], stamps: list[tuple[str, tuple[int, int], tuple[int, int, int]]]) -> Image.Image:
    page = corpus.page(lines)
    for text, at, ink in stamps:
        corpus.stamp(page, text, at, size=52, ink=ink)
    return page


RED = corpus.RED
CASES = {
    "red MẬT, black TỐI MẬT beside it": (corpus.LETTER, [("MẬT", (120, 60), RED), ("TỐI MẬT", (700, 60), BLACK)],
                                         False, "toi_mat"),
    "red MẬT, black TUYỆT MẬT at the foot": (corpus.LETTER, [("MẬT", (820, 60), RED),
                                                             ("TUYỆT MẬT", (120, 1500), BLACK)], False, "tuyet_mat"),
    "field Độ mật: A above, red MẬT": (["Độ mật: A", *corpus.LETTER],
                                       [("MẬT", (120, 60), RED), ("HỎA TỐC", (700, 60), RED)], False, "tuyet_mat"),
    "field Độ mật: B below, red MẬT": ([*corpus.LETTER, "Độ mật: B"], [("MẬT", (120, 60), RED)], False, "toi_mat"),
    "photo: red MẬT, black TỐI MẬT": (corpus.LETTER, [("MẬT", (800, 1450), RED), ("TỐI MẬT", (120, 60), BLACK)],
                                      True, "toi_mat"),
}


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_a_picture_with_two_markings_is_blocked_at_the_higher(guard: Guard, name: str) -> None:
    lines, stamps, photo, level = CASES[name]
    picture = two_marks(lines, stamps)
    if photo:
        picture = corpus.photographed(picture, 3)
    verdict = guard.scan_document("photo.jpg", corpus.encode(picture, "JPEG", quality=85))
    assert verdict.action.value == "block"
    assert verdict.level is not None and verdict.level.value == level, name


@requires_ocr
@pytest.mark.slow
def test_a_picture_with_one_marking_keeps_its_level(guard: Guard) -> None:
    picture = two_marks(corpus.LETTER, [("MẬT", (120, 60), corpus.RED), ("HỎA TỐC", (700, 60), BLACK)])
    verdict = guard.scan_document("photo.jpg", corpus.encode(picture, "JPEG", quality=85))
    assert verdict.level is not None and verdict.level.value == "mat"
