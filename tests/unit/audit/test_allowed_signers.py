"""An auditor's allowed_signers file means what it means to `ssh-keygen -Y verify`: principals and
namespaces are pattern lists, valid-after/valid-before bound the key's use in time, a
cert-authority line trusts certificates and not the plain key, and a line OpenSSH cannot read is
skipped. Where ssh-keygen is installed, each case is also put to it and must get the same answer."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.audit import allowed_signers, sshsig
from bot.store.keys import KeyStore

NAMESPACE = "rapid-consult-transcript"
MESSAGE = "Biên bản #1\n".encode()
DIGESTS = {"sha512": hashlib.sha512(MESSAGE).digest(), "sha256": hashlib.sha256(MESSAGE).digest()}
SSH_KEYGEN = shutil.which("ssh-keygen")
KEY = Ed25519PrivateKey.generate()
SIGNATURE = sshsig.sign(KEY, NAMESPACE, MESSAGE)


def line(principals: str, key: Ed25519PrivateKey = KEY, options: str = "") -> str:
    public = KeyStore.public_key_line(key.public_key(), "").strip()
    return f"{principals} {options} {public}".replace("  ", " ")


def ours(text: str, identity: str = "rapid-consult", namespace: str = NAMESPACE) -> str | None:
    """None if our verifier accepts, else its reason."""
    try:
        sshsig.verify_trusted(sshsig.sign(KEY, namespace, MESSAGE), namespace, DIGESTS, allowed_signers.parse(text),
                              identity)
    except sshsig.SignatureError as exc:
        return str(exc)
    return None


def openssh(text: str, tmp_path: Path, identity: str = "rapid-consult", namespace: str = NAMESPACE) -> bool:
    assert SSH_KEYGEN is not None
    (tmp_path / "signers").write_text(text + "\n")
    (tmp_path / "sig").write_text(sshsig.sign(KEY, namespace, MESSAGE))
    result = subprocess.run([SSH_KEYGEN, "-Y", "verify", "-f", str(tmp_path / "signers"), "-I", identity,
                             "-n", namespace, "-s", str(tmp_path / "sig")], input=MESSAGE, capture_output=True,
                            check=False)
    return result.returncode == 0


CASES = [
    # (allowed_signers text, accepted?, words our refusal must hold)
    (line("rapid-consult"), True, ""),
    (line("*"), True, ""),
    (line("rapid-*"), True, ""),
    (line("auditors,rapid-consult"), True, ""),
    (line("!rapid-consult,*"), False, "no line trusts"),
    (line("someone-else"), False, "no line trusts"),
    (line("rapid-consult", options='namespaces="rapid-consult-*"'), True, ""),
    (line("rapid-consult", options='namespaces="git,file"'), False, "not permitted for use in signature namespace"),
    (line("rapid-consult", options='valid-before="20200101"'), False, "key has expired"),
    (line("rapid-consult", options='valid-before="20200101Z"'), False, "key has expired"),
    (line("rapid-consult", options='valid-after="29990101"'), False, "not yet valid"),
    (line("rapid-consult", options='valid-after="20200101",valid-before="29990101120000Z"'), True, ""),
    (line("rapid-consult", options="cert-authority"), False, "cert-authority"),
    (line("rapid-consult", options="no-such-option"), False, "no line trusts"),
    (line("rapid-consult", Ed25519PrivateKey.generate()), False, "no line trusts"),
    # An expired old key does not hide a valid line for the same key further down.
    (line("rapid-consult", options='valid-before="20200101"') + "\n" + line("rapid-consult"), True, ""),
]


@pytest.mark.parametrize(("text", "accepted", "reason"), CASES)
def test_options_and_patterns_as_ssh_keygen_reads_them(text: str, accepted: bool, reason: str,
                                                      tmp_path: Path) -> None:
    refusal = ours(text)
    assert (refusal is None) == accepted, refusal
    if refusal is not None:
        assert reason in refusal and "SHA256:" in refusal
    if SSH_KEYGEN is not None:
        assert openssh(text, tmp_path) == accepted


def test_times_are_read_as_ssh_keygen_writes_them() -> None:
    assert allowed_signers.parse_time("20260101Z") == datetime(2026, 1, 1, tzinfo=UTC)
    assert allowed_signers.parse_time("202601021530UTC") == datetime(2026, 1, 2, 15, 30, tzinfo=UTC)
    assert allowed_signers.parse_time("20260102153045Z") == datetime(2026, 1, 2, 15, 30, 45, tzinfo=UTC)
    for bad in ("2026", "2026-01-01", "202601011", "tomorrow"):
        with pytest.raises(ValueError):
            allowed_signers.parse_time(bad)


def test_unreadable_lines_are_skipped_and_said() -> None:
    parsed = allowed_signers.parse("\n".join([
        "# the published key",
        "rapid-consult ssh-ed25519",
        'rapid-consult valid-before="20300101",valid-after="20310101" ' + line("x").split(" ", 1)[1],
        line("rapid-consult"),
    ]))
    assert len(parsed.lines) == 1
    assert [s.split(":")[0] for s in parsed.skipped] == ["line 2", "line 3"]
    assert "before" in parsed.skipped[1]


def test_verify_time_is_the_callers() -> None:
    text = line("rapid-consult", options='valid-before="20300101Z"')
    signers = allowed_signers.parse(text)
    sshsig.verify_trusted(SIGNATURE, NAMESPACE, DIGESTS, signers, "rapid-consult", datetime(2029, 1, 1, tzinfo=UTC))
    with pytest.raises(sshsig.SignatureError, match="expired"):
        sshsig.verify_trusted(SIGNATURE, NAMESPACE, DIGESTS, signers, "rapid-consult",
                              datetime(2031, 1, 1, tzinfo=UTC))


def test_the_old_and_the_new_key_both_verify_after_a_replacement() -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    signers = allowed_signers.parse("\n".join([line("rapid-consult", old), line("rapid-consult", new)]))
    for key in (old, new):
        sshsig.verify_trusted(sshsig.sign(key, NAMESPACE, MESSAGE), NAMESPACE, DIGESTS, signers, "rapid-consult")
    assert len(sshsig.load_allowed_signers(line("rapid-consult", old) + "\n" + line("x", new), "rapid-consult")) == 1


def test_fingerprint_is_the_one_ssh_keygen_prints(tmp_path: Path) -> None:
    blob = sshsig.public_key_blob(KEY.public_key())
    ours_print = sshsig.fingerprint(blob)
    assert ours_print.startswith("SHA256:") and "=" not in ours_print
    if SSH_KEYGEN is not None:
        (tmp_path / "k.pub").write_text(KeyStore.public_key_line(KEY.public_key()) + "\n")
        printed = subprocess.run([SSH_KEYGEN, "-l", "-f", str(tmp_path / "k.pub")], capture_output=True, text=True,
                                 check=True).stdout
        assert ours_print in printed
