"""Pixel work before OCR: straightening a page or a stamp, finding the red ink stamps are made of
and the marks a page read left, and erasing a stamp's frame.

Decree 63/2026 (as Circular 24/2020 before it) prescribes red ink for the secrecy stamps. Red ink
is easy to tell from black text and white paper, so its regions are cut out and read on their
own, with everything that is not red removed: a small stamp is then not lost in a page of text,
and a stamp pressed over typed lines reads as the stamp alone. Pillow only, no NumPy: the images
are reduced before anything is counted in Python.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageMath

REDNESS_INK = 90  # red's excess over green and blue as a share of red (0..255): ink, not paper or skin
MIN_RED = 40  # darker than this, colour is noise
FAINT_INK = 30  # redness of a pale or faded stamp's ink, looked for where no ink reaches REDNESS_INK
INK_HUE = 3  # red ink's green and blue differ by at most a third of its redness (skin's do by more)
FAINT_LOOK_SIDE = 1200  # pixels: the long side of the reduced copy faint ink is first looked for on
SKEW_SIDE = 400  # pixels: the reduced copy a skew is measured on
GRID_CELLS = 400  # the long side of the grid regions are found on
MAX_REGIONS = 8
MAX_INK_SHARE = 0.45  # more red than this is a red picture or a red light, not stamps on paper
MIN_REGION_PIXELS = 14  # shorter or narrower than this holds no readable letter
EDGE_SHARE = 0.3  # the top and bottom parts of a stamp's marks, where its frame runs
RULE_SHARE = 0.5  # an unbroken run across this share of the marks is a ruled line, not letters
SIDE_EDGE = 0.15  # the left and right parts, where the frame's sides run
SIDE_SHARE = 0.85  # a side runs across nearly the frame's height
SLANT_GAP = 0.5  # of a word's box's shorter side: the gap across which two slanted words are one line
SIDEWAYS = 1.5  # a mark this much taller than wide is a word on its side (a stamp on a turned page)
FRAME_SHARE = 0.25  # a frame larger than this share of the page is a table or the sheet itself


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
    small.thumbnail((SKEW_SIDE, SKEW_SIDE), Image.Resampling.BOX)

    def best(angles: Iterable[float]) -> float:
        return max(angles, key=lambda a: (_row_profile_score(small.rotate(a, Image.Resampling.BILINEAR)), -abs(a)))

    coarse = best([float(a) for a in range(-int(limit), int(limit) + 1, 3)])
    middle = best([coarse + step / 2 for step in range(-3, 4)])
    return best([middle + step / 4 for step in (-1, 0, 1)])


SWEEP_SIDE = 200  # pixels: the reduced copy the whole half turn is searched on
AXIS_SIDE = 160  # pixels: the reduced copy a stamp's long axis is measured on
AXIS_ELONGATION = 1.6  # a mark this much longer than thick has a long axis worth believing (a seal has none)
AXIS_UPRIGHT = 8.0  # degrees from vertical within which an axis is a quarter turn's business
AXIS_REFINE = 4.0  # degrees searched around the long axis: letters level a frame's own axis finely


def long_axis(ink: Image.Image) -> float | None:
    """The rotation (degrees, counter-clockwise) that lays the long axis of `ink` (white on black)
    level, from its second moments; None if the marks are not clearly longer than thick.

    A stamp is a line or two of letters, usually framed: far longer than thick at any angle, so its
    principal axis gives its tilt directly — a hand stamp at 40°-60° is beyond what a projection
    search can afford to sweep. One pass over a reduced copy: a few milliseconds."""
    small = ink.copy()
    small.thumbnail((AXIS_SIDE, AXIS_SIDE), Image.Resampling.BOX)
    width = small.width
    data = small.tobytes()
    count = sx = sy = sxx = syy = sxy = 0
    for position in (m.start() for m in _STRONG.finditer(data)):
        y, x = divmod(position, width)
        count += 1
        sx += x
        sy += y
        sxx += x * x
        syy += y * y
        sxy += x * y
    if count < 20:
        return None
    mx, my = sx / count, sy / count
    xx, yy, xy = sxx / count - mx * mx, syy / count - my * my, sxy / count - mx * my
    spread = math.hypot(xx - yy, 2 * xy)
    major, minor = (xx + yy + spread) / 2, (xx + yy - spread) / 2
    if minor <= 0 or major < AXIS_ELONGATION ** 2 * minor:
        return None
    # Image y runs down: the axis's angle below the x axis is the counter-clockwise turn that levels it.
    return math.degrees(0.5 * math.atan2(2 * xy, xx - yy))


def stamp_angle(ink: Image.Image, limit: float) -> float:
    """The rotation that levels one stamp at whatever angle it was pressed: the projection search
    within `limit`, or, when the stamp's long axis lies beyond it (a hand stamp at 40°-60°), that
    axis refined by a short search round it. Near-vertical axes are left to the quarter turns (a
    stamp on its side, a column of letters). Only a few rotations of a small crop."""
    axis = long_axis(ink)
    if axis is None or abs(axis) <= limit or abs(axis) > 90 - AXIS_UPRIGHT:
        return skew_angle(ink, limit)
    small = ink.copy()
    small.thumbnail((SKEW_SIDE, SKEW_SIDE), Image.Resampling.BOX)
    candidates = [axis + step for step in (-AXIS_REFINE, -AXIS_REFINE / 2, 0.0, AXIS_REFINE / 2, AXIS_REFINE)]
    # expanded, so no candidate loses the stamp's ends to the crop's corners
    return max(candidates, key=lambda a: _row_profile_score(small.rotate(a, Image.Resampling.BILINEAR, expand=True)))


def swept_angle(ink: Image.Image) -> float:
    """The rotation that levels the lines of `ink` (white on black) searched over the whole half
    turn: for a stamp with no long axis to go by (two lines in a squarish frame) pressed beyond the
    narrow search. Expanded, so no angle loses the stamp's corners; about sixty rotations of a
    small copy, spent only on a candidate that read as nothing."""
    small = ink.copy()
    small.thumbnail((SWEEP_SIDE, SWEEP_SIDE), Image.Resampling.BOX)

    def best(angles: Iterable[float]) -> float:
        return max(angles, key=lambda a: (_row_profile_score(small.rotate(a, Image.Resampling.BILINEAR, expand=True)),
                                          -abs(a)))

    coarse = best([float(a) for a in range(-90, 90, 3)])
    return best([coarse + step / 2 for step in range(-3, 4)])


_STRONG = re.compile(b"[\x80-\xff]")


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
    """How red each pixel is, whatever the light: red's excess over the larger of green and blue,
    as a share of red (0..255). Ink in a shadow and ink in sunlight score alike; grey, white,
    black and skin score low; too dark a pixel (its red under MIN_RED) is not judged at all."""
    red, green, blue = rgb.split()
    excess = ImageChops.subtract(red, ImageChops.lighter(green, blue))
    share: Image.Image = ImageMath.lambda_eval(
        lambda a: a["convert"](a["excess"] * 255 / (a["red"] + 1) * (a["red"] >= MIN_RED), "L"),
        excess=excess, red=red)
    return share


def faint_redness(rgb: Image.Image, red: Image.Image) -> Image.Image:
    """Pale or faded red ink (a stamp pressed lightly, a photo of a faded one) on the scale of full
    red, so it is found and read as a fresh stamp is: redness from FAINT_INK up, scaled by
    REDNESS_INK / FAINT_INK — but only where green and blue stand level, the hue of red and pink
    ink. Skin, wood and lamplight are as faintly red but hold more green than blue, and are left
    out. Used only on a picture with no red ink at full strength."""
    _, green, blue = rgb.split()
    excess = ImageChops.subtract(rgb.getchannel("R"), ImageChops.lighter(green, blue))
    tilt = ImageChops.difference(green, blue)
    faint: Image.Image = ImageMath.lambda_eval(
        lambda a: a["convert"](a["min"](a["red"] * REDNESS_INK / FAINT_INK, 255)
                               * (a["red"] >= FAINT_INK) * (a["tilt"] * INK_HUE <= a["excess"]), "L"),
        red=red, tilt=tilt, excess=excess)
    return faint


def faint_ink(rgb: Image.Image, red: Image.Image) -> Image.Image | None:
    """The faint red map of `rgb` (see faint_redness), or None when a reduced copy shows no faint
    ink at all — as in most pictures: the full map costs as much as the redness itself, the
    reduced look a tenth of it."""
    factor = max(1, max(rgb.size) // FAINT_LOOK_SIDE)
    if factor > 1:  # sampled, not averaged: a thin faint stroke averaged with paper fades away
        small = rgb.resize((rgb.width // factor, rgb.height // factor), Image.Resampling.NEAREST)
        if not red_regions(faint_redness(small, redness(small))):
            return None
    faint = faint_redness(rgb, red)
    return faint if red_regions(faint) else None


def stretch(red: Image.Image, floor: int = 50) -> Image.Image:
    """Redness rescaled so the region's strongest ink is full white: a faded or blurred stamp reads
    as well as a fresh one. Below `floor` is paper."""
    histogram = red.histogram()
    total = sum(histogram[floor:])
    strongest, seen = 255, 0
    for value in range(255, floor - 1, -1):  # the 98th percentile of the ink's redness
        seen += histogram[value]
        if seen >= 0.02 * total:
            strongest = value
            break
    span = max(20, strongest - floor)
    return red.point(lambda v: 0 if v < floor else min(255, (v - floor) * 255 // span))


def red_mask(red: Image.Image) -> Image.Image:
    """The red ink (and its blurred edge) as white on black, for taking it out of a grey page."""
    return red.point(lambda v: 255 if v > REDNESS_INK // 2 else 0).filter(ImageFilter.MaxFilter(5))


def red_regions(red: Image.Image) -> list[Box]:
    """Boxes around the red marks of a page (stamps, seals, red headings), largest first."""
    return regions(red, REDNESS_INK)


def mark_regions(strokes: Image.Image) -> list[Box]:
    """Boxes around the marks left on a page once its text was read (a stamp in a margin), largest
    first; what touches the picture's edge is the desk or a shadow around the sheet, not a mark."""
    width, height = strokes.size
    margin = max(4, min(width, height) // 50)
    return [box for box in regions(strokes, 128) if box.left > margin and box.top > margin
            and box.right < width - margin and box.bottom < height - margin
            and box.area <= FRAME_SHARE * width * height]


_INKED = re.compile(b"[^\x00]")  # the next inked cell, found in C rather than cell by cell in Python


def regions(strength: Image.Image, threshold: int) -> list[Box]:
    """Boxes around the marks of `strength` above `threshold`, largest first.

    Found on a coarse grid: cells holding red ink, grown by a cell or two so the letters of a word
    join, labelled by a flood fill; then boxes on one line close to each other are merged, so an
    unbordered two-word stamp is read as one."""
    width, height = strength.size
    factor = max(1, max(width, height) // GRID_CELLS)
    grid = strength.point(lambda v: 255 if v > threshold else 0).reduce(factor)
    cells = grid.point(lambda v: 255 if v > 24 else 0)
    grid_w, grid_h = cells.size
    on = bytearray(cells.tobytes())
    if sum(1 for v in on if v) > MAX_INK_SHARE * grid_w * grid_h:
        return []
    grown = bytearray(cells.filter(ImageFilter.MaxFilter(5)).tobytes())
    boxes: list[Box] = []
    next_cell = _INKED.search(grown)
    while next_cell is not None:
        start = next_cell.start()
        next_cell = _INKED.search(grown, start + 1)
        if not grown[start]:
            continue  # taken by an earlier region's flood fill
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
                if _one_line(a, b) or _one_column(a, b) or _stacked_letters(a, b) or _one_slanted_line(a, b):
                    merged[i] = a.union(b)
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def _one_line(a: Box, b: Box) -> bool:
    """Two words of one line (a tilted stamp's words stand a little apart in height), of one
    size, close together."""
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    gap = max(a.left, b.left) - min(a.right, b.right)
    similar = max(a.height, b.height) <= 2.5 * min(a.height, b.height)
    taller, shorter = (a, b) if a.height >= b.height else (b, a)
    if taller.height >= COLUMN * max(1, taller.width) and taller.height >= 1.5 * shorter.height:
        return False  # a column of letters beside a paragraph: its height is no line's, its reach none
    return similar and overlap > 0.3 * min(a.height, b.height) and gap < 1.5 * max(a.height, b.height)


def _one_slanted_line(a: Box, b: Box) -> bool:
    """Two words of one line pressed at a slant (an unframed stamp at 30°-60°): each word's box
    stands diagonally off the other's, corner to corner — too far up for one line, too far along
    for one column — and close, so they are read as the one stamp they are (`TỐI` and `MẬT` read
    apart give `MẬT` alone, a lower level)."""
    similar = max(a.height, b.height) <= 2.5 * min(a.height, b.height) and \
        max(a.width, b.width) <= 2.5 * min(a.width, b.width)
    x_overlap = min(a.right, b.right) - max(a.left, b.left)
    y_overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    reach = SLANT_GAP * min(a.height, b.height, a.width, b.width)
    return similar and -reach < x_overlap < 0.5 * min(a.width, b.width) and \
        -reach < y_overlap < 0.5 * min(a.height, b.height)


def _one_column(a: Box, b: Box) -> bool:
    """Two words of a stamp on its side: both standing on end, one above the other, close — one
    line, read with the axes swapped."""
    if a.height < SIDEWAYS * a.width or b.height < SIDEWAYS * b.width:
        return False
    return _one_line(Box(a.top, a.left, a.bottom, a.right), Box(b.top, b.left, b.bottom, b.right))


def _stacked_letters(a: Box, b: Box) -> bool:
    """Two letters of a column written one letter per line (or a column and its next letter): of
    one width give or take a narrow I, one above the other, a line's gap apart — one word, read
    down the column."""
    if a.width > SIDEWAYS * a.height and b.width > SIDEWAYS * b.height:
        return False  # two lines of words, not letters
    narrow, wide = sorted((a.width, b.width))
    overlap = min(a.right, b.right) - max(a.left, b.left)
    gap = max(a.top, b.top) - min(a.bottom, b.bottom)
    letter = min(a.height, b.height, max(a.width, b.width))
    return wide <= 3 * max(narrow, 1) and overlap > 0.5 * narrow and 0 <= gap < 1.2 * letter and \
        max(a.width, b.width) <= 2 * letter + 2


def erase_rules(image: Image.Image) -> Image.Image:
    """A stamp's frame removed, when it has one: the frame's strokes otherwise make OCR take the
    stamp for a drawing. In a levelled crop (dark ink on white), the frame's top and bottom are
    rows near the marks' top and bottom edges holding an unbroken run of ink across half their
    width (letters leave gaps between them); only then are its sides looked for: columns near the
    left and right edges whose ink runs across nearly the frame's height (letters are shorter)."""
    dark = image.point(lambda v: 255 if v < 192 else 0)  # a thin frame prints fainter than bold letters
    inked = dark.getbbox()  # shares are of the marks' extent, not of the margin around them
    if inked is None:
        return image
    left, top = inked[:2]
    marks = dark.crop(inked)
    width, height = marks.size
    rows = _runs(marks, int(RULE_SHARE * width))
    upper = [y for y in rows if y < EDGE_SHARE * height]
    lower = [y for y in rows if y >= (1 - EDGE_SHARE) * height]
    if not upper or not lower:
        return image  # no frame: an unframed stamp's letters are left alone
    frame_height = max(lower) - min(upper)
    turned = marks.transpose(Image.Transpose.ROTATE_90)  # columns as rows, right to left
    columns = [width - 1 - x for x in _runs(turned, int(SIDE_SHARE * frame_height))]
    sides = [x for x in columns if x < SIDE_EDGE * width or x >= (1 - SIDE_EDGE) * width]
    if not sides and height >= COLUMN * width:
        return image  # letters stacked in a column: the "rules" near its ends are a T's bar, a U's foot
    cleaned = image.copy()
    draw = ImageDraw.Draw(cleaned)
    for y in upper + lower:  # the neighbouring rows too: a scanned or blurred rule is a few pixels thick
        draw.rectangle((0, max(0, top + y - 1), image.width, top + y + 1), fill=255)
    for x in sides:
        draw.rectangle((max(0, left + x - 1), 0, left + x + 1, image.height), fill=255)
    return cleaned


def _runs(marks: Image.Image, length: int) -> list[int]:
    """Rows of `marks` (255 ink) holding an unbroken run of at least `length` pixels, looked for in
    bands of a few rows: a rule left a degree off level wanders from one row to the next."""
    width, height = marks.size
    band = max(3, height // 40)
    bands = marks.reduce((1, band)).point(lambda v: 255 if v else 0)
    run = re.compile(b"\xff{%d,}" % max(2, length))
    data = bands.tobytes()
    found = [b for b in range(bands.height) if run.search(data, b * width, (b + 1) * width)]
    return [y for b in found for y in range(b * band, min(height, (b + 1) * band))]


def upscale_to(image: Image.Image, min_height: int, most: float = 4.0) -> Image.Image:
    if image.height >= min_height:
        return image
    factor = min(most, min_height / max(1, image.height))
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)


# -- shapes OCR does not read as they are: rings, outlines, columns ----------------------------

ROUND = 1.25  # a mark no more than this much longer one way than the other may be a round seal
RING_BAND = (0.58, 0.99)  # of a seal's radius: where the text round its ring runs
RING_STEP = 2.0  # degrees of the ring per slice of the unwrapped strip
FILL_SIDE = 600  # pixels: the long side of the reduced copy outlines are filled on
FILL_SHORT = 100  # pixels: its short side at most — a letter's hollow stroke is a tenth of its height,
# and a wide stamp reduced by its length alone lost that band to the cells' rounding (a thin outline)
HOLLOW_FILL = (0.5, 4.0)  # paper enclosed by the ink, as a share of the ink: outlined letters (beyond: a frame)
COLUMN = 2.5  # a mark this much taller than wide may be letters stacked one per line
DIACRITIC = 0.4  # of the tallest letter's height: a shorter mark is a diacritic of the letter next to it


def is_round(box: Box) -> bool:
    return min(box.width, box.height) >= 60 and max(box.width, box.height) <= ROUND * min(box.width, box.height)


def unwrap_ring(ink: Image.Image) -> list[Image.Image]:
    """The band round a round seal's rim laid out as straight strips (white ink on black, as given):
    a polar transform around the centre of the ink, the rim at the top, read clockwise — the way the
    text along a seal's top stands — and the same turned half round for text along its bottom. The
    ring is unrolled twice over, so a word crossing the start is whole in the second turn."""
    bounds = ink.point(lambda v: 255 if v > 128 else 0).getbbox()
    if bounds is None:
        return []
    left, top, right, bottom = bounds
    cx, cy = (left + right) / 2, (top + bottom) / 2
    radius = min(right - left, bottom - top) / 2
    inner, outer = RING_BAND[0] * radius, RING_BAND[1] * radius
    height = max(8, round(outer - inner))
    slices = round(720 / RING_STEP)
    slice_width = max(1.0, 2 * math.pi * (inner + outer) / 2 * RING_STEP / 360)
    mesh = []
    for index in range(slices):
        a0, a1 = math.radians(index * RING_STEP - 180), math.radians((index + 1) * RING_STEP - 180)

        def at(r: float, a: float) -> tuple[float, float]:
            return cx + r * math.sin(a), cy - r * math.cos(a)

        x0, x1 = round(index * slice_width), round((index + 1) * slice_width)
        quad = (*at(outer, a0), *at(inner, a0), *at(inner, a1), *at(outer, a1))
        mesh.append(((x0, 0, x1, height), quad))
    width = round(slices * slice_width)
    strip = ink.transform((width, height), Image.Transform.MESH, mesh, Image.Resampling.BILINEAR)
    return [strip, strip.transpose(Image.Transpose.ROTATE_180)]


def fill_enclosed(image: Image.Image) -> Image.Image | None:
    """Outlined (hollow) letters filled in, dark ink on white as given: paper the ink encloses becomes
    ink, which OCR reads as the letters a reader sees. None when little is enclosed (solid letters:
    only their counters) or too much (a frame round the whole stamp). Paper reachable from the
    crop's edge is found by geodesic dilation (3x3 max filters, in C) on a copy reduced to
    FILL_SIDE by FILL_SHORT, where any ink in a cell keeps the cell inked so no outline opens."""
    factor = max(1, math.ceil(max(image.size) / FILL_SIDE), math.ceil(min(image.size) / FILL_SHORT))
    ink = image.point(lambda v: 255 if v < 160 else 0)
    small = ink.reduce(factor).point(lambda v: 255 if v > 40 else 0)
    paper = ImageChops.invert(small)
    width, height = small.size
    seed = Image.new("L", (width + 2, height + 2), 255)
    seed.paste(Image.new("L", small.size, 0), (1, 1))
    mask = Image.new("L", seed.size, 255)
    mask.paste(paper, (1, 1))
    for _ in range(2 * (width + height)):
        grown = ImageChops.darker(seed.filter(ImageFilter.MaxFilter(3)), mask)
        if ImageChops.difference(grown, seed).getbbox() is None:
            break
        seed = grown
    enclosed = ImageChops.subtract(paper, seed.crop((1, 1, width + 1, height + 1)))
    share = enclosed.histogram()[255] / max(1, small.histogram()[255])
    if not HOLLOW_FILL[0] <= share <= HOLLOW_FILL[1]:
        return None
    # Grown by a pixel or two at full size: the reduced fill stops short of the outline, and the
    # seam of paper left between them reads as a letter's edge of its own.
    inside = enclosed.resize(image.size, Image.Resampling.NEAREST).filter(ImageFilter.MaxFilter(2 * (factor // 2) + 1))
    return ImageChops.invert(ImageChops.lighter(ink, inside))


def column_as_line(image: Image.Image) -> Image.Image | None:
    """Letters stacked one per line (dark on white, as given) set side by side in one line, as a
    reader reads the column; a wider gap in the column parts words. None if it is not a column of
    three or more letters."""
    marks = image.point(lambda v: 255 if v < 160 else 0)
    rows = marks.resize((1, image.height), Image.Resampling.BOX).tobytes()
    runs: list[list[int]] = []
    for y, value in enumerate(rows):
        if value:
            if runs and runs[-1][1] == y:
                runs[-1][1] = y + 1
            else:
                runs.append([y, y + 1])
    runs = [run for run in runs if run[0] > 0 and run[1] < image.height]  # marks the crop cut through
    bounds = marks.getbbox()
    if not runs or bounds is None:
        return None
    image = image.crop((bounds[0], 0, bounds[2], image.height))  # the marks' width, not the margin's
    if runs[-1][1] - runs[0][0] < COLUMN * image.width:
        return None
    tallest = max(end - start for start, end in runs)
    letters = [run[:] for run in runs if run[1] - run[0] >= DIACRITIC * tallest]
    for start, end in runs:  # a diacritic above or below joins the nearer letter
        if end - start < DIACRITIC * tallest and letters:
            nearest = min(letters, key=lambda letter: max(letter[0] - end, start - letter[1]))
            nearest[0], nearest[1] = min(nearest[0], start), max(nearest[1], end)
    if len(letters) < 3:
        return None
    gaps = sorted(b[0] - a[1] for a, b in itertools.pairwise(letters))
    usual = gaps[len(gaps) // 2]
    pad = max(4, tallest // 3)
    line = Image.new("L", (len(letters) * (image.width + pad) + pad * (len(letters) + 2), tallest * 2 + 2 * pad), 255)
    x = pad
    for index, (start, end) in enumerate(letters):
        if index and letters[index][0] - letters[index - 1][1] > 1.6 * usual:
            x += tallest  # a word's end
        line.paste(image.crop((0, start, image.width, end)), (x, pad + tallest * 2 - (end - start)))
        x += image.width + pad // 2
    return line.crop((0, 0, min(line.width, x + pad), line.height))


def heavy(strokes: Image.Image) -> Image.Image:
    """Only the marks (white on black) drawn in strokes well over a typed letter's thickness: typed
    text is a few pixels thick at the sizes pages are read at (a 12 pt letter at 150-300 dpi), a
    stamp's bold letters three times that. Opened on a copy reduced by half (rank filters cost the
    square of their size), then brought back to the page's size."""
    factor = 2 if min(strokes.size) >= 600 else 1
    small = strokes.reduce(factor).point(lambda v: 255 if v > 190 else 0) if factor > 1 else strokes
    size = max(3, min(7, min(strokes.size) // (250 * factor))) | 1  # odd, as rank filters take
    opened = small.filter(ImageFilter.MinFilter(size)).filter(ImageFilter.MaxFilter(size))
    return opened.resize(strokes.size, Image.Resampling.NEAREST) if factor > 1 else opened


def reconstruct(seed: Image.Image, mask: Image.Image) -> Image.Image:
    """The marks of `mask` (white on black) that touch `seed`, whole: geodesic dilation of the seed
    within the mask until it stops growing. A heavy stamp letter found by an opening comes back
    with its thin serifs and hairlines; a typed letter that does not touch it stays away."""
    grown = ImageChops.darker(seed, mask)
    for _ in range(2 * (mask.width + mask.height)):
        step = ImageChops.darker(grown.filter(ImageFilter.MaxFilter(3)), mask)
        if ImageChops.difference(step, grown).getbbox() is None:
            break
        grown = step
    return grown
