"""`consult export --mode`: a bundle others may rewrite is not evidence, so group- or world-writable
modes are refused before anything is written (issue #23: `--mode 0666` made it world-writable)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands_registered() -> None:
    import bot.commands  # noqa: F401


@pytest.mark.parametrize("mode", ["0666", "0662", "0620", "0602"])
def test_a_group_or_world_writable_mode_is_refused(settings: Settings, tmp_path: Path, mode: str) -> None:
    out = tmp_path / "bundle"
    result = runner.invoke(app, ["export", "1", "--out", str(out), "--mode", mode])
    assert result.exit_code == 2 and "--mode" in result.output and "never write" in result.output
    assert not out.exists()
