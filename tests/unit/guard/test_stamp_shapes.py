"""Stamps OCR cannot read as they stand (issue 24, item 5): text round a round seal's ring, outlined
(hollow) letters, letters stacked one per line. Each was allowed; now the ring is unrolled into a
strip, outlines are filled, and a column is set in a line before it is read."""

from __future__ import annotations

import math

import pytest
from PIL import Image, ImageDraw

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr

BLACK = (30, 30, 30)


def ring_seal(img: Image.Image, centre: tuple[int, int], radius: int, text: str,
              colour: tuple[int, int, int] = corpus.RED, size: int = 30) -> None:
    """A round seal whose ring carries `text` along its top, letters standing outwards."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    cx, cy = centre
    for r, width in ((radius, 6), (radius - size - 18, 3)):
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(*colour, 230), width=width)
    font = corpus.face("sans-bold", size)
    span = min(300.0, math.degrees(len(text) * size * 0.8 / (radius - size)))
    for i, char in enumerate(text):
        angle = -span / 2 + i * span / max(1, len(text) - 1)
        glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        box = ImageDraw.Draw(glyph).textbbox((0, 0), char, font=font)
        ImageDraw.Draw(glyph).text((size - (box[0] + box[2]) / 2, size - (box[1] + box[3]) / 2), char,
                                   fill=(*colour, 230), font=font)
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        along = radius - 10 - size / 2
        x = cx + along * math.sin(math.radians(angle)) - size
        y = cy - along * math.cos(math.radians(angle)) - size
        layer.alpha_composite(glyph, (int(x), int(y)))
    img.paste(layer, (0, 0), layer)


def hollow(img: Image.Image, text: str, at: tuple[int, int], colour: tuple[int, int, int]) -> None:
    ImageDraw.Draw(img).text(at, text, fill="white", font=corpus.face("sans-bold", 64), stroke_width=3,
                             stroke_fill=colour)


def column(img: Image.Image, text: str, at: tuple[int, int], colour: tuple[int, int, int]) -> None:
    """One letter per line, a blank between words."""
    draw = ImageDraw.Draw(img)
    font = corpus.face("sans-bold", 44)
    x, y = at
    for char in text:
        if char == " ":
            y += 22
            continue
        box = draw.textbbox((0, 0), char, font=font)
        draw.text((x - (box[0] + box[2]) // 2, y - box[1]), char, fill=colour, font=font)
        y += 59


def judged(guard: Guard, img: Image.Image) -> tuple[str, str | None]:
    verdict = guard.scan_document("trang.png", corpus.encode(img, "PNG"))
    return verdict.action.value, verdict.level.value if verdict.level else None


@requires_ocr
@pytest.mark.parametrize("text", ["TUYỆT MẬT", "TỐI MẬT"])
def test_a_marking_round_a_seals_ring_is_read(guard: Guard, text: str) -> None:
    page = corpus.page(corpus.LETTER)
    ring_seal(page, (900, 1350), 170, text)
    assert judged(guard, page)[0] == "block"


@requires_ocr
def test_an_agencys_seal_stays_allowed(guard: Guard) -> None:
    page = corpus.page(corpus.LETTER)
    ring_seal(page, (900, 1350), 170, "BỘ NGOẠI GIAO * HÀ NỘI")
    assert judged(guard, page) == ("allow", None)


@requires_ocr
@pytest.mark.parametrize("colour", [corpus.RED, BLACK], ids=["red", "black"])
def test_hollow_letters_are_read(guard: Guard, colour: tuple[int, int, int]) -> None:
    page = corpus.page(corpus.LETTER)
    hollow(page, "TUYỆT MẬT", (640, 80), colour)
    assert judged(guard, page) == ("block", "tuyet_mat")


@requires_ocr
def test_a_hollow_heading_stays_allowed(guard: Guard) -> None:
    page = corpus.page(corpus.LETTER)
    hollow(page, "THÔNG BÁO", (640, 80), corpus.RED)
    assert judged(guard, page) == ("allow", None)


@requires_ocr
@pytest.mark.parametrize("colour", [corpus.RED, BLACK], ids=["red", "black"])
def test_letters_stacked_one_per_line_are_read(guard: Guard, colour: tuple[int, int, int]) -> None:
    page = corpus.page(corpus.LETTER)
    column(page, "TỐI MẬT", (1150, 200), colour)
    assert judged(guard, page) == ("block", "toi_mat")


@requires_ocr
@pytest.mark.parametrize(("colour", "at", "photographed"), [
    (BLACK, (1175, 192), False), (corpus.RED, (1133, 348), True)], ids=["black-page", "red-photo"])
def test_a_long_column_of_letters_is_read(guard: Guard, colour: tuple[int, int, int], at: tuple[int, int],
                                          photographed: bool) -> None:
    """Eight letters a line apart: the page read takes each for a block, the red regions are one
    per letter; read down the column, they are one stamp."""
    page = corpus.page(corpus.LETTER)
    column(page, "TUYỆT MẬT", at, colour)
    picture = corpus.encode(corpus.photographed(page, 2.0), "JPEG", quality=85) if photographed else \
        corpus.encode(page, "PNG")
    assert guard.scan_document("trang.jpg", picture).action.value == "block"


def test_outlines_are_filled_and_solid_letters_left_alone() -> None:
    outlined = Image.new("L", (700, 160), 255)
    hollow_rgb = Image.new("RGB", outlined.size, "white")
    hollow(hollow_rgb, "TUYỆT MẬT", (20, 20), BLACK)
    filled = ink.fill_enclosed(hollow_rgb.convert("L"))
    assert filled is not None
    assert filled.histogram()[0] > 1.5 * hollow_rgb.convert("L").point(lambda v: 0 if v < 160 else 255).histogram()[0]
    ImageDraw.Draw(outlined).text((20, 20), "TUYỆT MẬT", fill=0, font=corpus.face("sans-bold", 64))
    assert ink.fill_enclosed(outlined) is None


def test_a_column_of_letters_becomes_a_line() -> None:
    img = Image.new("RGB", (200, 600), "white")
    column(img, "MẬT", (100, 60), BLACK)
    line = ink.column_as_line(img.convert("L"))
    assert line is not None and line.width > line.height  # the column stood taller than wide
    assert ink.column_as_line(Image.new("L", (200, 600), 255)) is None


def test_a_ring_unrolls_into_strips_and_a_square_is_not_round() -> None:
    img = Image.new("L", (400, 400), 0)
    ImageDraw.Draw(img).ellipse((20, 20, 380, 380), outline=255, width=8)
    assert ink.is_round(ink.Box(20, 20, 380, 380))
    assert not ink.is_round(ink.Box(0, 0, 400, 120))
    strips = ink.unwrap_ring(img)
    assert len(strips) == 2 and strips[0].width > 4 * strips[0].height
