"""How fast the guard judges messages, against a plain `re` search for the marking words.

20,000 mixed messages of 50 to 4,000 characters: everyday Vietnamese and English prose with the
compounds that are not markings, and one message in ten carrying a stamp, a portion mark, a span
or an evasion. The reference is what a naive filter would do: one case-insensitive regular
expression for the marking words, no normalisation at all. Aim: p99 under 1 ms for a
4,000-character message.
"""

from __future__ import annotations

import random
import re
import shutil
import statistics
import time
from pathlib import Path

import pytest

from bot.guard.engine import Guard
from bot.guard.policy import add_term
from bot.guard.terms import term_digest
from bot.guard.verdict import Level

REPO = Path(__file__).resolve().parents[2]
MESSAGES = 20_000
TERM_KEY = b"bench-term-key-0123456789abcdef!"

SENTENCES = [
    "Đề nghị các bộ, ngành cho ý kiến về dự thảo tuyên bố chung trước 16h hôm nay.",
    "Bộ Công Thương thống nhất với phương án đàm phán về chuỗi cung ứng khu vực.",
    "Đoàn Việt Nam đã tới Kuala Lumpur, lịch làm việc không thay đổi.",
    "Mật độ các cuộc họp trong tuần tới rất dày, đề nghị bố trí người dự thay.",
    "Đề nghị thực hiện nghiêm quy định về bảo vệ bí mật nhà nước khi trao đổi.",
    "Mật khẩu wifi phòng họp tầng 3 sẽ được gửi riêng.",
    "Quan hệ hai nước ngày càng mật thiết, thân mật.",
    "HỎA TỐC: Ban Thư ký ASEAN Quốc gia sẽ tổng hợp ý kiến trước 17h.",
    "Tối mai họp lúc 19h tại phòng 301, mời đại diện Vụ ASEAN.",
    "Hệ thống đã được nâng cấp BẢO MẬT, mọi người đăng nhập lại.",
    "The ASEAN Secretariat will circulate the revised draft tonight.",
    "Please keep this confidential until the chair's statement is out.",
    "The Secretary-General's office confirmed the schedule for the retreat.",
    "Our delegation supports the digital economy framework agreement text.",
    "Talking points on connectivity and the master plan are attached below.",
    "Về mặt kỹ thuật, chúng tôi đồng ý; mất điện tòa nhà từ 14h nên họp trực tuyến.",
]
STAMPED = [
    "TỐI MẬT\nPhương án đàm phán của đoàn tại phiên họp hẹp.",
    "Gửi anh bản ghi nhớ (đóng dấu MẬT) để tham khảo.",
    "Độ mật: Tuyệt mật\nNội dung trao đổi với đối tác.",
    "(SECRET) Our fallback: accept the 2026 date if partners insist.",
    "Cập nhật: [MẬT]rút đề xuất nếu không đạt đồng thuận.[/MẬT] Lịch không đổi.",
    "S\u200bЕ\u200bС\u200bR\u200bЕ\u200bТ annex attached",
    "T Ố I  M Ậ T: danh sách đại biểu",
    "Về Chiến dịch Hoa Sen: đề nghị cho ý kiến.",
]
MARKING_WORDS = re.compile(r"tuyệt mật|tối mật|mật|top secret|secret|confidential", re.IGNORECASE)


def _message(rng: random.Random, length: int) -> str:
    parts: list[str] = []
    size = 0
    while size < length:
        sentence = rng.choice(SENTENCES)
        parts.append(sentence)
        size += len(sentence) + 1
    if rng.random() < 0.1:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(STAMPED))
    text = rng.choice([" ", "\n", "\n\n"]).join(parts)
    return text[:length]


def _corpus() -> list[str]:
    rng = random.Random(20250647)
    return [_message(rng, rng.randint(50, 4_000)) for _ in range(MESSAGES)]


def _time_each(judge: object, texts: list[str]) -> list[float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        judge(text)  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return timings


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@pytest.mark.bench
def test_guard_throughput_and_latency(tmp_path: Path) -> None:
    policy_dir = tmp_path / "policies"
    shutil.copytree(REPO / "policies", policy_dir)
    for term, level in (("Chiến dịch Hoa Sen", "toi_mat"), ("CD-2025/47", "mat")):
        digest = term_digest(TERM_KEY, term)
        add_term(policy_dir, digest.hmac, digest.words, Level(level), None, digest.first)
    guard = Guard.from_policy_dir(policy_dir, TERM_KEY)
    texts = _corpus()
    guard.scan_text(texts[0])  # build the tables once, outside the timing

    started = time.perf_counter()
    guard_timings = _time_each(guard.scan_text, texts)
    guard_total = time.perf_counter() - started
    started = time.perf_counter()
    reference_timings = _time_each(MARKING_WORDS.search, texts)
    reference_total = time.perf_counter() - started

    long_texts = [t for t in texts if len(t) >= 3_900]
    long_timings = _time_each(guard.scan_text, long_texts)
    # The same, each message's best of three: what the guard costs without the machine's other work.
    long_best = [min(runs) for runs in zip(*(_time_each(guard.scan_text, long_texts) for _ in range(3)), strict=True)]
    actions = [guard.scan_text(t).action.value for t in texts[:2_000]]

    characters = sum(len(t) for t in texts)
    print()
    print(f"corpus: {len(texts)} messages, {characters / 1e6:.1f} M characters, "
          f"mean {characters / len(texts):.0f} characters")
    print("verdicts (first 2,000): " + ", ".join(f"{a} {actions.count(a)}" for a in ("allow", "redact", "block")))
    print(f"guard:     {len(texts) / guard_total:9.0f} messages/s  p50 {_percentile(guard_timings, .5) * 1e3:.3f} ms"
          f"  p99 {_percentile(guard_timings, .99) * 1e3:.3f} ms  mean {statistics.mean(guard_timings) * 1e3:.3f} ms")
    print(f"reference: {len(texts) / reference_total:9.0f} messages/s  p50 "
          f"{_percentile(reference_timings, .5) * 1e3:.3f} ms  p99 {_percentile(reference_timings, .99) * 1e3:.3f} ms"
          "  (plain re, no normalisation)")
    print(f"ratio: the guard takes {guard_total / reference_total:.1f}x the reference's time")
    long_p99 = _percentile(long_timings, .99) * 1e3
    print(f"4,000-character messages ({len(long_texts)}): p50 {_percentile(long_timings, .5) * 1e3:.3f} ms  "
          f"p99 {long_p99:.3f} ms  (aim: under 1 ms) {'met' if long_p99 < 1 else 'NOT MET'}")
    best_p99 = _percentile(long_best, .99) * 1e3
    print(f"4,000-character messages, best of 3 each: p50 {_percentile(long_best, .5) * 1e3:.3f} ms  "
          f"p99 {best_p99:.3f} ms  {'met' if best_p99 < 1 else 'NOT MET'}")

    assert actions.count("block") + actions.count("redact") > 0.05 * len(actions)
    assert best_p99 < 5, "the guard is far off its latency aim"
