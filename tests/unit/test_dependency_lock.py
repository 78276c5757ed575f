"""Installs are reproducible: CI, the image and the README install from the lock, every package
pinned and hash-checked, while pyproject.toml keeps ranges for those who install the package as a
library; a lock out of step with pyproject.toml is caught at install with what to run."""

from __future__ import annotations

import importlib.util
import re
import shutil
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
LOCKS = ["pip.txt", "tools.txt", "runtime.txt", "dev.txt"]


def check_lock() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_lock", REPO / "requirements" / "check_lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", LOCKS)
def test_every_locked_package_is_pinned_and_hashed(name: str) -> None:
    text = (REPO / "requirements" / name).read_text()
    lines = text.splitlines()
    packages = [i for i, line in enumerate(lines) if re.match(r"[A-Za-z0-9]", line)]
    assert packages
    for i in packages:
        assert re.fullmatch(r"[A-Za-z0-9._-]+==\S+ \\", lines[i]), lines[i]
        assert lines[i + 1].strip().startswith("--hash=sha256:"), lines[i]
    assert "file://" not in text and "/opt/" not in text  # nothing of this machine's own mirrors


def test_ci_the_image_and_the_readme_install_from_the_lock() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "--require-hashes -r $(REQ)/dev.txt" in makefile and "--require-hashes -r $(REQ)/pip.txt" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile and "check_lock.py" in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text()
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/runtime.txt" in dockerfile
    assert "--no-deps --no-build-isolation ." in dockerfile and "--upgrade" not in dockerfile
    readme = (REPO / "README.md").read_text()
    assert "--require-hashes -r requirements/runtime.txt" in readme and "make lock" in readme


def test_pyproject_keeps_ranges() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert "==" not in spec, spec


def test_the_lock_is_in_step_with_pyproject() -> None:
    assert check_lock().main(REPO) == 0


def test_a_dependency_added_without_make_lock_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(REPO / "requirements", tmp_path / "requirements")
    text = (REPO / "pyproject.toml").read_text()
    text = text.replace('dependencies = [\n', 'dependencies = [\n    "not-a-dep>=4",\n    "cryptography>=999",\n', 1)
    (tmp_path / "pyproject.toml").write_text(text)
    assert check_lock().main(tmp_path) == 1
    said = capsys.readouterr().err
    assert "not-a-dep (not-a-dep>=4) is not in requirements/runtime.txt" in said
    assert "outside cryptography>=999" in said and "make lock" in said
