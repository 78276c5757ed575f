"""Pictures sent together (a Telegram album) seen as a reader sees them: side by side or one above
the other. A stamp cut into two halves, one per photo, is no stamp in either photo alone; laid
next to each other the halves make it whole again. Each pair of an album's pictures is stitched
both ways round, left|right and top/bottom, and the stitched picture is judged as any image.

The halves are brought to one height (side by side) or one width (stacked) first: a client may
send them at different sizes. Pure pixels; what counts as one album is the caller's business.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

from PIL import Image

from bot.guard.pictures import decode
from bot.guard.policy import ImageLimits

LONGEST_SIDE = 2400  # pixels: a stitched pair is reduced to this, so it costs about one photo's read


def stitched(first: bytes, second: bytes, limits: ImageLimits) -> Iterator[bytes]:
    """PNG pictures of the pair as they may have been cut: `first` left of `second`, above it, and
    the same in the other order (an album's order is the sender's to choose). Raises PictureError
    when either cannot be decoded (the caller blocks: fail closed)."""
    a, b = decode(first, limits), decode(second, limits)
    for left, right in ((a, b), (b, a)):
        yield _png(_side_by_side(left, right))
        yield _png(_stacked(left, right))


def strip(pictures: Sequence[bytes], limits: ImageLimits) -> Iterator[bytes]:
    """PNG pictures of three or more pieces laid in a row and in a column, in the album's order and
    in the reverse. A stamp cut into thirds is whole in no pair; the order a sender gives an album
    is the order a reader sees, so the cut's order is the album's (or, for a sender who reversed it,
    the reverse) — the other orders are not tried (they grow as n!). Raises PictureError as
    `stitched` does."""
    images = [decode(picture, limits) for picture in pictures]
    for ordered in (images, images[::-1]):
        row = ordered[0]
        column = ordered[0]
        for image in ordered[1:]:
            row = _side_by_side(row, image)
            column = _stacked(column, image)
        yield _png(row)
        yield _png(column)


def _side_by_side(left: Image.Image, right: Image.Image) -> Image.Image:
    height = max(left.height, right.height)
    left, right = _to_height(left, height), _to_height(right, height)
    both = Image.new("RGB", (left.width + right.width, height), (255, 255, 255))
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    return _reduced(both)


def _stacked(top: Image.Image, bottom: Image.Image) -> Image.Image:
    width = max(top.width, bottom.width)
    top, bottom = _to_width(top, width), _to_width(bottom, width)
    both = Image.new("RGB", (width, top.height + bottom.height), (255, 255, 255))
    both.paste(top, (0, 0))
    both.paste(bottom, (0, top.height))
    return _reduced(both)


def _to_height(image: Image.Image, height: int) -> Image.Image:
    if image.height == height:
        return image
    return image.resize((max(1, round(image.width * height / image.height)), height), Image.Resampling.LANCZOS)


def _to_width(image: Image.Image, width: int) -> Image.Image:
    if image.width == width:
        return image
    return image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)


def _reduced(image: Image.Image) -> Image.Image:
    if max(image.size) > LONGEST_SIDE:
        image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    return image


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()
