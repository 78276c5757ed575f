"""Everyday compounds ending in mật read by OCR (issue 24, false positives, round two): a medical
leaflet's red heading `SỎI MẬT` or `TÚI MẬT` is no stamp. OCR's tolerance for a stamp's letters
took `SỎI`/`TÚI` (a letter from `TỐI`) for Tối mật, and a diacritic misread (`SÓI MẬT`) left a word
the text rules do not know for the compound, so `MẬT` in capitals blocked."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.ocr_text import OcrTextPreparer
from tests.support import image_corpus as corpus
from tests.support.tools import requires_ocr

LEAFLET = ["Khoa Tiêu hóa - Bệnh viện Bạch Mai", "Những điều cần biết", "Chế độ ăn uống hợp lý"]


@requires_ocr
@pytest.mark.slow
@pytest.mark.parametrize("heading", ["SỎI MẬT", "TÚI MẬT", "BỆNH SỎI MẬT"])
@pytest.mark.parametrize("photo", [False, True])
def test_a_red_heading_naming_the_gall_bladder_is_allowed(guard: Guard, heading: str, photo: bool) -> None:
    page = corpus.page(LEAFLET, headline=(heading, corpus.RED))
    picture = corpus.photographed(page, 2) if photo else page
    verdict = guard.scan_document("leaflet.jpg", corpus.encode(picture, "JPEG"))
    assert verdict.action.value == "allow", (heading, photo, verdict.level)


@pytest.mark.parametrize("read", ["SỎI MẬT", "SÓI MẬT", "TUI MAT", "TÚI MẠT", "BỆNH SÓI MẬT", "| SOI MAT |",
                                  "VIÊM TÚI MÂT CẤP"])
def test_a_compound_read_with_its_letters_right_is_no_stamp(guard: Guard, read: str) -> None:
    prepared = OcrTextPreparer(guard.policy).prepare(read, joined=True)
    assert guard.scan_text(prepared).action.value == "allow", prepared


@pytest.mark.parametrize(("read", "level"), [("TỐI MẬT", "toi_mat"), ("TOI MAT", "toi_mat"), ("T0I MAT", "toi_mat"),
                                             ("TỎI MẶT", "toi_mat"), ("SỎI MẬT\nTỐI MẬT", "toi_mat"),
                                             ("TUYET MAT", "tuyet_mat"), ("MẬT", "mat"),
                                             ("ĐỘ MẬT: A", "tuyet_mat"), ("DO MAT: B", "toi_mat")])
def test_a_stamp_read_near_a_compound_is_still_a_stamp(guard: Guard, read: str, level: str) -> None:
    verdict = guard.scan_text(OcrTextPreparer(guard.policy).prepare(read, joined=True))
    assert verdict.level is not None and verdict.level.value == level, read
