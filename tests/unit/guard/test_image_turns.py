"""Pages and photos turned 90°, 180° or 270° (a scan fed sideways, a phone held in landscape with
no EXIF orientation): a marking on them is read as on an upright page, and what is harmless stays
allowed. Before turned pages were read, the 90° and 180° cases here were allowed (leaks)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageDraw

from bot.guard import reading
from bot.guard.engine import Guard
from bot.guard.ocr import OcrTimeoutError, Reader, ocr_status
from bot.guard.policy import ImageLimits
from tests.support import image_corpus as corpus

pytestmark = pytest.mark.skipif(not ocr_status().available, reason=ocr_status().detail)


def typed_top() -> Image.Image:
    """A marking typed in black at the top of the letter, as a word processor prints it."""
    return corpus.page(corpus.LETTER, headline=("TỐI MẬT", (0, 0, 0)))


def red_photo() -> Image.Image:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, "TUYỆT MẬT", (700, 80), tilt=-3)
    return corpus.photographed(page, -3)


def black_stamp() -> Image.Image:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, "MẬT", (820, 70), size=48, ink=(45, 45, 45))
    return page


def turned(image: Image.Image, turn: int) -> Image.Image:
    return image.rotate(turn, expand=True)


def judged(guard: Guard, name: str, content: bytes) -> tuple[str, str | None]:
    verdict = guard.scan_document(name, content)
    return verdict.action.value, verdict.level.value if verdict.level else None


# -- one of each, fast ---------------------------------------------------------------------------


def test_a_typed_marking_on_a_page_photographed_sideways_blocks(guard: Guard) -> None:
    jpeg = corpus.encode(turned(corpus.photographed(typed_top(), 2), 90), "JPEG", 80)
    assert judged(guard, "photo.jpg", jpeg) == ("block", "toi_mat")


def test_a_red_stamp_on_a_photo_upside_down_blocks(guard: Guard) -> None:
    assert judged(guard, "photo.jpg", corpus.encode(turned(red_photo(), 180), "JPEG", 80)) == ("block", "tuyet_mat")


def test_a_scan_fed_sideways_in_a_pdf_blocks_and_names_its_page(guard: Guard) -> None:
    stamped = corpus.page(corpus.LETTER)
    corpus.stamp(stamped, "TỐI MẬT", (820, 90))
    verdict = guard.scan_document("scan.pdf", corpus.scanned_pdf(corpus.page(corpus.LETTER), turned(stamped, 90)))
    assert (verdict.action.value, verdict.level.value if verdict.level else None) == ("block", "toi_mat")
    assert verdict.reason is not None and "page 2" in verdict.reason


def test_a_stamp_picture_on_its_side_in_a_docx_header_blocks(guard: Guard) -> None:
    docx = corpus.docx_with_header_picture(turned(corpus.stamp_alone("MẬT"), 270), corpus.LETTER[3:])
    assert judged(guard, "cv.docx", docx) == ("block", "mat")


def test_a_clean_page_sideways_stays_allowed(guard: Guard) -> None:
    assert judged(guard, "photo.jpg", corpus.encode(turned(corpus.photographed(corpus.page(corpus.LETTER), 2), 90),
                                                    "JPEG", 80)) == ("allow", None)


def test_without_orientation_detection_a_sideways_page_is_read_every_way(
        guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Reader, "orientation", lambda self, page: None)  # no osd model: fail closed by trying
    assert judged(guard, "scan.png", corpus.encode(turned(typed_top(), 180), "PNG")) == ("block", "toi_mat")


def test_the_turned_reads_count_against_the_time_limit(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    real_left = reading._left

    def orientation(self: Reader, page: Image.Image) -> tuple[int, float]:
        asked.append(1)
        return 90, 5.0

    def left(deadline: float) -> float:
        if asked:  # the time ran out while the turn was being told
            raise OcrTimeoutError("no time left to read the image")
        return real_left(deadline)

    monkeypatch.setattr(Reader, "orientation", orientation)
    monkeypatch.setattr(reading, "_left", left)
    patient = Guard(guard.policy.model_copy(update={"image_limits": ImageLimits(seconds_per_file=60)}),
                    b"test-term-key-0123456789abcdef!!")
    verdict = patient.scan_document("scan.png", corpus.encode(turned(corpus.page(corpus.LETTER), 90), "PNG"))
    assert asked and verdict.action.value == "block" and verdict.rule == "image-time-limit"


@pytest.mark.parametrize(("confidences", "garbled"), [
    ([95, 91, 88, 96, 30], False), ([40, 12, 75, 33, 50, 61], True), ([20], False), ([], False),
])
def test_a_page_read_mostly_in_doubt_is_taken_for_a_turned_page(confidences: list[int], garbled: bool) -> None:
    assert reading._garbled(confidences) is garbled


# -- every turn, slow ----------------------------------------------------------------------------


def scan(image: Image.Image) -> tuple[str, bytes]:
    return "scan.pdf", corpus.scanned_pdf(image)


def photo(image: Image.Image) -> tuple[str, bytes]:
    return "photo.jpg", corpus.encode(corpus.photographed(image, -2) if image.width < 1400 else image, "JPEG", 80)


STAMPED: dict[str, tuple[Any, Any, str]] = {
    "typed-top-photo": (typed_top, photo, "toi_mat"),
    "red-stamp-photo": (red_photo, lambda image: ("photo.jpg", corpus.encode(image, "JPEG", 80)), "tuyet_mat"),
    "black-stamp-scan": (black_stamp, scan, "mat"),
}


@pytest.mark.slow
@pytest.mark.parametrize("turn", [90, 180, 270])
@pytest.mark.parametrize("case", sorted(STAMPED))
def test_every_turn_of_a_stamped_page_blocks_with_its_level(guard: Guard, case: str, turn: int) -> None:
    make, wrap, level = STAMPED[case]
    name, content = wrap(turned(make(), turn))
    assert judged(guard, name, content) == ("block", level)


def harmless() -> dict[str, Image.Image]:
    seal = corpus.page(corpus.LETTER)
    corpus.seal(seal, (900, 1450), 150, "BỘ NGOẠI GIAO * VIỆT NAM")
    urgent = corpus.page(corpus.LETTER)
    corpus.stamp(urgent, "HỎA TỐC", (800, 70))
    corpus.stamp(urgent, "KHẨN", (760, 1300), size=44, tilt=-5)
    honey = Image.new("RGB", (900, 400), (250, 250, 240))
    ImageDraw.Draw(honey).text((60, 150), "MẬT ONG RỪNG U MINH", fill=(160, 90, 0), font=corpus.face("sans-bold", 56))
    chart = Image.new("RGB", (1200, 800), (240, 244, 250))
    for i, height in enumerate((200, 420, 330, 560)):
        ImageDraw.Draw(chart).rectangle([150 + i * 240, 700 - height, 300 + i * 240, 700], fill=(40, 90, 200))
    return {"clean photo": corpus.photographed(corpus.page(corpus.LETTER), 3), "seal": seal, "urgency": urgent,
            "honey": honey, "chart": chart,
            "headline": corpus.page(corpus.LETTER[1:], headline=("MẤT ĐIỆN DIỆN RỘNG", (0, 0, 0)))}


@pytest.mark.slow
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_harmless_pictures_turned_stay_allowed(guard: Guard, turn: int) -> None:
    blocked = []
    for name, image in harmless().items():
        out = io.BytesIO()
        turned(image, turn).save(out, "JPEG", quality=80)
        verdict = guard.scan_document("photo.jpg", out.getvalue())
        if verdict.action.value != "allow":
            blocked.append(f"{name}: {verdict.rule}")
    assert blocked == []
