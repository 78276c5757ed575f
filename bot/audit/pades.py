"""Signing the transcript PDF (PAdES, with pyHanko), so that any PDF reader, `pdfsig` or pyHanko
shows who signed it and that it has not changed since.

It is a *certification* signature (DocMDP, no changes permitted): a later incremental update — an
overlay, a form filled, another signature — makes every validator report the document as changed,
where an approval signature only says "not total document signed". With a time-stamping authority
configured (CONSULT_TSA_URL) the signature carries its RFC 3161 time-stamp (PAdES B-T).

pyHanko because it is the maintained Python implementation of PAdES (CAdES-detached CMS with the
signing-certificate attribute, incremental update, a signature field readers display), and it
signs with the key files we already keep; no network is needed for level B-B. The signature is
added as an incremental update to the PDF fpdf2 wrote, in memory, and written owner-only.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps

from bot.store.certificates import PdfSigner

FIELD = "TranscriptSignature"


async def sign_pdf(unsigned: bytes, signer: PdfSigner, *, reason: str, location: str | None = None,
                   tsa_url: str | None = None) -> bytes:
    """The PDF certified with a PAdES signature by `signer`'s key and certificate."""
    simple = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(signer.key_path), str(signer.cert_path),
        ca_chain_files=(str(signer.chain_path),) if signer.chain_path is not None else None)
    if simple is None:
        raise ValueError(f"pyHanko could not load the PDF signing key {signer.key_path}")
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason,
        location=location, certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    timestamper = None if tsa_url is None else timestamps.HTTPTimeStamper(tsa_url, timeout=20)
    output = io.BytesIO()
    await signers.PdfSigner(metadata, signer=simple, timestamper=timestamper).async_sign_pdf(writer, output=output)
    return output.getvalue()

