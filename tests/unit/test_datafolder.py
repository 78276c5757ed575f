"""Which data folder a run uses, and which it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.datafolder import (
    MARKER,
    FolderKind,
    check_deployment_folder,
    kind_of,
    prepare_sandbox_folder,
    sandbox_folder,
)
from bot.errors import ConfigError


def test_a_sandbox_gets_a_folder_of_its_own_and_marks_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "keys").mkdir(parents=True)
    (data / "keys" / "master.current").write_text("mk-1\n")
    assert kind_of(data) is FolderKind.DEPLOYMENT
    folder = prepare_sandbox_folder(sandbox_folder(data))
    assert folder == data / "sandbox" and kind_of(folder) is FolderKind.SANDBOX
    assert (folder / MARKER).stat().st_mode & 0o077 == 0
    assert sandbox_folder(folder) == folder  # a data folder that is a sandbox's is used as it is
    assert sandbox_folder(data, tmp_path / "chosen") == tmp_path / "chosen"


def test_a_deployment_is_never_a_sandbox_and_a_sandbox_never_goes_to_telegram(tmp_path: Path) -> None:
    deployment = tmp_path / "deployment"
    deployment.mkdir()
    (deployment / "consult.db").write_bytes(b"")
    with pytest.raises(ConfigError, match="holds a deployment's data"):
        prepare_sandbox_folder(deployment)
    assert not (deployment / MARKER).exists()
    check_deployment_folder(deployment)
    drill = prepare_sandbox_folder(tmp_path / "drill")
    with pytest.raises(ConfigError, match="is a sandbox's data folder"):
        check_deployment_folder(drill)
