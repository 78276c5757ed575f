"""A column of letters beside a paragraph (issue 24, item 5, red team): a black TỐI MẬT stacked one
letter per line in the margin of a photographed letter was allowed. Its letters, found as marks on
the page, grew into a column as tall as the paragraph beside it, and "one line" reaches as far as
one and a half times a line's height: the column was joined to the paragraph and never read as a
column. A column taller than its neighbour makes no line with it."""

from __future__ import annotations

from PIL import Image, ImageDraw

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr


@requires_ocr
def test_a_black_column_in_a_photos_margin_is_read(guard: Guard) -> None:
    page = corpus.page(corpus.LETTER)
    draw = ImageDraw.Draw(page)
    face = corpus.face("serif-bold", 40)
    y = 250
    for char in "TỐI MẬT":
        if char == " ":
            y += 27
            continue
        box = draw.textbbox((0, 0), char, font=face)
        draw.text((1150 - (box[0] + box[2]) // 2, y - box[1]), char, fill=(35, 35, 35), font=face)
        y += 55
    photo = corpus.encode(corpus.photographed(page, 2), "JPEG", quality=85)
    verdict = guard.scan_document("anh.jpg", photo)
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == "toi_mat"


def test_a_column_does_not_join_the_paragraph_beside_it() -> None:
    strength = Image.new("L", (1000, 700), 0)
    draw = ImageDraw.Draw(strength)
    draw.rectangle((100, 180, 600, 310), fill=255)  # three lines of a paragraph
    draw.rectangle((800, 100, 830, 400), fill=255)  # a column of letters, 200 px away
    assert len(ink.regions(strength, 128)) == 2
