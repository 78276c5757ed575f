"""Guard throughput and latency on 20,000 mixed messages, against a plain `re` search."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from bot.guard.engine import Guard
from tests.support.bench import record

pytestmark = pytest.mark.bench
REPO = Path(__file__).resolve().parents[2]
PROSE = [
    "đề",
    "nghị",
    "các",
    "bộ",
    "ngành",
    "cho",
    "ý",
    "kiến",
    "về",
    "dự",
    "thảo",
    "tuyên",
    "bố",
    "chung",
    "của",
    "hội",
    "nghị",
    "cấp",
    "cao",
    "ASEAN",
    "lần",
    "thứ",
    "phiên",
    "họp",
    "trưởng",
    "đoàn",
    "thống",
    "nhất",
    "phương",
    "án",
    "đàm",
    "phán",
    "kinh",
    "tế",
    "số",
    "chuỗi",
    "cung",
    "ứng",
    "thương",
    "mại",
    "mặt",
    "mất",
    "mát",
    "bí",
    "mật",
    "nhà",
    "nước",
    "bảo",
    "mật",
    "mật",
    "khẩu",
    "tối",
    "nay",
    "the",
    "secretariat",
    "will",
    "circulate",
    "the",
    "revised",
    "draft",
    "tonight",
    "please",
    "review",
    "the",
    "statement",
    "before",
    "the",
    "meeting",
    "confidential",
    "secret",
    "matter",
    "format",
]
STAMPS = ["TỐI MẬT", "(MẬT) chi tiết riêng", "[MẬT]x[/MẬT]", "Độ mật: Mật", "SECRET", "T Ố I M Ậ T", "HỎA TỐC"]


def corpus(count: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    texts = []
    for _ in range(count):
        size = rnd.randint(50, 4000)
        words: list[str] = []
        length = 0
        while length < size:
            word = rnd.choice(STAMPS) if rnd.random() < 0.002 else rnd.choice(PROSE)
            words.append(word)
            length += len(word) + 1
        texts.append(" ".join(words)[:size])
    return texts


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def test_guard_throughput_and_latency() -> None:
    guard = Guard.from_policy_dir(REPO / "policies", b"k" * 32)
    texts = corpus(20_000)
    reference = re.compile(r"MẬT|TỐI MẬT|TUYỆT MẬT|SECRET|TOP SECRET|CONFIDENTIAL|Độ mật|Classification", re.I)
    guard.scan_text(texts[0])  # warm the caches

    latencies: list[float] = []
    started = time.perf_counter()
    for text in texts:
        before = time.perf_counter()
        guard.scan_text(text)
        latencies.append(time.perf_counter() - before)
    guard_seconds = time.perf_counter() - started

    reference_latencies: list[float] = []
    started = time.perf_counter()
    for text in texts:
        before = time.perf_counter()
        reference.search(text)
        reference_latencies.append(time.perf_counter() - before)
    reference_seconds = time.perf_counter() - started

    long = [lat for text, lat in zip(texts, latencies, strict=True) if len(text) >= 3800]
    figures = {
        "messages": len(texts),
        "guard messages/s": round(len(texts) / guard_seconds),
        "guard p50 ms": round(percentile(latencies, 0.50) * 1e3, 3),
        "guard p99 ms": round(percentile(latencies, 0.99) * 1e3, 3),
        "guard p99 ms, 3800-4000 chars": round(percentile(long, 0.99) * 1e3, 3),
        "plain re messages/s": round(len(texts) / reference_seconds),
        "plain re p99 ms": round(percentile(reference_latencies, 0.99) * 1e3, 4),
        "guard / plain re time ratio": round(guard_seconds / reference_seconds, 1),
    }
    record("guard", figures)
    assert figures["guard messages/s"] > 0
