"""The certificate that signs transcript PDFs (PAdES), beside the other keys.

`consult keys init` makes a self-signed one (ECDSA P-256, ten years), enough for any PDF reader to
show that the file is unchanged since the deployment signed it; `consult keys import-certificate
FILE.p12` replaces it with an organisation's certificate and its chain (one a government CA
issued, say), which readers can then also trust. The private key is owner-only like every key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from bot.errors import CertificateError, KeyMissingError
from bot.store.secretfiles import check_owner_only, write_secret_file

KEY_FILE = "pdf_signing.key"
CERT_FILE = "pdf_signing.crt"
CHAIN_FILE = "pdf_signing.chain.pem"
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning (RFC 9336)
VALIDITY = timedelta(days=3650)


@dataclass(frozen=True)
class PdfSigner:
    key_path: Path
    cert_path: Path
    chain_path: Path | None
    certificate: x509.Certificate

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex(":").upper()

    @property
    def self_signed(self) -> bool:
        return self.certificate.issuer == self.certificate.subject


def exists(keys_dir: Path) -> bool:
    return (keys_dir / KEY_FILE).exists() and (keys_dir / CERT_FILE).exists()


def create_self_signed(keys_dir: Path, common_name: str = "rapid-consult transcripts") -> list[Path]:
    """A new key and self-signed certificate; refuses to overwrite."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "rapid-consult deployment")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _write(keys_dir, key, certificate, [], replace=False)


def import_pkcs12(keys_dir: Path, data: bytes, password: bytes | None) -> PdfSigner:
    """Use the key, certificate and chain of a PKCS#12 file from now on."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise CertificateError(f"cannot read the PKCS#12 file (wrong password, or not PKCS#12): {exc}") from exc
    if key is None or certificate is None:
        raise CertificateError("the PKCS#12 file holds no private key with its certificate")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CertificateError("only RSA and ECDSA keys sign PDFs that every reader can check")
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if certificate.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        raise CertificateError("the certificate in the PKCS#12 file is not the one of its key")
    if certificate.not_valid_after_utc < datetime.now(UTC):
        raise CertificateError(f"the certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}")
    _write(keys_dir, key, certificate, list(chain), replace=True)
    return load(keys_dir)


def _write(keys_dir: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, certificate: x509.Certificate,
           chain: list[x509.Certificate], *, replace: bool) -> list[Path]:
    written = []
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    files = [(KEY_FILE, key_pem), (CERT_FILE, certificate.public_bytes(serialization.Encoding.PEM))]
    if chain:
        files.append((CHAIN_FILE, b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)))
    elif replace:
        (keys_dir / CHAIN_FILE).unlink(missing_ok=True)
    for name, content in files:
        path = keys_dir / name
        if replace:
            temporary = keys_dir / (name + ".new")
            temporary.unlink(missing_ok=True)
            write_secret_file(temporary, content)
            os.replace(temporary, path)
        else:
            write_secret_file(path, content)
        written.append(path)
    return written


def load(keys_dir: Path) -> PdfSigner:
    key_path, cert_path, chain_path = keys_dir / KEY_FILE, keys_dir / CERT_FILE, keys_dir / CHAIN_FILE
    if not key_path.exists() or not cert_path.exists():
        raise KeyMissingError(f"no PDF signing certificate in {keys_dir}; create one with `consult keys init` "
                              "or import one with `consult keys import-certificate FILE.p12`")
    check_owner_only(key_path)
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return PdfSigner(key_path, cert_path, chain_path if chain_path.exists() else None, certificate)
