"""SSHSIG both ways against stock OpenSSH."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.audit import sshsig
from bot.store.keys import KeyStore

SSH_KEYGEN = shutil.which("ssh-keygen")
pytestmark = pytest.mark.skipif(SSH_KEYGEN is None, reason="Debian's openssh-client (ssh-keygen) is not installed")
NAMESPACE = "rapid-consult-transcript"


def digests(message: bytes) -> dict[str, bytes]:
    return {"sha512": hashlib.sha512(message).digest(), "sha256": hashlib.sha256(message).digest()}


def test_ssh_keygen_signature_verifies_with_ours(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    message = tmp_path / "m.txt"
    message.write_bytes("Biên bản #1\n".encode())
    subprocess.run([SSH_KEYGEN, "-Y", "sign", "-f", str(tmp_path / "keys" / "signing_ed25519"), "-n", NAMESPACE,
                    str(message)], check=True, capture_output=True)
    armored = (tmp_path / "m.txt.sig").read_text()
    sshsig.verify_digest(armored, NAMESPACE, digests(message.read_bytes()), keys.signing_key().public_key())
    with pytest.raises(sshsig.SignatureError, match="altered"):
        sshsig.verify_digest(armored, NAMESPACE, digests(b"other"), keys.signing_key().public_key())
    with pytest.raises(sshsig.SignatureError, match="namespace"):
        sshsig.verify_digest(armored, "other-namespace", digests(message.read_bytes()),
                             keys.signing_key().public_key())


def test_our_signature_verifies_with_ssh_keygen(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    message = "Biên bản #2\n".encode()
    (tmp_path / "m.sig").write_text(sshsig.sign(keys.signing_key(), NAMESPACE, message))
    public = KeyStore.public_key_line(keys.signing_key().public_key(), "").strip()
    (tmp_path / "allowed").write_text(f"rapid-consult {public}\n")
    result = subprocess.run([SSH_KEYGEN, "-Y", "verify", "-f", str(tmp_path / "allowed"), "-I", "rapid-consult",
                             "-n", NAMESPACE, "-s", str(tmp_path / "m.sig")], input=message, capture_output=True,
                            check=False)
    assert result.returncode == 0, result.stderr


def test_garbage_is_a_clear_error() -> None:
    for armored in ("nothing", "-----BEGIN SSH SIGNATURE-----\n!!!\n-----END SSH SIGNATURE-----",
                    "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----"):
        with pytest.raises(sshsig.SignatureError):
            sshsig.parse(armored)
