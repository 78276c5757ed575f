"""Evasions scattered at random through every block case still block; everyday prose passes."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.guard.engine import Guard

HERE = Path(__file__).resolve().parent
BLOCK_CASES = [
    c
    for c in (json.loads(line) for line in (HERE / "corpus_dev.jsonl").read_text().splitlines())
    if c["expect"]["action"] == "block"
]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
HOMOGLYPHS = {
    "A": "А",
    "E": "Е",
    "O": "О",
    "C": "С",
    "T": "Т",
    "P": "Р",
    "M": "М",
    "I": "І",
    "a": "а",
    "e": "е",
    "o": "о",
    "c": "с",
    "p": "р",
    "i": "і",
}
FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(ord("A"), ord("Z") + 1)}
PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _guard() -> Guard:
    return Guard.from_policy_dir(HERE.parents[2] / "policies", b"k" * 32)


GUARD = _guard()


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    """A block case with invisible characters, look-alikes and full-width letters sprinkled in."""
    case = draw(st.sampled_from(BLOCK_CASES))
    out = []
    for char in case["text"]:
        roll = draw(st.integers(0, 9))
        if roll == 0 and char in HOMOGLYPHS:
            char = HOMOGLYPHS[char]
        elif roll == 1 and char in FULLWIDTH:
            char = FULLWIDTH[char]
        out.append(char)
        if char.isalpha() and draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
    return "".join(out), case["expect"]["level"]


@PROFILE
@given(disguised())
def test_disguised_block_cases_still_block(sample: tuple[str, str]) -> None:
    text, level = sample
    verdict = GUARD.scan_text(text)
    assert verdict.action.value == "block", text
    assert verdict.level is not None and verdict.level.value == level, text


@PROFILE
@given(
    st.sampled_from(["MẬT", "TỐI MẬT", "TUYỆT MẬT", "SECRET", "TOP SECRET", "CONFIDENTIAL"]),
    st.sampled_from([" ", ".", "-", " . ", "\u00a0", "·"]),
    st.sampled_from([*INVISIBLE, ""]),
)
def test_split_letters_block(marking: str, separator: str, invisible: str) -> None:
    split = separator.join(letter + invisible for letter in marking)
    verdict = GUARD.scan_text(f"Ghi chú: {split} — xem kèm")
    assert verdict.action.value == "block", split


VI_WORDS = [
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
    "hội",
    "nghị",
    "cấp",
    "cao",
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
    "văn",
    "hóa",
    "xã",
    "hội",
    "kết",
    "nối",
    "hạ",
    "tầng",
    "thời",
    "hạn",
    "trước",
    "giờ",
    "mặt",
    "mất",
    "mát",
    "tối",
    "nay",
    "sáng",
    "mai",
]
EN_WORDS = [
    "please",
    "review",
    "the",
    "draft",
    "statement",
    "before",
    "the",
    "meeting",
    "tonight",
    "the",
    "secretariat",
    "will",
    "circulate",
    "revised",
    "text",
    "on",
    "supply",
    "chains",
    "digital",
    "economy",
    "connectivity",
    "matters",
    "format",
    "climate",
    "secretly",
    "confidential",
    "secret",
]
COMPOUNDS = [
    "bí mật nhà nước",
    "BẢO MẬT",
    "mật khẩu",
    "MẬT MÃ",
    "mật độ",
    "MẬT ONG",
    "mật danh",
    "THÂN MẬT",
    "mật thiết",
    "ASEAN Secretariat",
    "Secretary-General",
    "HỎA TỐC",
    "THƯỢNG KHẨN",
    "KHẨN",
]


@PROFILE
@given(
    st.lists(st.sampled_from(VI_WORDS + EN_WORDS + COMPOUNDS), min_size=3, max_size=80),
    st.sampled_from([" ", " ", ", ", ". ", "\n"]),
)
def test_everyday_prose_is_allowed(words: list[str], joiner: str) -> None:
    text = joiner.join(words)
    if joiner == "\n":  # a lone word on a line may legitimately be a stamp ("secret"); keep lines long
        text = " ".join(words)
    verdict = GUARD.scan_text(text)
    assert verdict.action.value == "allow", (text, verdict.rule, verdict.findings)
    assert verdict.text == text
