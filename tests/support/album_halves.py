"""A stamped page cut through its stamp into two or more photos, as an album carries a stamp cut in
pieces (issue 24): for the guard's stitching tests and the album service's."""

from __future__ import annotations

from itertools import pairwise

from bot.guard import ink
from tests.support import image_corpus as corpus


def halves(text: str, cut: str) -> tuple[bytes, bytes]:
    """A stamped page cut through its stamp: `lr` down through the letters (about two thirds along),
    `tb` across them (half way up), as two JPEG photos."""
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, text, (420, 60), size=60)
    left, top, right, bottom = ink.redness(page).point(lambda v: 255 if v > 90 else 0).getbbox() or (0, 0, 0, 0)
    if cut == "lr":
        x = left + round(0.62 * (right - left))
        parts = ((0, 0, x, page.height), (x, 0, page.width, page.height))
    else:
        y = (top + bottom) // 2
        parts = ((0, 0, page.width, y), (0, y, page.width, page.height))
    first, second = (corpus.encode(page.crop(part), "JPEG", quality=90) for part in parts)
    return first, second


def pieces(text: str, count: int, cut: str = "lr") -> list[bytes]:
    """A stamped page cut through its stamp into `count` photos: `lr` by vertical cuts spread evenly
    across the stamp's letters, `tb` by horizontal cuts across them."""
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, text, (420, 60), size=60)
    left, top, right, bottom = ink.redness(page).point(lambda v: 255 if v > 90 else 0).getbbox() or (0, 0, 0, 0)
    if cut == "lr":
        cuts = [0] + [left + round(i * (right - left) / count) for i in range(1, count)] + [page.width]
        parts = [(a, 0, b, page.height) for a, b in pairwise(cuts)]
    else:
        cuts = [0] + [top + round(i * (bottom - top) / count) for i in range(1, count)] + [page.height]
        parts = [(0, a, page.width, b) for a, b in pairwise(cuts)]
    return [corpus.encode(page.crop(part), "JPEG", quality=90) for part in parts]


def quarters(text: str) -> list[bytes]:
    """A stamped page cut into a 2 × 2 grid through the middle of its stamp, as four JPEG photos:
    top left, top right, bottom left, bottom right."""
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, text, (420, 60), size=60)
    left, top, right, bottom = ink.redness(page).point(lambda v: 255 if v > 90 else 0).getbbox() or (0, 0, 0, 0)
    x, y = (left + right) // 2, (top + bottom) // 2
    parts = ((0, 0, x, y), (x, 0, page.width, y), (0, y, x, page.height), (x, y, page.width, page.height))
    return [corpus.encode(page.crop(part), "JPEG", quality=90) for part in parts]
