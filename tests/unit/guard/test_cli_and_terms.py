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
    path.write_text(path.read_text().replace("photos: block", "photos: sometimes"))
    result = runner.invoke(app, ["policy", "check", str(policy_dir)])
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(path.read_text().splitlines(), start=1) if text.startswith("photos"))
    assert f"{path}:{line}: photos:" in result.output
