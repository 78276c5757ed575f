from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from bot.errors import KeyMissingError, KeyPermissionError
from bot.store.keys import KeyStore


def test_init_creates_owner_only_files(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    created = keys.init()
    assert {p.name for p in created} >= {"signing_ed25519", "hmac.key"}
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    for path in (tmp_path / "keys").iterdir():
        if not path.name.endswith(".pub"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert keys.init() == []  # never overwrites


def test_group_readable_key_is_refused_with_the_fix(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    master = next((tmp_path / "keys").glob("master-*.key"))
    os.chmod(master, 0o640)
    with pytest.raises(KeyPermissionError, match=f"chmod 600 {master}"):
        keys.master_key()
    with pytest.raises(KeyPermissionError):
        keys.check_all()


def test_missing_master_key_names_its_id(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    key_id = keys.current_master_id()
    next((tmp_path / "keys").glob("master-*.key")).unlink()
    with pytest.raises(KeyMissingError, match=key_id):
        keys.master_key()


def test_no_keys_says_how_to_create_them(tmp_path: Path) -> None:
    with pytest.raises(KeyMissingError, match="consult keys init"):
        KeyStore(tmp_path).master_key()


def test_signing_key_is_openssh_and_hmac_keys_differ_by_purpose(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    assert (tmp_path / "keys" / "signing_ed25519").read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
    keys.signing_key()
    assert keys.hmac_key("content") != keys.hmac_key("guard-terms")
    assert keys.keyed_hash("content", b"x") == keys.keyed_hash("content", b"x")


def test_stock_ssh_keygen_reads_the_signing_key(tmp_path: Path) -> None:
    if not Path("/usr/bin/ssh-keygen").exists():
        pytest.skip("ssh-keygen is not installed")
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    out = subprocess.run(
        ["ssh-keygen", "-y", "-f", str(tmp_path / "keys" / "signing_ed25519")],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.split()[:2] == (tmp_path / "keys" / "signing_ed25519.pub").read_text().split()[:2]
