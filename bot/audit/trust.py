"""Which key an auditor trusts, and checking a signature against it with our verifier and, when it
is installed, with OpenSSH's own `ssh-keygen -Y verify`.

A bundle cannot vouch for itself: its `allowed_signers` copy is never trusted. The key comes from
a file the auditor chose (the line `consult keys show-public` prints, handed over out of band),
or, where `consult verify` runs beside the deployment's data folder, from the deployment's own key.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.audit import allowed_signers
from bot.audit.allowed_signers import AllowedSigners
from bot.errors import ConsultError
from bot.store.keys import KeyStore

SSH_KEYGEN_TIMEOUT = 300.0


@dataclass(frozen=True)
class Trust:
    signers: AllowedSigners
    source: str  # said in the report: where the trusted key came from
    text: str  # the allowed-signers lines, for ssh-keygen


def from_file(path: Path) -> Trust:
    text = path.read_text(encoding="utf-8")
    signers = allowed_signers.parse(text)
    if not signers.lines:
        why = "; ".join(signers.skipped) or "it holds no key"
        raise ConsultError(f"{path}: no usable allowed-signers line ({why})")
    return Trust(signers, f"--allowed-signers {path}", text)


def from_deployment(keys: KeyStore) -> Trust | None:
    """The deployment's own signing key, if its key folder is here and readable by us."""
    from bot.audit.transcript import allowed_signers_line

    try:
        public = keys.signing_key().public_key()
    except (ConsultError, OSError, ValueError):
        return None
    text = allowed_signers_line(public) + "\n"
    return Trust(allowed_signers.parse(text), f"the deployment's own key in {keys.keys_dir}", text)


@dataclass(frozen=True)
class SshKeygenVerdict:
    ok: bool
    message: str


def ssh_keygen_path() -> str | None:
    return shutil.which("ssh-keygen")


def ssh_keygen_verify(program: str, trust: Trust, identity: str, namespace: str, signature: Path,
                      message: Path) -> SshKeygenVerdict | None:
    """OpenSSH's verdict, or None when this ssh-keygen cannot verify signatures (older than 8.1)."""
    with tempfile.TemporaryDirectory(prefix="consult-verify-") as folder:
        signers = Path(folder) / "allowed_signers"
        signers.write_text(trust.text, encoding="utf-8")
        with message.open("rb") as stdin:
            try:
                result = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
                    [program, "-Y", "verify", "-f", str(signers), "-I", identity, "-n", namespace,
                     "-s", str(signature)],
                    stdin=stdin, capture_output=True, text=True, timeout=SSH_KEYGEN_TIMEOUT, check=False)
            except (OSError, subprocess.TimeoutExpired):
                return None
    output = " ".join((result.stdout + " " + result.stderr).split())
    if result.returncode != 0 and ("illegal option" in output or "unknown option" in output
                                   or "usage:" in output.lower()):
        return None
    return SshKeygenVerdict(result.returncode == 0, output)
