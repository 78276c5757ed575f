"""Pictures sent together (a Telegram album) seen as a reader sees them: side by side or one above
the other. A stamp cut into two halves, one per photo, is no stamp in either photo alone; laid
next to each other the halves make it whole again. Each pair of an album's pictures is stitched
both ways round, left|right and top/bottom, and the stitched picture is judged as any image.

The halves are brought to one height (side by side) or one width (stacked) first: a client may
send them at different sizes. Pure pixels; what counts as one album is the caller's business.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence

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
    """PNG pictures of three or more pieces laid together: in a row and in a column in the order
    their edges say, in a grid (rows × columns, each at least two) likewise, then in a row and in a
    column in the album's order and in the reverse. A stamp cut into thirds is whole in no pair,
    and a sender may shuffle the pieces or cut the stamp into a 2 × 2 grid: every order would grow
    as n!, so the order is read from the pieces themselves — the pixels along a cut continue on
    its other side (a stamp's strokes, a typed line), a wrong neighbour's do not. At most two
    grids (rows × columns and its transpose) and six lines are laid, whatever the album's size.
    Raises PictureError as `stitched` does."""
    images = [decode(picture, limits) for picture in pictures]
    count = len(images)
    across = [[_seam(a, b, across=True) if a is not b else _FAR for b in images] for a in images]
    down = [[_seam(a, b, across=False) if a is not b else _FAR for b in images] for a in images]
    laid: set[tuple[str, tuple[int, ...]]] = set()

    def lay(kind: str, order: tuple[int, ...], columns: int = 0) -> bytes | None:
        if (kind, order) in laid:
            return None
        laid.add((kind, order))
        if kind == "row":
            return _png(_line([images[i] for i in order], _side_by_side))
        if kind == "column":
            return _png(_line([images[i] for i in order], _stacked))
        rows = [_line([images[i] for i in order[r:r + columns]], _side_by_side) for r in range(0, count, columns)]
        return _png(_line(rows, _stacked))

    fitted = [(*_chain(across), "row", 0), (*_chain(down), "column", 0)]
    fitted += [(*_grid(across, down, columns), f"grid{columns}", columns) for columns in _grid_widths(count)]
    fitted.sort(key=lambda layout: layout[0])  # the best fit first: a wrong layout may read a part of the stamp
    layouts = [(kind, order, columns) for _, order, kind, columns in fitted]
    album = tuple(range(count))
    for order in (album, album[::-1]):
        layouts += [("row", order, 0), ("column", order, 0)]
    for kind, order, columns in layouts:
        picture = lay(kind, order, columns)
        if picture is not None:
            yield picture


_FAR = float("inf")
SEAM_SAMPLES = 256  # points an edge is compared at (edges are brought to one length first)
MAX_GRIDS = 2  # grid shapes laid for one album: n = rows × columns, the squarest and its transpose


def _line(images: Sequence[Image.Image], join: Callable[[Image.Image, Image.Image], Image.Image]) -> Image.Image:
    whole = images[0]
    for image in images[1:]:
        whole = join(whole, image)
    return whole


def _edge(image: Image.Image, side: str) -> bytes:
    """One pixel's line along a side, in grey, brought to SEAM_SAMPLES points."""
    width, height = image.size
    box = {"left": (0, 0, 1, height), "right": (width - 1, 0, width, height),
           "top": (0, 0, width, 1), "bottom": (0, height - 1, width, height)}[side]
    line = image.crop(box).convert("L")
    size = (1, SEAM_SAMPLES) if side in ("left", "right") else (SEAM_SAMPLES, 1)
    return line.resize(size, Image.Resampling.BILINEAR).tobytes()


def _seam(first: Image.Image, second: Image.Image, across: bool) -> float:
    """How badly `second` continues `first` to its right (`across`) or below it, lower is better:
    the grey step over the seam, less the ink both sides share. Pieces cut from one picture step
    by a pixel's change and carry the same strokes across the cut; strangers step by whatever
    their edges hold (a margin's paper beside a stamp's strokes). Paper beside paper tells nothing
    (zero): without the shared ink, a page's blank outer margins would pair with anything."""
    a = _edge(first, "right" if across else "bottom")
    b = _edge(second, "left" if across else "top")
    return sum(abs(x - y) - (255 - max(x, y)) for x, y in zip(a, b, strict=True)) / SEAM_SAMPLES


def _chain(cost: list[list[float]]) -> tuple[float, tuple[int, ...]]:
    """The pieces in the order whose seams cost least, found greedily from each first piece, and
    that order's cost (summed: a seam of paper beside paper costs nothing, so a mean would favour
    a layout for its blank seams; only shared ink lowers the sum)."""
    count = len(cost)
    best: tuple[float, tuple[int, ...]] = (_FAR, tuple(range(count)))
    for first in range(count):
        order, total = [first], 0.0
        while len(order) < count:
            step, nearest = min((cost[order[-1]][j], j) for j in range(count) if j not in order)
            order.append(nearest)
            total += step
        if total < best[0]:
            best = (total, tuple(order))
    return best


def _grid_widths(count: int) -> list[int]:
    """Column counts of the grids `count` pieces may make (two rows and two columns at least):
    the squarest shape and its transpose."""
    shapes = [columns for columns in range(2, count // 2 + 1) if count % columns == 0 and count // columns >= 2]
    shapes.sort(key=lambda columns: abs(columns - count // columns))
    widths = list(dict.fromkeys(w for c in shapes[:1] for w in (c, count // c)))
    return widths[:MAX_GRIDS]


def _grid(across: list[list[float]], down: list[list[float]], columns: int) -> tuple[float, tuple[int, ...]]:
    """The pieces in a grid `columns` wide, row by row, whose seams cost least: each cell takes the
    piece that best continues the one to its left and the one above it, from each first piece; and
    that grid's summed cost."""
    count = len(across)
    best: tuple[float, tuple[int, ...]] = (_FAR, tuple(range(count)))
    for first in range(count):
        order, total = [first], 0.0
        while len(order) < count:
            cell = len(order)
            left = order[cell - 1] if cell % columns else None
            above = order[cell - columns] if cell >= columns else None
            step, nearest = min(((across[left][j] if left is not None else 0.0)
                                 + (down[above][j] if above is not None else 0.0), j)
                                for j in range(count) if j not in order)
            order.append(nearest)
            total += step
        if total < best[0]:
            best = (total, tuple(order))
    return best


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
