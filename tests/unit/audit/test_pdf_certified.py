"""The transcript PDF is certified (DocMDP: no changes permitted), its self-signed certificate
names the deployment, and with a time-stamping authority its signature carries a time-stamp."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
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
