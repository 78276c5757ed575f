"""Keys checked before anything runs (#23 item 4): the data keys open with the master keys, and the
data folder, the database and the keys are owner-only and the bot's own. Each case passed
`consult doctor` before and failed at the first /status."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.commands.doctor_checks import check_data_keys, check_private_files
from bot.composition import open_context
from bot.config import Settings
from bot.errors import KeyInvalidError
from bot.store.datakeys import create_data_key, deployment_data_key
from bot.store.keycheck import open_data_keys
from bot.store.keys import KeyStore


async def _with_data_keys(settings: Settings, clock: FakeClock) -> None:
    async with open_context(settings, clock) as ctx, ctx.db.transaction() as tx:
        await deployment_data_key(tx, ctx.keys, clock)
        for owner in range(1, 4):
            await create_data_key(tx, ctx.keys, clock, owner)


async def test_every_data_key_opens_with_this_deployments_master_key(settings: Settings, clock: FakeClock) -> None:
    await _with_data_keys(settings, clock)
    assert open_data_keys(settings.db_path, KeyStore(settings.keys_dir)).checked == 4
    line = check_data_keys(settings)
    assert line.ok, line


async def test_another_deployments_master_key_is_refused_with_the_way_out(
        settings: Settings, clock: FakeClock, tmp_path: Path) -> None:
    await _with_data_keys(settings, clock)
    other = KeyStore(tmp_path / "other-keys")
    other.init()
    for path in settings.keys_dir.glob("master*"):
        path.unlink()
    for path in other.keys_dir.glob("master*"):
        shutil.copy2(path, settings.keys_dir / path.name)
    line = check_data_keys(settings)
    assert not line.ok and "cannot be opened" in line.detail and "offline copy" in line.remedy, line
    with pytest.raises(KeyInvalidError, match="consult doctor"):
        open_data_keys(settings.db_path, KeyStore(settings.keys_dir))


@pytest.mark.parametrize("garbage", [b"not base64 at all!!\n", base64.b64encode(os.urandom(32)) + b"\n"])
async def test_a_garbled_master_key_is_refused(settings: Settings, clock: FakeClock, garbage: bytes) -> None:
    await _with_data_keys(settings, clock)
    master = KeyStore(settings.keys_dir).current_master_id()
    (settings.keys_dir / f"master-{master}.key").write_bytes(garbage)
    line = check_data_keys(settings)
    assert not line.ok, line
    assert garbage.decode().strip() not in str(line)  # key material is never shown


async def test_a_readable_database_fails_the_owner_and_mode_check(settings: Settings, clock: FakeClock) -> None:
    await _with_data_keys(settings, clock)
    assert check_private_files(settings).ok, check_private_files(settings)
    settings.db_path.chmod(0o644)
    line = check_private_files(settings)
    assert not line.ok and "consult.db has mode 0644" in line.detail and "chmod 600" in line.remedy, line


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_keys_rotate_as_root_keeps_the_folders_owner(
        settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    asyncio.run(_with_data_keys(settings, clock))
    service = 4242
    for path in [settings.data_dir, *settings.data_dir.rglob("*")]:
        os.chown(path, service, service)
    monkeypatch.setenv("CONSULT_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    root_owned = [p.name for p in settings.data_dir.rglob("*") if p.stat().st_uid != service]
    assert root_owned == []


def test_run_refuses_before_serving_when_a_data_key_cannot_be_opened(
        settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import app
    from bot.commands import run_commands

    asyncio.run(_with_data_keys(settings, clock))
    other = KeyStore(tmp_path / "other-keys")
    other.init()
    for path in settings.keys_dir.glob("master*"):
        path.unlink()
    for path in other.keys_dir.glob("master*"):
        shutil.copy2(path, settings.keys_dir / path.name)

    async def not_a_sandbox(endpoint: object) -> bool:
        return False

    served: list[object] = []
    monkeypatch.setattr(run_commands, "is_sandbox", not_a_sandbox)
    monkeypatch.setattr(run_commands, "open_stores", lambda *a, **k: served.append(a))
    monkeypatch.setenv("CONSULT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CONSULT_TELEGRAM_TOKEN", "123456:" + "A" * 35)
    result = CliRunner().invoke(app, ["run", "--api-url", "http://127.0.0.1:9/bot", "--group-chat-id", "-100123"])
    assert result.exit_code != 0 and "cannot be opened" in result.output and "offline copy" in result.output, (
        result.output)
    assert served == []
