"""Pixel work before OCR: straightening a page, and finding the red ink that stamps are made of.

Decree 63/2026 (as Circular 24/2020 before it) prescribes red ink for the secrecy stamps. Red ink
is easy to tell from black text and white paper, so its regions are cut out and read on their
own, with everything that is not red removed: a small stamp is then not lost in a page of text,
and a stamp pressed over typed lines reads as the stamp alone. Pillow only, no NumPy: the images
are reduced before anything is counted in Python.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageMath

REDNESS_INK = 60  # red minus the larger of green and blue, 0..255: ink, not pink paper or skin
GRID_CELLS = 400  # the long side of the grid regions are found on
MAX_REGIONS = 8
MAX_INK_SHARE = 0.45  # more red than this is a red picture or a red light, not stamps on paper
MIN_REGION_PIXELS = 14  # shorter or narrower than this holds no readable letter


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def area(self) -> int:
        return self.width * self.height

    def union(self, other: Box) -> Box:
        return Box(min(self.left, other.left), min(self.top, other.top), max(self.right, other.right),
                   max(self.bottom, other.bottom))

    def padded(self, pad: int, width: int, height: int) -> Box:
        return Box(max(0, self.left - pad), max(0, self.top - pad), min(width, self.right + pad),
                   min(height, self.bottom + pad))


# -- straightening ------------------------------------------------------------------------------


def _row_profile_score(image: Image.Image) -> float:
    """How sharply the rows alternate between ink and paper: highest when text lines are level."""
    rows = image.resize((1, image.height), Image.Resampling.BOX).tobytes()
    return float(sum((a - b) * (a - b) for a, b in itertools.pairwise(rows)))


def skew_angle(ink: Image.Image, limit: float = 20.0) -> float:
    """The rotation (degrees, counter-clockwise) that levels the lines of `ink` (white ink on black).

    A projection profile: the sum of ink along rows is spikiest when lines are level. Searched
    coarse then fine on a reduced copy; a few dozen rotations of a small image cost tens of ms."""
    small = ink.copy()
    small.thumbnail((500, 500), Image.Resampling.BOX)

    def best(angles: Iterable[float]) -> float:
        return max(angles, key=lambda a: (_row_profile_score(small.rotate(a, Image.Resampling.BILINEAR)), -abs(a)))

    coarse = best([a / 1.0 for a in range(-int(limit), int(limit) + 1, 2)])
    return best([coarse + step / 4 for step in range(-8, 9)])


def dark_ink(grey: Image.Image) -> Image.Image:
    """Dark marks of a grey page as white on black, for measuring skew."""
    reference = sorted(grey.reduce(max(1, min(grey.size) // 64)).tobytes())
    paper = reference[len(reference) * 3 // 4]  # the page's paper, whatever the light
    threshold = max(0, paper - 60)
    return grey.point(lambda v: 255 if v < threshold else 0)


def level(image: Image.Image, angle: float, fill: int | tuple[int, int, int] = 255) -> Image.Image:
    if abs(angle) < 0.2:
        return image
    return image.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def flatten_light(grey: Image.Image) -> Image.Image:
    """Even out uneven lighting (a shadow across a photographed page): divide by the paper's light.

    The paper's brightness is estimated by a wide max filter on a reduced copy (text vanishes in
    it), then scaled back up; each pixel is expressed as a fraction of it."""
    factor = max(1, max(grey.size) // 200)
    small = grey.reduce(factor).filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.BoxBlur(4))
    paper = small.resize(grey.size, Image.Resampling.BILINEAR)
    flat: Image.Image = ImageMath.lambda_eval(
        lambda a: a["convert"](a["min"](a["grey"] * 255 / (a["paper"] + 1), 255), "L"), grey=grey, paper=paper)
    return flat


# -- red ink -----------------------------------------------------------------------------------


def redness(rgb: Image.Image) -> Image.Image:
    """Red minus the larger of green and blue, per pixel (0 for anything not red)."""
    red, green, blue = rgb.split()
    return ImageChops.subtract(red, ImageChops.lighter(green, blue))


def red_regions(red: Image.Image) -> list[Box]:
    """Boxes around the red marks of a page (stamps, seals, red headings), largest first.

    Found on a coarse grid: cells holding red ink, grown by a cell or two so the letters of a word
    join, labelled by a flood fill; then boxes on one line close to each other are merged, so an
    unbordered two-word stamp is read as one."""
    width, height = red.size
    factor = max(1, max(width, height) // GRID_CELLS)
    grid = red.point(lambda v: 255 if v > REDNESS_INK else 0).reduce(factor)
    cells = grid.point(lambda v: 255 if v > 24 else 0)
    grid_w, grid_h = cells.size
    on = bytearray(cells.tobytes())
    if sum(1 for v in on if v) > MAX_INK_SHARE * grid_w * grid_h:
        return []
    grown = bytearray(cells.filter(ImageFilter.MaxFilter(5)).tobytes())
    boxes: list[Box] = []
    for start in range(len(grown)):
        if not grown[start]:
            continue
        grown[start] = 0
        stack = [start]
        left, top, right, bottom = grid_w, grid_h, 0, 0
        inked = 0
        while stack:
            cell = stack.pop()
            y, x = divmod(cell, grid_w)
            if on[cell]:
                inked += 1
                left, top, right, bottom = min(left, x), min(top, y), max(right, x + 1), max(bottom, y + 1)
            for neighbour in (cell - 1 if x else -1, cell + 1 if x + 1 < grid_w else -1, cell - grid_w, cell + grid_w):
                if 0 <= neighbour < len(grown) and grown[neighbour]:
                    grown[neighbour] = 0
                    stack.append(neighbour)
        if inked:
            box = Box(left * factor, top * factor, min(width, right * factor), min(height, bottom * factor))
            if box.width >= MIN_REGION_PIXELS and box.height >= MIN_REGION_PIXELS // 2:
                boxes.append(box)
    return sorted(_merge_lines(boxes), key=lambda b: -b.area)[:MAX_REGIONS]


def _merge_lines(boxes: list[Box]) -> list[Box]:
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                a, b = merged[i], merged[j]
                overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
                gap = max(a.left, b.left) - min(a.right, b.right)
                if overlap > 0.5 * min(a.height, b.height) and gap < 1.5 * max(a.height, b.height):
                    merged[i] = a.union(b)
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def frames(blocks: list[Box], size: tuple[int, int]) -> list[Box]:
    """Ruled lines and pictures that Tesseract's layout found, joined where they touch into frames:
    those a stamp could be (not a whole table or page border), largest first."""
    width, height = size
    joined = _merge_touching(blocks, slack=max(4, min(size) // 200))
    kept = [box for box in joined if box.width >= 2 * MIN_REGION_PIXELS and box.height >= MIN_REGION_PIXELS
            and box.area <= 0.25 * width * height]
    return sorted(kept, key=lambda b: -b.area)[:MAX_REGIONS // 2]


def _merge_touching(boxes: list[Box], slack: int) -> list[Box]:
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                a, b = merged[i], merged[j]
                if a.left - slack <= b.right and b.left - slack <= a.right and \
                        a.top - slack <= b.bottom and b.top - slack <= a.bottom:
                    merged[i] = a.union(b)
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def upscale_to(image: Image.Image, min_height: int, most: float = 4.0) -> Image.Image:
    if image.height >= min_height:
        return image
    factor = min(most, min_height / max(1, image.height))
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)
