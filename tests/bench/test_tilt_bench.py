"""Time per image for stamps at any angle: the stamp levelled by its long axis against the narrow
projection search alone (what ran before issue 24), on the same pages in the same run. The long
axis costs one pass over a 160-px copy of each ink region and a handful of rotations."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from bot.guard import ink
from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.bench import record
from tests.support.tools import requires_ocr

pytestmark = [pytest.mark.bench, requires_ocr]
REPO = Path(__file__).resolve().parents[2]
KEY = b"bench-term-key-0123456789abcdef!"
TILTS = (0.0, 15.0, 45.0, 60.0, -50.0)


def stamped(tilt: float) -> bytes:
    page = corpus.page(corpus.LETTER)
    corpus.stamp(page, "TUYỆT MẬT", (640, 40), tilt=tilt)
    return corpus.encode(corpus.photographed(page, -2), "JPEG", quality=85)


def per_image(guard: Guard, pictures: dict[float, bytes]) -> tuple[float, int]:
    """Median seconds per picture (three rounds), and how many were blocked."""
    times, blocked = [], 0
    for _ in range(3):
        for content in pictures.values():
            started = time.perf_counter()
            verdict = guard.scan_document("anh.jpg", content)
            times.append(time.perf_counter() - started)
            blocked += verdict.action.value == "block"
    return statistics.median(times), blocked // 3


def test_time_per_image_with_stamps_at_any_angle(monkeypatch: pytest.MonkeyPatch) -> None:
    guard = Guard.from_policy_dir(REPO / "policies", KEY)
    pictures = {tilt: stamped(tilt) for tilt in TILTS}
    guard.scan_document("warm.jpg", pictures[0.0])
    after, found_after = per_image(guard, pictures)
    monkeypatch.setattr(ink, "stamp_angle", ink.skew_angle)  # before: the ±30° search only
    before, found_before = per_image(guard, pictures)
    record("tilted_stamps", {
        "pictures": f"{len(TILTS)} phone photos (~1.1 MP JPEG), red TUYỆT MẬT at {', '.join(f'{t:g}°' for t in TILTS)}",
        "before (±30° search)": f"{before:.2f} s per image (median), {found_before}/{len(TILTS)} blocked",
        "after (long axis)": f"{after:.2f} s per image (median), {found_after}/{len(TILTS)} blocked",
    })
    assert found_after == len(TILTS)
