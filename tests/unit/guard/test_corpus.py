"""The development corpus, and cases of our own written to the same rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.guard.engine import Guard
from tests.support.image_corpus import CORPUS_DIR

HERE = Path(__file__).resolve().parent
SHARED = CORPUS_DIR / "dev.jsonl" if CORPUS_DIR is not None else HERE / "no-corpus-named"


def _cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


CORPUS = _cases(HERE / "corpus_dev.jsonl")
EXTRA = _cases(HERE / "corpus_extra.jsonl")  # ours, written to the design's rules, many per rule


def check(guard: Guard, case: dict[str, Any]) -> None:
    verdict = guard.scan_text(case["text"])
    expected = case["expect"]
    assert verdict.action.value == expected["action"], (case["text"], verdict)
    assert (verdict.level.value if verdict.level else None) == expected["level"], (case["text"], verdict)
    if verdict.action.value == "allow":
        assert verdict.text == case["text"]
    if verdict.action.value == "block":
        assert verdict.text is None
    for gone in case.get("gone", []):
        assert gone not in (verdict.text or "")
    for kept in case.get("kept", []):
        assert kept in (verdict.text or "")


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_development_corpus(guard: Guard, case: dict[str, Any]) -> None:
    check(guard, case)


def test_the_copy_matches_shared() -> None:
    if not SHARED.exists():
        pytest.skip("GUARD_CORPUS_DIR names no corpus with a dev.jsonl; the copy here is used")
    assert _cases(SHARED) == CORPUS, "corpus_dev.jsonl is out of date with GUARD_CORPUS_DIR's"


def test_shared_corpus_as_it_is_now(guard: Guard) -> None:
    """The shared file itself, should it have grown since the copy was taken."""
    if not SHARED.exists():
        pytest.skip("GUARD_CORPUS_DIR names no corpus with a dev.jsonl; the copy here is used")
    for case in _cases(SHARED):
        check(guard, case)


@pytest.mark.parametrize("case", EXTRA, ids=[c["id"] for c in EXTRA])
def test_extra_corpus(guard: Guard, case: dict[str, Any]) -> None:
    check(guard, case)


def _c(text: str, action: str, level: str | None, gone: list[str] | None = None,
       kept: list[str] | None = None) -> dict[str, Any]:
    return {"text": text, "expect": {"action": action, "level": level}, "gone": gone or [], "kept": kept or []}


OURS = [
    # block 1: a line that holds nothing but a marking, any case, decorated
    _c("Tuyệt mật\nNội dung", "block", "tuyet_mat"), _c("   *** Mật ***   ", "block", "mat"),
    _c("- TỐI MẬT -\nabc", "block", "toi_mat"), _c("Secret\nthe plan", "block", "toi_mat"),
    _c("top secret", "block", "tuyet_mat"),
    # block 2: capitals as a word of its own, not in a compound
    _c("Gửi tài liệu MẬT cho anh", "block", "mat"), _c("Bản TUYỆT MẬT số 3", "block", "tuyet_mat"),
    _c("HỎA TỐC - TỐI MẬT", "block", "toi_mat"), _c("U.S. SECRET SERVICE memo", "block", "toi_mat"),
    _c("tài liệu MAT", "block", "mat"), _c("TOP-SECRET", "block", "tuyet_mat"),
    _c("C.O.N.F.I.D.E.N.T.I.A.L", "block", "mat"), _c("Nội dung: (MẬT) abc", "block", "mat"),
    # block 3: brackets that open no span, any case
    _c("[ mật ]", "block", "mat"), _c("Xem tài liệu [Tối Mật] kèm theo", "block", "toi_mat"),
    _c("[MẬT]abc chưa đóng", "block", "mat"),
    # block 4: classification fields, any case; unknown values still classify
    _c("độ mật: tối mật", "block", "toi_mat"), _c("MỨC ĐỘ MẬT: MẬT", "block", "mat"),
    _c("Classification: confidential", "block", "mat"), _c("Classification: Restricted", "block", "mat"),
    # evasions
    _c("ＳＥＣＲＥＴ memo", "block", "toi_mat"), _c("ΤΟΡ SΕCRΕΤ", "block", "tuyet_mat"),
    _c("M-Ậ-T", "block", "mat"), _c("SE\u00adCRET plan", "block", "toi_mat"),
    _c("TỐI\u00a0MẬT kế hoạch", "block", "toi_mat"), _c("MẬT\u200b", "block", "mat"),
    _c("T\u3000O\u3000P SECRET", "block", "tuyet_mat"),
    # redact: portions and spans, any case; the highest removed level counts
    _c("ok [mật]xx yy[/mật] zz", "redact", "mat", gone=["xx yy"], kept=["ok", "zz"]),
    _c("(Mật) nội dung riêng\nPhần chung", "redact", "mat", gone=["nội dung riêng"], kept=["Phần chung"]),
    _c("(SECRET) a1\n(TOP SECRET) b2\nc3", "redact", "tuyet_mat", gone=["a1", "b2"], kept=["c3"]),
    _c("• (TỐI MẬT) bullet item\nnext", "redact", "toi_mat", gone=["bullet item"], kept=["next"]),
    # a span and a stamp elsewhere: the stamp still blocks
    _c("[TỐI MẬT]x[/TỐI MẬT] and SECRET", "block", "toi_mat"),
    # allow: compounds in any case, other words that fold to the same letters, prose
    _c("BÍ MẬT NHÀ NƯỚC", "allow", None), _c("ĐỔI MẬT KHẨU NGAY", "allow", None), _c("MẬT MÃ", "allow", None),
    _c("THÂN MẬT", "allow", None), _c("QUAN HỆ MẬT THIẾT", "allow", None), _c("MẬT DANH", "allow", None),
    _c("MẬT ĐỘ DÂN SỐ", "allow", None), _c("MẬT ONG RỪNG", "allow", None),
    _c("MẤT ĐIỆN toàn tòa nhà từ 14h", "allow", None), _c("VỀ MẶT KỸ THUẬT, CHÚNG TÔI ĐỒNG Ý", "allow", None),
    _c("TRỜI MÁT", "allow", None), _c("He SECRETLY agreed", "allow", None),
    _c("Classification: Unclassified", "allow", None), _c("KHẨN: đề nghị cho ý kiến", "allow", None),
    _c("THƯỢNG KHẨN", "allow", None), _c("the secret sauce", "allow", None),
    _c("Top Secret clearance is needed for that meeting", "allow", None),
    _c("Ban Thư ký ASEAN (ASEAN SECRETARIAT)", "allow", None), _c("SECRETARY OF STATE", "allow", None),
    _c("Ý kiến về tài liệu tối mật đã gửi theo đường công văn", "allow", None),
]


@pytest.mark.parametrize("case", OURS, ids=[c["text"][:30] for c in OURS])
def test_our_cases(guard: Guard, case: dict[str, Any]) -> None:
    check(guard, case)


def test_findings_point_at_the_original_text(guard: Guard) -> None:
    text = "Đầu\u200b thư\nT\u200bỐ\u200bI M\u200bẬ\u200bT: kịch bản"
    verdict = guard.scan_text(text)
    (finding,) = verdict.findings
    assert text[finding.start:finding.end] == "T\u200bỐ\u200bI M\u200bẬ\u200bT"


def test_redaction_cuts_decomposed_text_exactly(guard: Guard) -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "Mở đầu\n(TỐI MẬT) bí mật quân sự\nKết luận")
    verdict = guard.scan_text(text)
    assert verdict.action.value == "redact"
    assert verdict.text == unicodedata.normalize("NFD", "Mở đầu\n") + "[đã lược bỏ: Tối mật]" + \
        unicodedata.normalize("NFD", "\nKết luận")


def test_placeholder_survives_a_second_scan(guard: Guard) -> None:
    once = guard.scan_text("(TUYỆT MẬT) x\n[MẬT]y[/MẬT]\nz")
    assert once.text is not None
    again = guard.scan_text(once.text)
    assert again.action.value == "allow"


def test_every_verdict_names_its_rule_and_policy(guard: Guard) -> None:
    for text in ("MẬT", "(MẬT) x", "hello"):
        verdict = guard.scan_text(text)
        assert len(verdict.policy_hash) == 64
        assert verdict.rule
        assert (verdict.rule == "no-marking") == (verdict.action.value == "allow")


def test_a_failing_guard_blocks(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(guard.detector, "find", broken)
    verdict = guard.scan_text("harmless")
    assert verdict.action.value == "block" and verdict.rule == "guard-error"


DISGUISES = _cases(HERE / "corpus_disguises.jsonl")  # ours: the disguises and marks the design names since 2026


@pytest.mark.parametrize("case", DISGUISES, ids=[c["id"] for c in DISGUISES])
def test_disguises_corpus(guard: Guard, case: dict[str, Any]) -> None:
    check(guard, case)
