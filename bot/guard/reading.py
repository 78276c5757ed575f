"""Reading one picture: its red stamps on their own first, then the whole page, straightened, then
what the page read skipped: the inside of frames and pictures.

The red regions are read first because they are small (a fraction of the page's reading time)
and are where a stamp is: a stamped photo is usually decided before its page is read at all.
The page read finds what is not red — a photocopied stamp, a marking typed in the text. Tesseract's
layout takes a short word in a ruled frame (a black `MẬT` stamp) for a drawing and leaves it
unread; the frames it found are read again on their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageOps

from bot.guard import ink
from bot.guard.ocr import PSM_SPARSE, OcrTimeoutError, Reader

LONGEST_SIDE = 3600  # larger pages are reduced: 300 dpi A4 is 3508 px, more adds time, not letters
SHORTEST_LONG_SIDE = 1000  # smaller pictures (a stamp pasted in a document) are enlarged to this
STAMP_HEIGHT = 160  # a red region is enlarged to at least this many pixels high before it is read
STAMP_TILT = 30.0  # degrees a stamp may be turned on its page


@dataclass(frozen=True)
class Piece:
    """Some text read from a picture; `stamps`: read from its red ink alone."""

    text: str
    stamps: bool


def sized(image: Image.Image) -> Image.Image:
    longest = max(image.size)
    if longest > LONGEST_SIDE:
        image = image.copy()
        image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    elif longest < SHORTEST_LONG_SIDE:
        factor = min(3.0, SHORTEST_LONG_SIDE / longest)
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)
    return image


def read_picture(image: Image.Image, deadline: float) -> Iterator[Piece]:
    """The red stamps' text, then the page's; raises OcrTimeoutError past `deadline` (monotonic)."""
    reader = Reader.here()
    image = sized(image)
    red = ink.redness(image)
    regions = ink.red_regions(red)
    if regions:
        texts = [reader.read(_stamp_image(red, box, image.size), PSM_SPARSE, _left(deadline)) for box in regions]
        yield Piece("\n\n".join(texts), stamps=True)
    grey = ink.flatten_light(image.convert("L"))
    page = ink.level(grey, ink.skew_angle(ink.dark_ink(grey)))
    text, blocks = reader.read_page(page, _left(deadline))
    yield Piece(text, stamps=False)
    frames = ink.frames([ink.Box(*block) for block in blocks], page.size)
    if frames:
        texts = [reader.read(_framed(page, box), PSM_SPARSE, _left(deadline)) for box in frames]
        yield Piece("\n\n".join(texts), stamps=True)


def _framed(page: Image.Image, box: ink.Box) -> Image.Image:
    """What a frame holds (a black stamp, a photocopied one), large enough to read."""
    return ink.upscale_to(page.crop((box.left, box.top, box.right, box.bottom)), STAMP_HEIGHT)


def _stamp_image(red: Image.Image, box: ink.Box, size: tuple[int, int]) -> Image.Image:
    """The red ink of one region, black on white, levelled and large enough to read."""
    padded = box.padded(max(6, box.height // 6), *size)
    crop = red.crop((padded.left, padded.top, padded.right, padded.bottom))
    strokes = crop.point(lambda v: 0 if v < 30 else min(255, (v - 30) * 3))  # ink white on black
    angle = ink.skew_angle(strokes, STAMP_TILT)
    levelled = ink.level(strokes, angle, fill=0)
    return ink.upscale_to(ImageOps.invert(levelled), STAMP_HEIGHT)


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OcrTimeoutError("no time left to read the image")
    return left
