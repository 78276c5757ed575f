"""An auditor's allowed_signers file may hold the key of before a signing-key replacement beside
the new one, as `ssh-keygen -Y verify` allows; ours must accept a signature by either."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.audit import sshsig
from bot.store.keys import KeyStore

NAMESPACE = "rapid-consult-transcript"
MESSAGE = "Biên bản #1\n".encode()
DIGESTS = {"sha512": hashlib.sha512(MESSAGE).digest(), "sha256": hashlib.sha256(MESSAGE).digest()}


def line(identity: str, key: Ed25519PrivateKey) -> str:
    return f'{identity} namespaces="{NAMESPACE}" {KeyStore.public_key_line(key.public_key(), "")}'.rstrip()


def test_a_signature_by_the_old_or_the_new_key_verifies_and_others_do_not() -> None:
    old, new, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    signers = "\n".join([
        "# kept after the signing key was replaced on 2026-11-01",
        line("rapid-consult", old),
        line("someone-else", stranger),  # another identity: not trusted for rapid-consult
        line("rapid-consult", new),
    ])
    trusted = sshsig.load_allowed_signers(signers, "rapid-consult")
    assert len(trusted) == 2
    for key in (old, new):
        sshsig.verify_digest(sshsig.sign(key, NAMESPACE, MESSAGE), NAMESPACE, DIGESTS, trusted)
    with pytest.raises(sshsig.SignatureError, match="none of the 2 keys"):
        sshsig.verify_digest(sshsig.sign(stranger, NAMESPACE, MESSAGE), NAMESPACE, DIGESTS, trusted)


def test_a_file_without_a_key_for_the_identity_or_with_a_broken_line_is_refused() -> None:
    with pytest.raises(sshsig.SignatureError, match="no ssh-ed25519 key"):
        sshsig.load_allowed_signers(line("someone-else", Ed25519PrivateKey.generate()), "rapid-consult")
    with pytest.raises(sshsig.SignatureError, match="no key after it"):
        sshsig.load_allowed_signers("rapid-consult ssh-ed25519", "rapid-consult")
