"""Images read by OCR: the shared development set, harder cases of our own, OCR's mistakes
tolerated in stamps and not in headlines, and every way of failing closed."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from bot.guard import images as images_module
from bot.guard.engine import Guard
from bot.guard.ocr import OcrStatus, ocr_status
from bot.guard.ocr_text import OcrTextPreparer
from bot.guard.policy import ImageLimits
from tests.support import image_corpus

requires_ocr = pytest.mark.skipif(not ocr_status().available, reason=ocr_status().detail)


def judge_set(guard: Guard, folder: Path, expect: dict[str, dict[str, Any]]) -> list[str]:
    """Every case judged under a neutral name (the sets' names carry markings themselves)."""
    failures = []
    for name, wanted in expect.items():
        verdict = guard.scan_document("file." + name.rsplit(".", 1)[1], (folder / name).read_bytes())
        got = (verdict.action.value, verdict.level.value if verdict.level else None)
        if got != (wanted["action"], wanted["level"]):
            failures.append(f"{name}: wanted {wanted['action']}/{wanted['level']}, got {got} ({verdict.rule}); "
                            f"{wanted['why']}")
    return failures


@requires_ocr
def test_shared_development_set(guard: Guard, tmp_path: Path) -> None:
    expect = image_corpus.write_shared_cases(tmp_path)
    if expect is None:
        pytest.skip("GUARD_CORPUS_DIR names no corpus with an image generator")
    assert judge_set(guard, tmp_path, expect) == []


@requires_ocr
@pytest.mark.slow
def test_harder_cases(guard: Guard, tmp_path: Path) -> None:
    expect = image_corpus.write_cases(tmp_path)
    (tmp_path / "expect.json").write_text(json.dumps(expect, ensure_ascii=False))
    assert judge_set(guard, tmp_path, expect) == []


@requires_ocr
def test_a_stamped_page_names_the_picture_and_says_why_in_a_key(guard: Guard) -> None:
    clean, stamped = image_corpus.page(image_corpus.LETTER), image_corpus.page(image_corpus.LETTER)
    image_corpus.stamp(stamped, "TỐI MẬT", (820, 90))
    verdict = guard.scan_document("scan.pdf", image_corpus.scanned_pdf(clean, stamped, title="scan"))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"
    assert verdict.rule == "image:marking-alone-on-line" and verdict.reason_key == "guard.reason.image_marking"
    assert verdict.reason is not None and "page 2" in verdict.reason and verdict.text is None


# -- OCR's mistakes: tolerated in stamps, not in headlines ------------------------------------------


@pytest.mark.parametrize(("read", "level"), [
    ("TÔI MẬT", "toi_mat"), ("| TOI MAT |", "toi_mat"), ("TỎI MẮT", "toi_mat"), ("MẠT", "mat"), ("l MẤT I", "mat"),
    ("TUYÊT MẠT", "tuyet_mat"), ("TUYETMAT", "tuyet_mat"), ("T0P SECRET", "tuyet_mat"), ("C0NFIDENTlAL", "mat"),
    ("HỎA TỐC - MẠT", "mat"), ("CHI NGUOI CO TEN\nMOI DUOC BOC BI", "mat"), ("TAI LIEU THU HOI", "mat"),
    ("Độ mật: Tối mật", "toi_mat"),
])
def test_stamps_read_with_ocr_mistakes_block(guard: Guard, read: str, level: str) -> None:
    verdict = guard._judge(OcrTextPreparer(guard.policy).prepare(read))
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == level


@pytest.mark.parametrize("read", [
    "MẤT ĐIỆN DIỆN RỘNG", "MAT ĐIỆN DIỆN RỘNG", "MẶT TRẬN TỔ QUỐC VIỆT NAM", "MẠT CƯA MƯỚP ĐẮNG", "HỎA TỐC",
    "THƯỢNG KHẨN", "KHAN", "MẬT ONG RỪNG U MINH", "MAT ONG", "BẢO MẬT THÔNG TIN", "mất", "Mặt trận",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TOMATO", "MAI", "ASEAN SECRETARIAT", "",
])
def test_headlines_urgency_marks_and_compounds_stay_allowed(guard: Guard, read: str) -> None:
    assert guard._judge(OcrTextPreparer(guard.policy).prepare(read)).action.value == "allow"


# -- failing closed ---------------------------------------------------------------------------------


def png(width: int = 300, height: int = 120, text: str = "") -> bytes:
    image = Image.new("RGB", (width, height), "white")
    if text:
        ImageDraw.Draw(image).text((10, 10), text, fill="black", font=image_corpus.face("sans", 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def with_policy(guard: Guard, **changes: Any) -> Guard:
    return Guard(guard.policy.model_copy(update=changes), b"test-term-key-0123456789abcdef!!")


@requires_ocr
@pytest.mark.parametrize(("content", "key"), [
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "guard.reason.heic"),
    (png()[:60], "guard.reason.image_unreadable"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "guard.reason.image_unreadable"),
])
def test_images_that_cannot_be_decoded_are_blocked_with_a_reason(guard: Guard, content: bytes, key: str) -> None:
    verdict = guard.scan_document("anh.png", content)
    assert verdict.action.value == "block" and verdict.rule == "unreadable-image" and verdict.reason_key == key


def test_pictures_beyond_the_pixel_limit_are_not_decoded(guard: Guard) -> None:
    small = with_policy(guard, image_limits=ImageLimits(max_pixels=10_000))
    verdict = small.scan_document("anh.png", png(300, 120))
    assert verdict.action.value == "block" and verdict.reason_key == "guard.reason.image_too_large"


def test_images_block_policy_refuses_every_image_and_file_holding_one(guard: Guard) -> None:
    strict = with_policy(guard, images="block")
    assert strict.scan_document("anh.png", png()).reason_key == "guard.reason.images_blocked"
    docx = image_corpus.docx_with_header_picture(Image.new("RGB", (200, 100), "white"), ["Kính gửi"])
    assert strict.scan_document("cv.docx", docx).reason_key == "guard.reason.images_blocked"
    assert strict.scan_document("ghi-chu.txt", "Kính gửi".encode()).action.value == "allow"


def test_without_ocr_images_and_scans_are_blocked(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = OcrStatus(False, "the Vietnamese OCR model is not installed")
    monkeypatch.setattr(images_module, "ocr_status", lambda: missing)
    photo = guard.scan_document("photo.jpg", png())
    assert photo.action.value == "block" and photo.rule == "ocr-unavailable"
    assert photo.reason_key == "guard.reason.ocr_missing"
    scan = guard.scan_document("scan.pdf", image_corpus.scanned_pdf(image_corpus.page(["Kính gửi"])))
    assert scan.action.value == "block" and scan.rule == "ocr-unavailable"


@requires_ocr
def test_a_file_that_takes_too_long_is_blocked(guard: Guard) -> None:
    hurried = with_policy(guard, image_limits=ImageLimits(seconds_per_file=0.001))
    verdict = hurried.scan_document("anh.png", png(1200, 1600, "Kính gửi"))
    assert verdict.action.value == "block" and verdict.rule == "image-time-limit"
    assert verdict.reason_key == "guard.reason.too_slow"


@requires_ocr
def test_scans_beyond_the_page_limit_are_blocked(guard: Guard) -> None:
    one_page = with_policy(guard, image_limits=ImageLimits(max_pages=1))
    two = image_corpus.scanned_pdf(Image.new("RGB", (600, 800), "white"), Image.new("RGB", (600, 800), "white"))
    verdict = one_page.scan_document("scan.pdf", two)
    assert verdict.action.value == "block" and verdict.reason_key == "guard.reason.too_many_pages"


@requires_ocr
def test_an_image_without_text_and_a_blank_scan_are_allowed(guard: Guard) -> None:
    assert guard.scan_document("photo.jpg", png()).action.value == "allow"
    blank = image_corpus.scanned_pdf(Image.new("RGB", (600, 800), "white"), title="TỐI MẬT")
    assert guard.scan_document("scan.pdf", blank).action.value == "block"  # its title is still judged
    assert guard.scan_document("scan.pdf", image_corpus.scanned_pdf(Image.new("RGB", (600, 800), "white"),
                                                                     title="scan")).action.value == "allow"


def test_doctor_and_the_start_say_whether_images_can_be_read(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.commands import doctor_checks as doctor
    from bot.commands import run_commands

    if ocr_status().available:
        assert doctor.check_ocr().ok and "vie" in doctor.check_ocr().detail
        assert run_commands.images_line(guard).startswith("images: read by OCR")
    missing = OcrStatus(False, "the Vietnamese OCR model is not installed (apt-get install tesseract-ocr-vie)")
    monkeypatch.setattr(doctor, "ocr_status", lambda: missing)
    monkeypatch.setattr(run_commands, "ocr_status", lambda: missing)
    line = doctor.check_ocr()
    assert not line.ok and "tesseract-ocr-vie" in line.remedy
    assert run_commands.images_line(guard).startswith("images: BLOCKED, fail closed")
    assert run_commands.images_line(with_policy(guard, images="block")).startswith("images: blocked")


def with_media(docx: bytes, name: str, data: bytes) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr(f"word/media/{name}", data)
    return out.getvalue()


@requires_ocr
def test_vector_pictures_in_a_docx_svg_judged_by_its_text_emf_refused(guard: Guard) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Kính gửi")
    buffer = io.BytesIO()
    document.save(buffer)
    plain = buffer.getvalue()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="20">T\xe1\xbb\x90I M\xe1\xba\xacT</text></svg>'
    stamped = guard.scan_document("cv.docx", with_media(plain, "image1.svg", svg))
    assert stamped.action.value == "block" and stamped.level is not None and stamped.level.value == "toi_mat"
    harmless = svg.replace(b"T\xe1\xbb\x90I M\xe1\xba\xacT", b"ASEAN 2025")
    assert guard.scan_document("cv.docx", with_media(plain, "image1.svg", harmless)).action.value == "allow"
    emf = guard.scan_document("cv.docx", with_media(plain, "image2.emf", b"\x01\x00\x00\x00" + b"\x00" * 80))
    assert emf.action.value == "block" and emf.reason_key == "guard.reason.image_format"
