"""`consult guard scan` as the design's contract says, and registered terms kept only as hashes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings

runner = CliRunner()
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _commands(settings: Settings) -> None:
    import bot.commands  # noqa: F401


def test_jsonl_contract() -> None:
    lines = "\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": 1, "text": "MẬT\nabc"}, {"id": "b", "text": "(SECRET) x\ny"}, {"id": 3, "text": "hello"}, "nope"])
    result = runner.invoke(app, ["guard", "scan", "--jsonl"], input=lines)
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out[:3]] == [1, "b", 3]
    assert out[0]["action"] == "block" and out[0]["level"] == "mat" and out[0]["text"] is None
    assert out[0]["findings"] == [{"rule": "marking-alone-on-line", "start": 0, "end": 3}]
    assert out[1]["action"] == "redact" and out[1]["level"] == "toi_mat" and out[1]["text"].endswith("\ny")
    assert out[2] == {**out[2], "action": "allow", "level": None, "text": "hello", "findings": []}
    assert out[3]["action"] == "block" and "error" in out[3]
    for item in out[:3]:
        assert set(item) >= {"id", "action", "level", "text", "findings"}


def test_single_text_and_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["guard", "scan"], input="Classification: Secret")
    assert json.loads(result.output)["level"] == "toi_mat"
    document = tmp_path / "BAO_CAO_MAT.txt"
    document.write_text("harmless")
    judged = json.loads(runner.invoke(app, ["guard", "scan", str(document)]).output)
    assert judged["action"] == "block" and judged["rule"].startswith("file-name")


def test_registered_term_is_redacted_and_never_stored_in_clear(tmp_path: Path) -> None:
    policy_dir = tmp_path / "policies"
    shutil.copytree(REPO / "policies", policy_dir)
    added = runner.invoke(app, ["policy", "add-term", "Chiến dịch Hoa Sen", "--level", "toi_mat",
                                "--policy-dir", str(policy_dir)])
    assert added.exit_code == 0, added.output
    stored = (policy_dir / "guard-terms.yaml").read_text()
    assert "hoa sen" not in stored.lower() and "Hoa Sen" not in stored
    result = runner.invoke(app, ["guard", "scan", "--policy-dir", str(policy_dir),
                                 "--text", "Về CHIẾN DỊCH  hoa-sen: đồng ý"])
    verdict = json.loads(result.output)
    assert verdict["action"] == "redact" and verdict["level"] == "toi_mat"
    assert "sen" not in verdict["text"].lower() and verdict["text"].startswith("Về ")
    again = runner.invoke(app, ["policy", "add-term", "chiến dịch hoa sen", "--level", "mat",
                                "--policy-dir", str(policy_dir)])
    assert again.exit_code == 2 and "already registered" in again.output


def test_policy_check_names_guard_file_and_line(tmp_path: Path) -> None:
    policy_dir = tmp_path / "policies"
    shutil.copytree(REPO / "policies", policy_dir)
    path = policy_dir / "guard.yaml"
    path.write_text(path.read_text().replace("images: read", "images: sometimes"))
    result = runner.invoke(app, ["policy", "check", str(policy_dir)])
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(path.read_text().splitlines(), start=1) if text.startswith("images"))
    assert f"{path}:{line}: images:" in result.output


def test_stdin_text_option_and_u2028_in_jsonl(tmp_path: Path) -> None:
    piped = json.loads(runner.invoke(app, ["guard", "scan"], input="hello\n").output)
    assert piped["action"] == "allow" and piped["text"] == "hello" and piped["id"] is None
    option = json.loads(runner.invoke(app, ["guard", "scan", "--text", "TỐI MẬT"]).output)
    assert option["action"] == "block" and option["level"] == "toi_mat"
    lines = json.dumps({"id": 7, "text": "a\u2028b MẬT"}, ensure_ascii=False)
    out = runner.invoke(app, ["guard", "scan", "--jsonl", "-"], input=lines).output.splitlines()
    assert len(out) == 1 and json.loads(out[0])["id"] == 7 and json.loads(out[0])["action"] == "block"
    source = tmp_path / "in.jsonl"
    source.write_text(lines + "\n", encoding="utf-8")
    from_file = runner.invoke(app, ["guard", "scan", "--jsonl", str(source)])
    assert from_file.exit_code == 0 and json.loads(from_file.output)["level"] == "mat"


def test_a_file_is_judged_as_a_document(tmp_path: Path) -> None:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("Nội dung thường")
    document.sections[0].footer.paragraphs[0].text = "TUYỆT MẬT"
    path = tmp_path / "du-thao.docx"
    document.save(str(path))
    result = runner.invoke(app, ["guard", "scan", str(path)])
    assert result.exit_code == 0
    verdict = json.loads(result.output)
    assert verdict["action"] == "block" and verdict["level"] == "tuyet_mat" and verdict["text"] is None
    missing = runner.invoke(app, ["guard", "scan", str(tmp_path / "none.txt")])
    assert missing.exit_code != 0


def test_guard_policy_errors_name_file_and_line(tmp_path: Path) -> None:
    from bot.errors import PolicyError
    from bot.guard.policy import load_guard_policy

    policy_dir = tmp_path / "policies"
    shutil.copytree(REPO / "policies", policy_dir)
    path = policy_dir / "guard.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    placeholder = next(i for i, text in enumerate(lines) if text.startswith("placeholder:"))
    lines[placeholder] = 'placeholder: "[removed]"'
    path.write_text("\n".join(lines) + "\nsurprise: 1\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_guard_policy(policy_dir)
    message = str(caught.value)
    assert f"{path}:{placeholder + 1}: placeholder:" in message
    assert f"{path}:{len(lines) + 1}: surprise:" in message


def test_the_policy_hash_changes_with_the_policy_and_its_terms(tmp_path: Path) -> None:
    from bot.guard.policy import add_term, load_guard_policy
    from bot.guard.terms import term_digest
    from bot.guard.verdict import Level

    policy_dir = tmp_path / "policies"
    shutil.copytree(REPO / "policies", policy_dir)
    before = load_guard_policy(policy_dir).policy_hash
    digest = term_digest(b"k" * 32, "Hoa Sen")
    add_term(policy_dir, digest.hmac, digest.words, Level.MAT, None, digest.first)
    after = load_guard_policy(policy_dir).policy_hash
    assert before != after and len(after) == 64


def test_terms_match_whatever_their_spelling() -> None:
    from bot.guard.engine import Guard
    from bot.guard.policy import load_guard_policy
    from bot.guard.terms import term_digest

    key = b"k" * 32
    policy = load_guard_policy(REPO / "policies")
    terms = []
    for term, level in (("CD-2025/47", "mat"), ("Chiến dịch Hoa Sen", "toi_mat")):
        digest = term_digest(key, term)
        terms.append({"hmac": digest.hmac, "words": digest.words, "first": digest.first, "level": level})
    from bot.guard.policy import RegisteredTerm

    guard = Guard(policy.model_copy(update={"terms": tuple(RegisteredTerm(**t) for t in terms)}), key)
    for text in ("Số cd 2025 47 đã gửi", "Số CĐ–2025/47 đã gửi", "về chiến  dịch HOA-SEN nhé", "Về CHIẾN DỊCH Hoa Sen"):
        verdict = guard.scan_text(text)
        assert verdict.action.value == "redact", text
        assert verdict.text is not None and "47" not in verdict.text and "sen" not in verdict.text.lower()
    assert guard.scan_text("Hoa sen nở đẹp; chiến dịch tiêm chủng").action.value == "allow"
    assert Guard(policy.model_copy(update={"terms": tuple(RegisteredTerm(**t) for t in terms)}), b"other-key" * 4) \
        .scan_text("Số cd 2025 47").action.value == "allow"
