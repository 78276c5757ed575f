"""Pale and faded red stamps (issue 24, item 5, red team): a stamp pressed lightly in pink ink, or a
photo of a faded one, is plain to a reader but fell short of the redness red ink is found by, and
on a grey copy of the page it is too light to be ink: the picture was allowed. Where a picture has
no red at full strength, red ink of a faint hue — green and blue level, as red and pink ink have
them and skin does not — is now found and read as a fresh stamp is."""

from __future__ import annotations

import pytest
from PIL import Image, ImageEnhance

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


def pale(text: str, colour: tuple[int, int, int], tilt: float = 0.0, photographed: bool = False,
         faded: bool = False) -> bytes:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, text, (640, 60), ink=colour, tilt=tilt)
    if faded:  # a photo of a washed-out copy: everything a little grey, the stamp barely pink
        return corpus.encode(ImageEnhance.Contrast(corpus.photographed(page, 2)).enhance(0.6), "JPEG", quality=70)
    if photographed:
        return corpus.encode(corpus.photographed(page, -2), "JPEG", quality=80)
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize(("text", "colour", "tilt", "photographed", "faded", "level"), [
    ("TỐI MẬT", (250, 170, 170), 0.0, False, False, "toi_mat"),  # pale pink on a clean scan
    ("TUYỆT MẬT", (245, 170, 175), 40.0, True, False, "tuyet_mat"),  # pale, tilted, photographed
    ("MẬT", (235, 150, 150), 0.0, False, True, "mat"),  # a faded copy, photographed
])
def test_a_pale_red_stamp_is_read(guard: Guard, text: str, colour: tuple[int, int, int], tilt: float,
                                  photographed: bool, faded: bool, level: str) -> None:
    verdict = guard.scan_document("anh.jpg", pale(text, colour, tilt, photographed, faded))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


@requires_ocr
def test_pale_harmless_stamps_stay_allowed(guard: Guard) -> None:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, "ĐÃ XEM", (760, 60), ink=(245, 175, 175))
    corpus.stamp(page, "BẢN SAO", (700, 1300), ink=(240, 185, 185), tilt=8)
    photo = corpus.encode(corpus.photographed(page, 3), "JPEG", quality=70)
    assert guard.scan_document("anh.jpg", photo).action.value == "allow"


def test_faint_ink_is_found_in_pink_and_not_in_skin() -> None:
    picture = Image.new("RGB", (400, 200), (250, 250, 250))
    picture.paste((235, 160, 160), (20, 20, 180, 180))  # faded red ink: green and blue level
    picture.paste((224, 172, 150), (220, 20, 380, 180))  # skin, as faintly red, more green than blue
    faint = ink.faint_redness(picture, ink.redness(picture))
    assert ink.red_regions(ink.redness(picture)) == []  # too pale for full red
    assert faint.getpixel((100, 100)) >= ink.REDNESS_INK
    assert faint.getpixel((300, 100)) == 0
    assert [(box.left, box.right) for box in ink.red_regions(faint)] == [(20, 180)]


def test_faint_ink_on_a_large_page_is_found_through_the_reduced_look() -> None:
    page = Image.new("RGB", (2480, 3508), (250, 250, 250))
    for x in range(1600, 2200, 40):  # pale strokes 8 px thick, as a 300 dpi stamp's letters
        page.paste((240, 165, 168), (x, 200, x + 8, 320))
    assert ink.faint_ink(page, ink.redness(page)) is not None
    blank = Image.new("RGB", (2480, 3508), (250, 250, 250))
    assert ink.faint_ink(blank, ink.redness(blank)) is None
