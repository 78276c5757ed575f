from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings, load_settings
from bot.errors import ConfigError

runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands_registered() -> None:
    import bot.commands  # noqa: F401


def test_invalid_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSULT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="CONSULT_TIMEZONE: .*unknown time zone"):
        load_settings()


def test_data_dir_is_tightened_to_owner_only(settings: Settings) -> None:
    os.chmod(settings.data_dir, 0o755)
    settings.ensure_data_dir()
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700


def test_cli_refuses_a_loose_key_file_without_traceback(settings: Settings) -> None:
    master = next(settings.keys_dir.glob("master-*.key"))
    os.chmod(master, 0o644)
    result = runner.invoke(app, ["roster", "list"])
    assert result.exit_code == 2
    assert f"chmod 600 {master}" in result.output
    assert "Traceback" not in result.output


def test_cli_roster_import_list_enroll(settings: Settings, tmp_path: Path) -> None:
    from tests.support.paths import EXAMPLE_ROSTER

    result = runner.invoke(app, ["roster", "import", str(EXAMPLE_ROSTER)])
    assert result.exit_code == 0, result.output
    assert "imported 7 agencies and 19 people" in result.output
    listed = runner.invoke(app, ["roster", "list"]).output
    assert "jkt-2\tCao Thị Quyên" in listed and "not enrolled" in listed
    link = runner.invoke(app, ["roster", "enroll", "jkt-2"])
    assert link.exit_code == 0
    assert link.output.startswith("https://t.me/rapid_consult_bot?start=")
    unknown = runner.invoke(app, ["roster", "enroll", "nobody"])
    assert unknown.exit_code == 2 and "no active person 'nobody'" in unknown.output


def test_cli_roster_error_names_line(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agencies:\n  - {key: mofa, name: M}\npeople:\n  - {key: a, name: A, agency: nope}\n")
    result = runner.invoke(app, ["roster", "import", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:4: people.0.agency: unknown agency 'nope'" in result.output


def test_cli_keys_rotate_and_show_public(settings: Settings) -> None:
    before = settings.keys_dir.joinpath("master.current").read_text().strip()
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert before in result.output
    assert settings.keys_dir.joinpath("master.current").read_text().strip() != before
    public = runner.invoke(app, ["keys", "show-public"]).output.split()
    assert public[:2] == ["rapid-consult", "ssh-ed25519"]


def test_cli_policy_check_reports_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "routing.yaml").write_text("roles: {a_lead: A}\nscopes:\n  x:\n    name_vi: X\n    name_en: X\n"
                                           "    roles: [b_lead]\n")
    result = runner.invoke(app, ["policy", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'routing.yaml'}:6: unknown role 'b_lead'" in result.output
