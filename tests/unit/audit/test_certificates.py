"""The PDF's signing certificate: self-signed by `keys init`, replaced by an organisation's from a
PKCS#12 file; a wrong password or a file without a key is refused and changes nothing."""

from __future__ import annotations

import asyncio
import shutil
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.services.kernel.context import AppContext
from bot.store import certificates
from tests.support.consultation import run_consultation

runner = CliRunner()
PDFSIG = shutil.which("pdfsig")


@pytest.fixture(autouse=True)
def _commands_registered() -> None:
    import bot.commands  # noqa: F401


def organisation_p12(path: Path, password: bytes, *, days: int = 365) -> None:
    """A CA and a document-signing certificate it issued, as an agency would receive them."""
    now = datetime.now(UTC)
    ca_key, key = rsa.generate_private_key(65537, 2048), rsa.generate_private_key(65537, 2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA thử nghiệm")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bộ Ngoại giao — biên bản tham vấn")])
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name).public_key(key.public_key())
                   .serial_number(2).not_valid_before(now - timedelta(days=2))
                   .not_valid_after(now + timedelta(days=days)).sign(ca_key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"org", key, certificate, [ca],
                                                           BestAvailableEncryption(password)))


def test_keys_init_makes_a_self_signed_owner_only_certificate(settings: Settings) -> None:
    signer = certificates.load(settings.keys_dir)
    assert signer.self_signed and "rapid-consult" in signer.subject
    assert stat.S_IMODE(signer.key_path.stat().st_mode) == 0o600
    shown = runner.invoke(app, ["keys", "show-certificate"])
    assert shown.exit_code == 0 and "BEGIN CERTIFICATE" in shown.stdout


def test_import_certificate_replaces_it_and_refuses_a_wrong_password(settings: Settings, tmp_path: Path) -> None:
    p12 = tmp_path / "org.p12"
    organisation_p12(p12, b"mat-khau")
    (tmp_path / "wrong").write_text("sai\n")
    refused = runner.invoke(app, ["keys", "import-certificate", str(p12), "--password-file", str(tmp_path / "wrong")])
    assert refused.exit_code == 2 and "wrong password" in refused.output
    assert certificates.load(settings.keys_dir).self_signed  # nothing changed
    imported = runner.invoke(app, ["keys", "import-certificate", str(p12)], input="mat-khau\n")
    assert imported.exit_code == 0, imported.output
    signer = certificates.load(settings.keys_dir)
    assert not signer.self_signed and "Bộ Ngoại giao" in signer.subject and signer.chain_path is not None
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (signer.key_path, signer.cert_path, signer.chain_path))


def test_an_expired_certificate_is_refused(settings: Settings, tmp_path: Path) -> None:
    p12 = tmp_path / "old.p12"
    organisation_p12(p12, b"x", days=-1)
    with pytest.raises(Exception, match="expired"):
        certificates.import_pkcs12(settings.keys_dir, p12.read_bytes(), b"x")


@pytest.mark.skipif(PDFSIG is None, reason="poppler-utils' pdfsig is not installed")
async def test_transcripts_are_signed_with_the_imported_certificate(ctx: AppContext, tmp_path: Path) -> None:
    from bot.services.reports.exporting import export_bundle

    p12 = tmp_path / "org.p12"
    organisation_p12(p12, b"pw")
    certificates.import_pkcs12(ctx.keys.keys_dir, p12.read_bytes(), b"pw")
    await run_consultation(ctx)
    await export_bundle(ctx, 1, tmp_path / "b", "auditor-1")
    assert PDFSIG is not None
    result = await asyncio.to_thread(subprocess.run, [PDFSIG, str(tmp_path / "b" / "transcript.pdf")],
                                     capture_output=True, text=True, check=False)
    assert "Signature is Valid." in result.stdout and "Bộ Ngoại giao" in result.stdout, result.stdout
