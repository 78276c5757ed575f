"""The transcript PDF is certified (DocMDP: no changes permitted), its self-signed certificate
names the deployment, and with a time-stamping authority its signature carries a time-stamp."""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.stamp import TextStamp, TextStampStyle
from pyhanko_certvalidator import ValidationContext

from bot.domain.note import default_origin
from bot.services.kernel.context import AppContext
from bot.services.reports.exporting import export_bundle
from bot.store import certificates
from tests.support.consultation import run_consultation
from tests.support.tools import requires_dejavu
from tests.support.tsa import local_tsa

PDFSIG = shutil.which("pdfsig")
pytestmark = requires_dejavu


async def exported_pdf(ctx: AppContext, folder: Path) -> bytes:
    await run_consultation(ctx)
    await export_bundle(ctx, 1, folder, "auditor-1")
    return (folder / "transcript.pdf").read_bytes()


async def validated(pdf: bytes, *trusted: bytes) -> tuple[object, object]:
    """The first signature and its status, trusting its own (self-signed) certificate and `trusted`."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    roots = [signature.signer_cert, *(asn1_x509.Certificate.load(der) for der in trusted)]
    status = await async_validate_pdf_signature(signature, ValidationContext(trust_roots=roots))
    return signature, status


async def test_the_pdf_is_certified_and_any_later_change_shows(ctx: AppContext, tmp_path: Path) -> None:
    pdf = await exported_pdf(ctx, tmp_path / "b")
    signature, status = await validated(pdf)
    assert signature.docmdp_level == fields.MDPPerm.NO_CHANGES  # type: ignore[attr-defined]
    assert status.intact and status.valid and status.docmdp_ok  # type: ignore[attr-defined]

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))  # an overlay drawn on page 1 after the export
    TextStamp(writer, TextStampStyle(stamp_text="Đồng ý")).apply(0, 100, 600)
    changed = io.BytesIO()
    writer.write(changed)
    _, after = await validated(changed.getvalue())
    assert after.intact  # type: ignore[attr-defined]  # the signed bytes are untouched...
    assert not after.docmdp_ok  # type: ignore[attr-defined]  # ...and the change is reported as not permitted
    if PDFSIG is not None:
        (tmp_path / "changed.pdf").write_bytes(changed.getvalue())
        said = await asyncio.to_thread(subprocess.run, [PDFSIG, str(tmp_path / "changed.pdf")],
                                       capture_output=True, text=True, check=False)
        assert "Not total document signed" in said.stdout or "invalid" in said.stdout.lower(), said.stdout


async def test_the_self_signed_certificate_names_its_deployment(ctx: AppContext) -> None:
    signer = certificates.load(ctx.keys.keys_dir)
    assert default_origin(ctx.keys.signing_key().public_key()) in signer.subject


async def test_with_a_time_stamping_authority_the_signature_is_time_stamped(ctx: AppContext, tmp_path: Path) -> None:
    with local_tsa() as tsa:
        stamped = replace(ctx, settings=ctx.settings.model_copy(update={"tsa_url": tsa.url}))
        pdf = await exported_pdf(stamped, tmp_path / "b")
        assert tsa.requests >= 1
    _, status = await validated(pdf, tsa.certificate)
    assert status.intact and status.timestamp_validity is not None  # type: ignore[attr-defined]
    assert status.timestamp_validity.intact and status.timestamp_validity.valid  # type: ignore[attr-defined]


def organisation_pkcs12() -> tuple[bytes, bytes]:
    """A PKCS#12 file as a ministry's CA issues it (a root, then the signing certificate), and the
    root's DER: the trust anchor an auditor holds."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    root_key, leaf_key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Government Root CA")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(root_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bộ Ngoại giao — Biên bản tham vấn")]))
            .issuer_name(root_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(root_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(b"signer", leaf_key, leaf, [root], serialization.NoEncryption())
    return p12, root.public_bytes(serialization.Encoding.DER)


async def test_with_an_organisation_ca_the_validation_data_is_embedded(ctx: AppContext, tmp_path: Path) -> None:
    """PAdES B-LT: signed with an organisation's certificate (and time-stamped), the PDF carries its
    chain in the document security store, so it validates later against the root alone, offline."""
    from cryptography import x509
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    from bot.audit.pades import TSA_CHAIN_FILE

    p12, root_der = organisation_pkcs12()
    certificates.import_pkcs12(ctx.keys.keys_dir, p12, None)
    with local_tsa() as tsa:
        pem = x509.load_der_x509_certificate(tsa.certificate).public_bytes(serialization.Encoding.PEM)
        (ctx.keys.keys_dir / TSA_CHAIN_FILE).write_bytes(pem)  # the operator copies the TSA's CA once
        stamped = replace(ctx, settings=ctx.settings.model_copy(update={"tsa_url": tsa.url}))
        pdf = await exported_pdf(stamped, tmp_path / "b")
    reader = PdfFileReader(io.BytesIO(pdf))
    dss = DocumentSecurityStore.read_dss(reader)
    embedded = {c.dump() for c in dss.load_certs()}
    assert root_der in embedded, "the chain is not in the document security store"
    signature = reader.embedded_signatures[0]
    status = await async_validate_pdf_signature(signature, ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root_der), asn1_x509.Certificate.load(tsa.certificate)],
        allow_fetching=False, revocation_mode="soft-fail"))
    assert status.intact and status.valid and status.trusted  # type: ignore[attr-defined]
    assert signature.docmdp_level == fields.MDPPerm.NO_CHANGES  # type: ignore[attr-defined]
    assert tsa.certificate in embedded  # the time-stamp's chain too


async def test_a_chain_that_cannot_be_built_still_signs_at_b_t(ctx: AppContext, tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    """No TSA CA given: the time-stamp's chain cannot be built, so nothing is embedded, the PDF is
    still certified and time-stamped, and the operator is told what to add."""
    p12, _ = organisation_pkcs12()
    certificates.import_pkcs12(ctx.keys.keys_dir, p12, None)
    with local_tsa() as tsa, caplog.at_level(logging.ERROR):
        stamped = replace(ctx, settings=ctx.settings.model_copy(update={"tsa_url": tsa.url}))
        pdf = await exported_pdf(stamped, tmp_path / "b")
    assert any("PAdES B-LT not possible" in r.getMessage() for r in caplog.records)
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    assert signature.docmdp_level == fields.MDPPerm.NO_CHANGES  # type: ignore[attr-defined]
