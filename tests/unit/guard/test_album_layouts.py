"""An album's pieces laid together in the order their edges say (issue 24, item 5, round two): a
stamp cut into three or four pieces sent shuffled, or cut into a 2 × 2 grid, is whole in no pair
and in neither the album's order nor its reverse. The pixels along a cut continue on its other
side, so the pieces' order is read from their seams — a handful of layouts, not n!."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw

from bot.guard.albums import strip
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.album_halves import pieces, quarters
from tests.support.tools import requires_ocr

CASES = {
    "four strips, shuffled 2 0 3 1": ("TUYỆT MẬT", "strips", (2, 0, 3, 1), "tuyet_mat"),
    "four strips, shuffled 0 2 1 3": ("TỐI MẬT", "strips", (0, 2, 1, 3), "toi_mat"),
    "a 2 × 2 grid in the cut's order": ("TỐI MẬT", "grid", (0, 1, 2, 3), "toi_mat"),
    "a 2 × 2 grid, shuffled 3 1 2 0": ("TUYỆT MẬT", "grid", (3, 1, 2, 0), "tuyet_mat"),
    "a 2 × 2 grid, shuffled 1 3 0 2": ("MẬT", "grid", (1, 3, 0, 2), "mat"),
}


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_a_stamp_cut_and_shuffled_is_read_whole_at_its_level(guard: Guard, name: str) -> None:
    text, cut, order, level = CASES[name]
    parts = pieces(text, 4) if cut == "strips" else quarters(text)
    sent = [parts[i] for i in order]
    first = None
    for picture in strip(sent, guard.policy.image_limits):  # as the album service does: the first that blocks
        verdict = guard.scan_document("album.png", picture)
        if verdict.action.value == "block":
            first = verdict.level.value if verdict.level else "block"
            break
    assert first == level, name


def _numbered_cuts(count: int, columns: int) -> list[Image.Image]:
    """A picture of long lines at random slopes (they cross the cuts, not in any repeating
    pattern) cut into `count` pieces, `columns` wide."""
    rows = count // columns
    whole = Image.new("RGB", (100 * columns, 80 * rows), "white")
    draw = ImageDraw.Draw(whole)
    chance = random.Random(count * 10 + columns)
    for _ in range(6 * count):
        start = (chance.randrange(whole.width), chance.randrange(whole.height))
        end = (chance.randrange(whole.width), chance.randrange(whole.height))
        draw.line([start, end], fill="black", width=3)
    return [whole.crop((100 * c, 80 * r, 100 * (c + 1), 80 * (r + 1))) for r in range(rows) for c in range(columns)]


@pytest.mark.parametrize(("count", "columns", "order"), [(3, 3, (2, 0, 1)), (5, 5, (3, 1, 4, 0, 2)),
                                                         (4, 2, (3, 0, 2, 1)), (6, 3, (5, 2, 0, 4, 1, 3))])
def test_the_first_layout_is_the_pieces_put_back_as_cut(guard: Guard, count: int, columns: int,
                                                        order: tuple[int, ...]) -> None:
    cut = _numbered_cuts(count, columns)
    whole = Image.new("RGB", (100 * columns, 80 * (count // columns)), "white")
    for i, piece in enumerate(cut):
        whole.paste(piece, (100 * (i % columns), 80 * (i // columns)))
    sent = [corpus.encode(cut[i], "PNG") for i in order]
    first = Image.open(io.BytesIO(next(iter(strip(sent, guard.policy.image_limits))))).convert("RGB")
    assert first.size == whole.size
    assert first.tobytes() == whole.tobytes()


def test_the_layouts_tried_stay_few_for_a_full_album(guard: Guard) -> None:
    parts = [corpus.encode(Image.new("RGB", (60, 40), (i * 20, 90, 200)), "PNG") for i in range(10)]
    assert len(list(strip(parts, guard.policy.image_limits))) <= 8  # never n! orders
