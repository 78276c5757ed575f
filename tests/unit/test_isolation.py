"""The suite is isolated from whoever runs it: an operator's CONSULT_* settings (here a data
directory with loose modes, as a real shell might have) neither steer a test nor get touched."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = '''
import os
from pathlib import Path

from bot.config import load_settings


def test_probe(tmp_path):
    assert [name for name in os.environ if name.startswith("CONSULT_")] == []
    settings = load_settings()
    settings.ensure_data_dir()
    assert settings.data_dir.is_relative_to(tmp_path), settings.data_dir
    assert settings.language == "vi"
    Path("written-here.txt").write_text("a test writes in its own folder")
    assert Path("written-here.txt").resolve().is_relative_to(tmp_path)
'''


def test_the_callers_consult_settings_neither_steer_nor_get_touched(tmp_path: Path) -> None:
    operator = tmp_path / "operator-data"
    (operator / "keys").mkdir(parents=True)
    os.chmod(operator, 0o777)
    os.chmod(operator / "keys", 0o777)
    probe_dir = tmp_path / "probe"
    probe_dir.mkdir()
    (probe_dir / "pytest.ini").write_text("[pytest]\n")
    (probe_dir / "test_probe.py").write_text(PROBE)
    (probe_dir / ".env").write_text("CONSULT_LANGUAGE=en\n")
    env = {**os.environ, "CONSULT_DATA_DIR": str(operator), "CONSULT_LANGUAGE": "en",
           "CONSULT_TELEGRAM_TOKEN": "123:operator-token", "PYTHONPATH": str(REPO)}
    # The suite's own conftest, loaded as a plugin: its autouse fixture is what is under test.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-c", str(probe_dir / "pytest.ini"), str(probe_dir / "test_probe.py")],
        cwd=probe_dir, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert stat.S_IMODE(operator.stat().st_mode) == 0o777  # not "fixed" behind the operator's back
    assert [p.name for p in operator.rglob("*")] == ["keys"]
