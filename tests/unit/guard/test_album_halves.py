"""A stamp cut into two halves, one per photo of an album (issue 24, item 5): neither half is a
stamp, so each photo alone is allowed; stitched back side by side or one above the other, in
either order, the stamp is whole and read."""

from __future__ import annotations

import io
from itertools import pairwise

import pytest
from PIL import Image

from bot.guard.albums import stitched, strip
from bot.guard.engine import Guard
from bot.guard.pictures import PictureError
from tests.support import image_corpus as corpus
from tests.support.album_halves import halves, pieces
from tests.support.tools import requires_ocr


def any_blocks(guard: Guard, first: bytes, second: bytes) -> list[str]:
    levels = []
    for picture in stitched(first, second, guard.policy.image_limits):
        verdict = guard.scan_document("album.png", picture)
        if verdict.action.value == "block":
            levels.append(verdict.level.value if verdict.level else "")
    return levels


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize(("text", "cut", "level"), [("TỐI MẬT", "lr", "toi_mat"), ("TUYỆT MẬT", "tb", "tuyet_mat")])
def test_a_stamp_cut_in_two_photos_is_found_when_they_are_stitched(guard: Guard, text: str, cut: str,
                                                                   level: str) -> None:
    first, second = halves(text, cut)
    assert guard.scan_document("a.jpg", first).action.value == "allow"  # neither half is a stamp alone
    assert guard.scan_document("b.jpg", second).action.value == "allow"
    assert level in any_blocks(guard, first, second)
    assert level in any_blocks(guard, second, first)  # sent in the other order


@requires_ocr
@pytest.mark.slow
def test_two_harmless_photos_stay_allowed_together(guard: Guard) -> None:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, "HỎA TỐC", (420, 60), size=60)
    first = corpus.encode(page.crop((0, 0, 700, page.height)), "JPEG")
    second = corpus.encode(page.crop((700, 0, page.width, page.height)), "JPEG")
    assert any_blocks(guard, first, second) == []


def test_stitching_brings_the_halves_to_one_size(guard: Guard) -> None:
    small, large = Image.new("RGB", (100, 50), "white"), Image.new("RGB", (300, 200), "white")
    pictures = [Image.open(io.BytesIO(p)) for p in stitched(
        corpus.encode(small, "PNG"), corpus.encode(large, "PNG"), guard.policy.image_limits)]
    assert [p.size for p in pictures] == [(700, 200), (300, 350), (700, 200), (300, 350)]


def test_a_half_that_cannot_be_decoded_fails_closed(guard: Guard) -> None:
    with pytest.raises(PictureError):
        list(stitched(b"not a picture", corpus.encode(Image.new("RGB", (10, 10)), "PNG"), guard.policy.image_limits))


@requires_ocr
@pytest.mark.slow
def test_a_stamp_cut_in_five_photos_is_found_when_all_are_laid_together(guard: Guard) -> None:
    parts, level = pieces("TỐI MẬT", 5), "toi_mat"  # thinner pieces than any pair can make whole
    assert all(guard.scan_document("p.jpg", part).action.value == "allow" for part in parts)
    assert not any(any_blocks(guard, a, b) for a, b in pairwise(parts))  # no pair is the stamp
    whole = [guard.scan_document("album.png", picture) for picture in strip(parts, guard.policy.image_limits)]
    assert level in [v.level.value for v in whole if v.action.value == "block" and v.level]
    reversed_whole = [guard.scan_document("album.png", p) for p in strip(parts[::-1], guard.policy.image_limits)]
    assert any(v.action.value == "block" for v in reversed_whole)  # sent in the reverse order


def test_the_strip_lays_every_piece_in_a_row_and_in_a_column(guard: Guard) -> None:
    parts = [corpus.encode(Image.new("RGB", (100, 50), "white"), "PNG") for _ in range(3)]
    pictures = [Image.open(io.BytesIO(p)) for p in strip(parts, guard.policy.image_limits)]
    assert [p.size for p in pictures] == [(300, 50), (100, 150), (300, 50), (100, 150)]
