"""A stamped page cut through its stamp into two photos, as an album carries a stamp cut in halves
(issue 24): for the guard's stitching tests and the album service's."""

from __future__ import annotations

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
