"""Reading one picture: its red stamps on their own first, then the whole page, straightened, then
what the page read may have misread or skipped, on its own.

The red regions are read first because they are small (a fraction of the page's reading time)
and are where a stamp is: a stamped photo is usually decided before its page is read at all.
The page read finds what is not red — a photocopied stamp, a marking typed in the text. But
Tesseract's layout takes a short word in a ruled frame (a black `MẬT` stamp) for a drawing and
skips it, or reads a framed word with its frame's strokes as letters: so small blocks in capitals
or read with little confidence, and every mark left outside the text blocks, are read again alone.
Each candidate stamp is levelled on its own and its frame erased first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from bot.guard import ink
from bot.guard.ocr import PSM_BLOCK, PSM_LINE, PSM_SPARSE, Block, OcrTimeoutError, Reader

LONGEST_SIDE = 3600  # larger pages are reduced: 300 dpi A4 is 3508 px, more adds time, not letters
SHORTEST_LONG_SIDE = 1000  # smaller pictures (a stamp pasted in a document) are enlarged to this
TINY_HEIGHT = 40  # pixels: a picture lower than this is a stamp (or a line) squashed small: read whole too
TINY_READ_HEIGHTS = (120, 80, 160)  # pixels: the heights such a picture is enlarged to and read at
TINY_MARGIN = 24  # pixels of paper round it: Tesseract skips letters that touch the picture's edge
STAMP_HEIGHT = 160  # a red region is enlarged to at least this many pixels high before it is read
STAMP_TILT = 30.0  # degrees a stamp may be turned on its page
STAMP_SHARE = 0.12  # a block taller than this share of the page is text, not a stamp
DOUBTFUL = 80.0  # Tesseract's confidence in a block below which it may be a stamp misread
SURE = 85  # Tesseract's mean confidence in a reading above which it is not read another way
MAX_MARKS = 4  # marks left unread by the page read that are read on their own
MAX_BOLD = 2  # heavy marks (a black stamp over typed lines) read without the lines
BOLD_REACH = 9  # pixels round a heavy mark whose thin ink (diacritics) is its own
CONFIDENT_WORD = 70  # Tesseract's confidence in a word above which it was read, not guessed
GARBLED_SHARE = 0.6  # a page read with fewer of its words read confidently is garbage: maybe turned
MIN_WORDS = 2  # fewer words read than this is no text to judge a turn by
OSD_UPRIGHT = 1.5  # orientation confidence above which "upright" is believed (it names turns right from 0.3)
TURNS = (90, 270, 180)  # counter-clockwise, as Image.rotate takes them
SWEEP_GAP = 10.0  # degrees between the whole search's angle and the read one worth a read
OWN_TILT = 0.5  # degrees: a version's own tilt this far from its heavy strokes' is read both ways
HEADING_TILT = 4.0  # degrees off the straightened page's lines beyond which a heavy mark is no heading
KNOCKOUT = 0.6  # of a candidate's box inked: a filled box, its letters the paper left in it
ASPECT = 1.5  # a red region this much taller than wide is on its side; this much wider, maybe upside down
_TRANSPOSE = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


@dataclass(frozen=True)
class Piece:
    """Some text read from a picture; `stamps`: read from candidate stamps, each on its own (so a
    stamp's words that come out as separate lines may be joined)."""

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


def read_picture(image: Image.Image, deadline: float, is_stamp: Callable[[str], bool]) -> Iterator[Piece]:
    """The red stamps' text, then the page's, then what the page read may have misread; then, if
    the page read came out as garbage, the same again with the picture turned upright. Raises
    OcrTimeoutError past `deadline` (monotonic): the turned reads count against it too."""
    reader = Reader.here()
    if image.height < TINY_HEIGHT:
        yield Piece(_tiny(reader, image, deadline, is_stamp), stamps=True)
    image = sized(image)
    upright = _Read()
    yield from _read_once(reader, image, deadline, is_stamp, upright)
    if upright.page is None:
        return
    if upright.garbled:
        turns = _turns(reader, upright.page, deadline)
    elif upright.sideways:
        turns = [90]  # Tesseract read a page turned 270° on its own; its stamps still need the turn
    else:
        return
    for turn in turns:
        turned = _Read()
        yield from _read_once(reader, image.transpose(_TRANSPOSE[turn]), deadline, is_stamp, turned)
        if not turned.garbled and not turned.sideways:
            return  # read well this way round: the other turns would read worse


def _tiny(reader: Reader, image: Image.Image, deadline: float, is_stamp: Callable[[str], bool]) -> str:
    """A picture squashed to a few dozen pixels high (a stamp scaled small, then sent) read as its
    light, whole: enlarged smoothly to a line's reading heights, paper-white margin round it. At that
    size a red stamp's colour is a blur (JPEG keeps colour at half the resolution of light), its red
    regions are specks, and the enlargement `sized` allows (3 times) leaves letters of 15 px; read
    as one line of grey, Tesseract makes out letters of 5 to 7 pixels. A few small reads."""
    grey = ImageOps.autocontrast(image.convert("L"), cutoff=1)
    texts = []
    for height in TINY_READ_HEIGHTS:
        factor = height / max(1, grey.height)
        large = grey.resize((max(1, round(grey.width * factor)), height), Image.Resampling.BICUBIC)
        framed = ImageOps.expand(large, TINY_MARGIN, fill=255)
        for psm in (PSM_SPARSE, PSM_LINE):
            texts.append(reader.read(framed, psm, _left(deadline)))
            if is_stamp(texts[-1]):
                return "\n\n".join(texts)
    return "\n\n".join(texts)


@dataclass
class _Read:
    """What one pass over a picture learnt about its page read: whether it came out as garbage
    (a page on its side), and the evened-out page, for telling its turn."""

    garbled: bool = False
    sideways: bool = False
    page: Image.Image | None = None


def _read_once(reader: Reader, image: Image.Image, deadline: float, is_stamp: Callable[[str], bool],
               outcome: _Read) -> Iterator[Piece]:
    """One pass: red regions, page, what the page read misread. A candidate stamp is read in a few
    ways (sizes, layout modes) until one reads as a stamp (`is_stamp`): a short word in a frame
    defeats each of them now and then, rarely all."""
    red = ink.redness(image)
    regions = ink.red_regions(red)
    if not regions:  # no stamp in full red: a pale or faded one is read as if it were
        faint = ink.faint_ink(image, red)
        if faint is not None:
            red, regions = faint, ink.red_regions(faint)

    def attempts(versions: list[Image.Image]) -> tuple[str, bool]:
        """The readings, and whether one was a stamp or read with confidence."""
        texts = []
        for version, psm in ((v, psm) for v in versions for psm in (PSM_SPARSE, PSM_BLOCK, PSM_LINE)):
            texts.append(reader.read(version, psm, _left(deadline)))
            if is_stamp(texts[-1]) or (reader.confidence() >= SURE and any(c.isalpha() for c in texts[-1])):
                return "\n\n".join(texts), True  # a stamp; or read with confidence: another way would read the same
        return "\n\n".join(texts), False

    def stamp_text(box: ink.Box) -> str:
        versions = _stamp_images(red, box, image.size)
        text, sure = attempts(versions)
        if not sure:
            for turn in _region_turns(box):  # a stamp on its side, or upside down
                turned, sure = attempts(_stamp_images(red, box, image.size, turn))
                text += "\n\n" + turned
                if sure:
                    break
        if not sure:  # no long axis (two lines in a squarish frame) and beyond the narrow search
            swept = _swept_images(red, box, image.size)
            if swept:
                turned, sure = attempts(swept)
                text += "\n\n" + turned
                if not sure:
                    turned, sure = attempts([version.transpose(Image.Transpose.ROTATE_180) for version in swept])
                    text += "\n\n" + turned
        ways_up = [versions[0]]
        if not sure and 180 not in _region_turns(box) and _upside_down_maybe(versions[0]):
            turned, sure = attempts([version.transpose(Image.Transpose.ROTATE_180) for version in versions])
            text += "\n\n" + turned
            ways_up.append(versions[0].transpose(Image.Transpose.ROTATE_180))
        for way_up in ways_up:  # read with confidence is not read right for a ring, outlines, a column
            if is_stamp(text):
                break
            shapes = _shapes(way_up)
            if shapes:
                text += "\n\n" + attempts(shapes)[0]
        return text

    def every_way(versions: list[Image.Image]) -> str:
        """Each version read until one is a stamp, however sure a reading of another is: a heavy
        mark's versions each keep different strokes, and a confident reading of one may be the
        typed lines it kept."""
        texts = []
        for version, psm in ((v, psm) for v in versions for psm in (PSM_SPARSE, PSM_LINE)):
            texts.append(reader.read(version, psm, _left(deadline)))
            if is_stamp(texts[-1]):
                break
        return "\n\n".join(texts)

    def alone_text(candidate: Image.Image) -> str:
        text, sure = attempts([candidate])
        if not sure and _upside_down_maybe(candidate):
            text += "\n\n" + attempts([candidate.transpose(Image.Transpose.ROTATE_180)])[0]
        if not is_stamp(text):
            shapes = _shapes(candidate)
            if shapes:
                text += "\n\n" + attempts(shapes)[0]
        return text

    if regions:
        yield Piece("\n\n".join(stamp_text(box) for box in regions), stamps=True)
    grey = ink.flatten_light(image.convert("L"))
    skew = ink.skew_angle(ink.dark_ink(grey))
    page = ink.level(grey, skew)
    text, blocks = reader.read_page(page, _left(deadline))
    outcome.garbled, outcome.page = _garbled(reader.word_confidences()), grey
    outcome.sideways = _sideways([ink.Box(*box) for box in reader.line_boxes()])
    yield Piece(text, stamps=False)
    apart = [_alone(page, ink.Box(*block.box)) for block in blocks if _stamp_like(block, page.size)]
    apart += _unread(page, [block.box for block in blocks])
    if apart:
        yield Piece("\n\n".join(alone_text(candidate) for candidate in apart), stamps=True)
    # The red ink was read on its own, every way, above: the heavy-mark and column passes see
    # the page without it (in grey, a red stamp loses the diacritics that make it harmless).
    unred = ink.level(ImageChops.lighter(grey, ink.red_mask(red)), skew) if regions else page
    bold = _bold(unred, [block.box for block in blocks if block.confidence >= SURE])
    if bold:
        yield Piece("\n\n".join(every_way(versions) for versions in bold), stamps=True)
    columns = _columns(unred)
    if columns:
        yield Piece("\n\n".join(attempts([line])[0] for line in columns), stamps=True)


def _garbled(confidences: list[int]) -> bool:
    """A page read that is mostly words Tesseract doubts: what a page on its side reads as. Read
    upright, the development pages have 93-100 % of their words above CONFIDENT_WORD; turned
    90°, 0-40 %."""
    if len(confidences) < MIN_WORDS:
        return False  # no text to speak of (a photo, a chart): nothing to turn
    return sum(c >= CONFIDENT_WORD for c in confidences) < GARBLED_SHARE * len(confidences)


def _sideways(lines: list[ink.Box]) -> bool:
    """Text read in lines standing on end: a page turned 270° (clockwise), which Tesseract's
    layout takes for vertical writing and reads turned, reporting its lines in the picture's own,
    sideways frame. Its text reads well, but not its stamps (cut out, read on their own)."""
    tall = sum(box.height >= ASPECT * box.width for box in lines)
    wide = sum(box.width >= ASPECT * box.height for box in lines)
    return tall >= MIN_WORDS and tall > wide


def _turns(reader: Reader, page: Image.Image, deadline: float) -> list[int]:
    """The turns to read a garbled page in, most likely first: the one Tesseract's orientation
    detection names; if it cannot tell (few letters, no model) or calls the page upright without
    conviction, every turn, sideways first (the usual way a page is fed or photographed wrong)."""
    _left(deadline)
    found = reader.orientation(page)
    if found is not None and found[0] in _TRANSPOSE:
        return [found[0], *(turn for turn in TURNS if turn != found[0])]
    if found is not None and found[1] >= OSD_UPRIGHT:
        return []  # upright, and sure of it: the garbage is the picture's, not its turn
    return list(TURNS)


def _region_turns(box: ink.Box) -> tuple[int, ...]:
    """How a red region read as nothing might be turned: a region much taller than wide is a
    stamp on its side (a stamp's line is wide); a wide one may be upside down. A square one (a
    round seal) is left as read."""
    if box.height >= ASPECT * box.width:
        return (90, 270)
    if box.width >= ASPECT * box.height:
        return (180,)
    return ()


def _upside_down_maybe(levelled: Image.Image) -> bool:
    """Whether a levelled candidate stamp (dark on white) that read as nothing may stand on its head:
    its marks lie in a line. Levelling finds a stamp's axis, not which way up it stands — a stamp
    pressed at 135° or 250° comes out level and upside down, whatever the box it sat in looked
    like. A round mark (a seal) has no up to turn to."""
    bounds = levelled.point(lambda v: 255 if v < 128 else 0).getbbox()
    if bounds is None:
        return False
    width, height = bounds[2] - bounds[0], bounds[3] - bounds[1]
    return width >= ASPECT * height


def _stamp_like(block: Block, size: tuple[int, int]) -> bool:
    """A block a stamp could be: a line or two, in capitals or read with little confidence."""
    _, top, _, bottom = block.box
    letters = [c for c in block.text if c.isalpha()]
    capitals = bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    return bottom - top <= STAMP_SHARE * size[1] and len(block.text.split()) <= 8 and \
        (capitals or block.confidence < DOUBTFUL)


def _alone(page: Image.Image, box: ink.Box) -> Image.Image:
    """One block cut out with a margin, levelled on its own, its frame removed, enlarged."""
    area = box.padded(max(8, box.height // 3), *page.size)
    crop = page.crop((area.left, area.top, area.right, area.bottom))
    levelled = ink.level(crop, ink.stamp_angle(ink.dark_ink(crop), STAMP_TILT))
    return ink.upscale_to(ink.erase_rules(levelled), 2 * STAMP_HEIGHT, most=6.0)


def _unread(page: Image.Image, blocks: list[tuple[int, int, int, int]]) -> list[Image.Image]:
    """What the page read left unread, mark by mark: a stamp alone in a margin or a ruled frame, a
    photocopied seal — each cut out, levelled on its own and enlarged."""
    rest = page.copy()
    draw = ImageDraw.Draw(rest)
    for left, top, right, bottom in blocks:
        draw.rectangle((left, top, right, bottom), fill=255)
    return [_alone(rest, box) for box in ink.mark_regions(ink.dark_ink(rest))[:MAX_MARKS]]


def _stamp_images(red: Image.Image, box: ink.Box, size: tuple[int, int], turn: int = 0,
                  angle: float | None = None) -> list[Image.Image]:
    """The red ink of one region, black on white and levelled (turned by `turn` degrees first; by
    `angle` when given, else by its own tilt), in two sizes: OCR reads a blurred small stamp only
    when its letters are large, and a large one best near its own size."""
    strokes = _region_strokes(red, box, size, turn)
    if angle is None:
        angle = ink.stamp_angle(strokes, STAMP_TILT)
    marks = _to_marks(ink.level(strokes, angle, fill=0))
    knocked_out = _knocked_out(marks)
    levelled = knocked_out if knocked_out is not None else ink.erase_rules(ImageOps.invert(marks))
    return [ink.upscale_to(levelled, STAMP_HEIGHT), ink.upscale_to(levelled, 2 * STAMP_HEIGHT, most=6.0)
            .point(lambda v: 0 if v < 160 else 255)]


def _region_strokes(red: Image.Image, box: ink.Box, size: tuple[int, int], turn: int = 0) -> Image.Image:
    """One region's red ink, white on black, with a margin so a tilted stamp's corners are kept."""
    padded = box.padded(max(6, min(box.height, box.width) // 6), *size)
    crop = red.crop((padded.left, padded.top, padded.right, padded.bottom))
    if turn:
        crop = crop.transpose(_TRANSPOSE[turn])
    return ink.stretch(crop)  # ink white on black, faded ink as strong as fresh


def _swept_images(red: Image.Image, box: ink.Box, size: tuple[int, int]) -> list[Image.Image]:
    """The region levelled by the whole half turn's search, when that finds its lines at an angle
    far from the one it was read at (a squarish stamp has no long axis, and the narrow search
    stops at ±30°); nothing otherwise."""
    strokes = _region_strokes(red, box, size)
    swept = ink.swept_angle(strokes)
    gap = abs(swept - ink.stamp_angle(strokes, STAMP_TILT)) % 180
    if min(gap, 180 - gap) < SWEEP_GAP:
        return []
    return _stamp_images(red, box, size, angle=swept)


def _knocked_out(marks: Image.Image) -> Image.Image | None:
    """A "reverse" stamp — a filled box whose letters are the paper left in it — as those letters,
    dark on white, when the levelled crop's ink (white on black) fills most of its box; else None.
    Read as ink, the box is a blot, and erasing its "frame" takes its rows away."""
    bounds = marks.point(lambda v: 255 if v > 128 else 0).getbbox()
    if bounds is None:
        return None
    inside = marks.crop(bounds)
    if min(inside.size) < ink.MIN_REGION_PIXELS or \
            inside.point(lambda v: 255 if v > 128 else 0).histogram()[255] < KNOCKOUT * inside.width * inside.height:
        return None  # a speck holds no letters; a box with little ink is ordinary letters
    margin = max(2, min(inside.size) // 12)  # the box's own edge, softened by the turn, left out
    return inside.crop((margin, margin, inside.width - margin, inside.height - margin))


def _to_marks(levelled: Image.Image) -> Image.Image:
    """A levelled crop (ink white on black) cut down to its marks and a margin: a stamp turned from
    a steep angle lies in a square twice its height, and enlarging that square to a stamp's height
    leaves its letters as small as they were."""
    bounds = levelled.point(lambda v: 255 if v > 128 else 0).getbbox()
    if bounds is None:
        return levelled
    left, top, right, bottom = bounds
    pad = max(6, min(right - left, bottom - top) // 6)
    return levelled.crop((max(0, left - pad), max(0, top - pad), min(levelled.width, right + pad),
                          min(levelled.height, bottom + pad)))


def _bold(page: Image.Image, read_well: list[tuple[int, int, int, int]]) -> list[list[Image.Image]]:
    """Marks in strokes far heavier than typed text — a black stamp pressed over typed lines — read
    without the lines: an opening (erode, then dilate) as wide as a typed stroke is thick removes
    the typed letters and keeps the stamp's; each remaining mark is read as it survived, and with
    the page's own ink restored round it (its diacritics are thin, like typed strokes), and with the
    strokes that touch it restored whole (a serif face's hairlines are thin too). A heavy mark
    inside a block the page read with confidence (a bold heading) was read already: not again."""
    strokes = ink.dark_ink(page)
    opened = ink.heavy(strokes)
    boxes = [box for box in ink.mark_regions(opened)
             if not any(_heading(box, ink.Box(*well)) for well in read_well) or _tilted(opened, box)][:MAX_BOLD]
    if not boxes:
        return []
    near = ImageChops.darker(strokes, opened.filter(ImageFilter.MaxFilter(BOLD_REACH)))
    found = []
    for box in boxes:
        area = box.padded(max(8, box.height // 3), *page.size)
        corners = (area.left, area.top, area.right, area.bottom)
        whole = ink.reconstruct(opened.crop(corners), strokes.crop(corners))
        # The stamp's tilt is its heavy strokes' alone: measured with the typed lines it touches
        # (the other versions keep them), a stamp at 40° is levelled by the lines, not by itself.
        # Each version is also levelled by its own tilt where that differs: a serif stamp's
        # hairlines, gone from the heavy strokes, tilt it by a degree, and OCR reads by the degree.
        angle = ink.stamp_angle(opened.crop(corners), STAMP_TILT)
        versions = []
        for crop in (whole, near.crop(corners), opened.crop(corners)):
            own = ink.stamp_angle(crop, STAMP_TILT)
            for turn in (angle, own) if abs(own - angle) >= OWN_TILT else (angle,):
                levelled = ImageOps.invert(ink.level(crop, turn, fill=0))
                versions.append(ink.upscale_to(ink.erase_rules(levelled), 2 * STAMP_HEIGHT, most=6.0))
        found.append(versions)
    return found


def _columns(page: Image.Image) -> list[Image.Image]:
    """Columns of letters written one per line, found on the whole page (the page read takes each
    letter for a block of its own, so what it leaves is no column), each set in one line."""
    tall = [box for box in ink.mark_regions(ink.dark_ink(page)) if box.height >= ink.COLUMN * box.width]
    lines = []
    for box in tall[:MAX_MARKS]:
        area = box.padded(max(8, box.width // 3), *page.size)
        line = ink.column_as_line(page.crop((area.left, area.top, area.right, area.bottom)))
        if line is not None:
            lines.append(ink.upscale_to(line, STAMP_HEIGHT))
    return lines


def _tilted(opened: Image.Image, box: ink.Box) -> bool:
    """Whether a heavy mark stands at a slant on the straightened page: no heading does (it was
    typed on the page's lines), a stamp pressed by hand at 40° does — and the confident block the
    page read round it is the typed lines under it, not the mark."""
    crop = opened.crop((box.left, box.top, box.right, box.bottom))
    return abs(ink.stamp_angle(crop, STAMP_TILT)) > HEADING_TILT


def _heading(box: ink.Box, block: ink.Box) -> bool:
    """Most of `box` lies in `block`, a line or two no taller than twice the box: the box is that
    block's own text (a bold heading), not a stamp pressed over a paragraph read with it."""
    width = min(box.right, block.right) - max(box.left, block.left)
    height = min(box.bottom, block.bottom) - max(box.top, block.top)
    return width > 0 and height > 0 and width * height >= 0.6 * box.area and block.height <= 2 * box.height


def _shapes(levelled: Image.Image) -> list[Image.Image]:
    """Other readings of one candidate stamp (dark on white, levelled) that OCR cannot read as it
    stands: the text round a round seal's ring unrolled into a strip, outlined letters filled in,
    letters stacked one per line set in a line. Each only where the marks have that shape, so an
    ordinary stamp costs nothing more."""
    views: list[Image.Image] = []
    strokes = ImageOps.invert(levelled)
    bounds = strokes.point(lambda v: 255 if v > 128 else 0).getbbox()
    if bounds is not None and ink.is_round(ink.Box(*bounds)):
        views += [ink.upscale_to(ink.erase_rules(ImageOps.invert(strip)), STAMP_HEIGHT)
                  for strip in ink.unwrap_ring(strokes)]
    filled = ink.fill_enclosed(levelled)
    if filled is not None:
        views.append(filled)
    column = ink.column_as_line(levelled)
    if column is not None:  # enlarged as the page's columns are: set in a line, its letters are small
        views.append(ink.upscale_to(column, STAMP_HEIGHT))
    return views


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OcrTimeoutError("no time left to read the image")
    return left
