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
    for name in ("corpus_dev.jsonl", "corpus_extra.jsonl")
    for c in (json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip())
    if c["expect"]["action"] == "block"
]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
HOMOGLYPHS = {
    "A": "А", "B": "В", "E": "Е", "O": "О", "C": "С", "T": "Т", "P": "Р", "M": "М", "I": "І", "K": "К",
    "H": "Н", "X": "Х", "a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "i": "і", "x": "х",
}
GREEK = {"A": "Α", "B": "Β", "E": "Ε", "I": "Ι", "K": "Κ", "M": "Μ", "N": "Ν", "O": "Ο", "P": "Ρ", "T": "Τ", "X": "Χ"}
FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in [*range(ord("A"), ord("Z") + 1), *range(ord("a"), ord("z") + 1)]}
SEPARATORS = [" ", ".", "-", " . ", "\u00a0", "–", "\u3000"]
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _guard() -> Guard:
    return Guard.from_policy_dir(HERE.parents[2] / "policies", b"k" * 32)


GUARD = _guard()


def _marking_spans(text: str) -> list[tuple[int, int]]:
    return [(f.start, f.end) for f in GUARD.scan_text(text).findings]


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str, str]:
    """A block case with look-alikes, full-width letters and invisible characters anywhere, its
    markings' letters split by spaces, dots or dashes, and the case of everything else changed."""
    case = draw(st.sampled_from(BLOCK_CASES))
    text = case["text"]
    spans = _marking_spans(text)
    out = []
    for index, char in enumerate(text):
        inside = any(start <= index < end for start, end in spans)
        if not inside and char.isalpha() and draw(st.integers(0, 3)) == 0:
            char = char.swapcase()
        roll = draw(st.integers(0, 11))
        if roll == 0 and char in HOMOGLYPHS:
            char = HOMOGLYPHS[char]
        elif roll == 1 and char in GREEK:
            char = GREEK[char]
        elif roll == 2 and char in FULLWIDTH:
            char = FULLWIDTH[char]
        out.append(char)
        following = text[index + 1:index + 2]
        if inside and char.isalpha() and following.isalpha() and any(s <= index + 1 < e for s, e in spans) \
                and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
        if char.isalpha() and draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
    return "".join(out), case["expect"]["level"], case["text"]


@PROFILE
@given(disguised())
def test_disguised_block_cases_still_block(sample: tuple[str, str, str]) -> None:
    text, level, original = sample
    verdict = GUARD.scan_text(text)
    assert verdict.action.value == "block", (original, text)
    assert verdict.level is not None and verdict.level.value == level, (original, text)


@PROFILE
@given(
    st.sampled_from(["MẬT", "TỐI MẬT", "TUYỆT MẬT", "SECRET", "TOP SECRET", "CONFIDENTIAL"]),
    st.sampled_from([*SEPARATORS, "·", "_", "/"]),
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
MENTIONS = ["bí mật nhà nước", "tài liệu tối mật", "tài liệu tuyệt mật", "thông tin mật", "ASEAN Secretariat",
            "secretly", "keep it confidential"]
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


CASINGS = [str, str.upper, str.lower, str.title, str.capitalize]


@PROFILE
@given(
    st.lists(st.tuples(st.sampled_from(VI_WORDS + EN_WORDS + COMPOUNDS + MENTIONS), st.sampled_from(CASINGS)),
             min_size=3, max_size=80),
    st.sampled_from([" ", " ", ", ", ". ", "; "]),
)
def test_everyday_prose_is_allowed(words: list[tuple[str, object]], joiner: str) -> None:
    """Prose of everyday words; the compounds and urgency marks in any case. (Plain words are kept
    in lower case: a lone `SECRET` in capitals is a stamp by design, and so is a line of nothing
    but markings, so every text opens with an everyday word.)"""
    text = "Ghi chú" + joiner + joiner.join(
        casing(word) if word in COMPOUNDS else word for word, casing in words)  # type: ignore[operator]
    verdict = GUARD.scan_text(text)
    assert verdict.action.value == "allow", (text, verdict.rule, verdict.findings)
    assert verdict.text == text
