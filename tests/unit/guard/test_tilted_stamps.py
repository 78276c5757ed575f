"""Stamps pressed at any angle (issue 24, item 5): a hand stamp lands at 40°-60° as often as level.
The stamp's levelling searched only ±30°, so a red TUYỆT MẬT at 45° was read as nothing and the
picture allowed. Now the stamp's long axis (its second moments) gives its tilt at any angle."""

from __future__ import annotations

import math

import pytest
from PIL import Image, ImageDraw

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


def tilted_page(text: str, tilt: float, photographed: bool = False) -> bytes:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, text, (640, 40), tilt=tilt)
    if photographed:
        return corpus.encode(corpus.photographed(page, -2), "JPEG", quality=85)
    return corpus.encode(page, "PNG")


@requires_ocr
@pytest.mark.parametrize("tilt", [40.0, 50.0, 60.0, 75.0, -45.0, -65.0])
def test_a_red_stamp_at_a_steep_angle_is_read(guard: Guard, tilt: float) -> None:
    verdict = guard.scan_document("cong-van.png", tilted_page("TUYỆT MẬT", tilt))
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == "tuyet_mat"


@requires_ocr
def test_a_photographed_page_with_a_stamp_at_55_degrees_is_read(guard: Guard) -> None:
    verdict = guard.scan_document("anh.jpg", tilted_page("TỐI MẬT", 55.0, photographed=True))
    assert verdict.action.value == "block", verdict


@requires_ocr
@pytest.mark.parametrize("tilt", [45.0, -55.0])
def test_a_harmless_red_stamp_at_a_steep_angle_stays_allowed(guard: Guard, tilt: float) -> None:
    verdict = guard.scan_document("cong-van.png", tilted_page("HỎA TỐC", tilt))
    assert verdict.action.value == "allow", verdict


def bar(angle: float) -> Image.Image:
    """A white bar on black turned `angle` degrees counter-clockwise: a stamp's marks, schematic."""
    image = Image.new("L", (400, 400), 0)
    dx, dy = math.cos(math.radians(angle)), -math.sin(math.radians(angle))
    ImageDraw.Draw(image).line((200 - 150 * dx, 200 - 150 * dy, 200 + 150 * dx, 200 + 150 * dy), fill=255, width=30)
    return image


@pytest.mark.parametrize("angle", [15.0, 45.0, 60.0, -50.0])
def test_the_long_axis_gives_the_turn_that_levels_a_mark(angle: float) -> None:
    levelling = ink.long_axis(bar(angle))
    assert levelling is not None
    assert abs(levelling + angle) < 1.5  # turned back by as much as it was turned


def test_a_round_mark_has_no_long_axis() -> None:
    ring = Image.new("L", (300, 300), 0)
    ImageDraw.Draw(ring).ellipse((20, 20, 280, 280), outline=255, width=12)
    assert ink.long_axis(ring) is None


def test_a_steep_stamp_is_levelled_by_its_axis_not_the_narrow_search() -> None:
    assert abs(ink.stamp_angle(bar(50.0), 30.0) + 50.0) < 3
    assert abs(ink.stamp_angle(bar(10.0), 30.0) + 10.0) < 2  # within the search: the search's answer


@requires_ocr
@pytest.mark.parametrize("tilt", [45.0, -60.0])
def test_the_everyday_word_at_a_steep_angle_on_a_photo_stays_allowed(guard: Guard, tilt: float) -> None:
    """MẶT TRẬN (a front), read right in red; the passes that look at the grey page must not read
    it again without its diacritics, as MAT."""
    assert guard.scan_document("anh.jpg", tilted_page("MẶT TRẬN", tilt, photographed=True)).action.value == "allow"
