"""A stamp OCR reads in two lines, one of which is a stamp alone (issue 24, item 5, red team): a red
TỐI MẬT stacked one letter per line, set in a line and read as "TỐI" above "MẬT", was judged MẬT —
a lower level — because only lines that were no stamp on their own were tried joined. A line that
is a stamp is now tried with its neighbours too: joined, a stamp keeps or raises its level."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.ocr_text import OcrTextPreparer


@pytest.fixture(scope="module")
def preparer(guard: Guard) -> OcrTextPreparer:
    return OcrTextPreparer(guard.policy)


@pytest.mark.parametrize(("read", "level"), [
    ("TỐI\nMẬT", "toi_mat"),
    ("TUYỆT\nMẬT", "tuyet_mat"),
    ("TOP\nSECRET", "tuyet_mat"),
    ("| TOI\nMAT |", "toi_mat"),
])
def test_a_stamp_read_in_two_lines_keeps_its_level(guard: Guard, preparer: OcrTextPreparer, read: str,
                                                   level: str) -> None:
    for joined in (False, True):
        verdict = guard.scan_text(preparer.prepare(read, joined=joined))
        assert verdict.action.value == "block"
        assert verdict.level is not None and verdict.level.value == level


def test_many_lines_still_join_a_stamp_with_its_neighbour(guard: Guard, preparer: OcrTextPreparer) -> None:
    """Beyond the lines every pair is tried for, neighbours still are."""
    noise = "\n".join(f"~ {n} ¬" for n in range(20))
    verdict = guard.scan_text(preparer.prepare(f"{noise}\nTỐI\nMẬT\n{noise}", joined=True))
    assert verdict.level is not None and verdict.level.value == "toi_mat"


@pytest.mark.parametrize("read", ["HỎA TỐC\nBẢN SAO", "MẶT TRẬN\nTỔ QUỐC", "BỘ NGOẠI GIAO\nHÀ NỘI"])
def test_harmless_lines_joined_stay_allowed(guard: Guard, preparer: OcrTextPreparer, read: str) -> None:
    assert guard.scan_text(preparer.prepare(read, joined=True)).action.value == "allow"
