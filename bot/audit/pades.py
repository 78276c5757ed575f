"""Signing the transcript PDF (PAdES, with pyHanko), so that any PDF reader, `pdfsig` or pyHanko
shows who signed it and that it has not changed since.

It is a *certification* signature (DocMDP, no changes permitted): a later incremental update — an
overlay, a form filled, another signature — makes every validator report the document as changed,
where an approval signature only says "not total document signed". With a time-stamping authority
configured (CONSULT_TSA_URL) the signature carries its RFC 3161 time-stamp (PAdES B-T); signed
with an organisation's certificate and chain (`consult keys import-certificate`), the validation
data — the chain, and the revocation information its CA publishes (CRL, OCSP; fetched at signing
where the server can reach them, left out otherwise) — is embedded too (PAdES B-LT), so a reader
years later can validate the signature without reaching anyone.

pyHanko because it is the maintained Python implementation of PAdES (CAdES-detached CMS with the
signing-certificate attribute, incremental update, a signature field readers display), and it
signs with the key files we already keep; no network is needed for level B-B. The signature is
added as an incremental update to the PDF fpdf2 wrote, in memory, and written owner-only.
"""

from __future__ import annotations

import io
import logging

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import InvalidCertificateError, PathBuildingError, PathValidationError

from bot.store.certificates import PdfSigner

FIELD = "TranscriptSignature"
# The time-stamping authority's CA (PEM), beside the signing chain: with it the time-stamp's chain is
# embedded too. An operator copies it there once (docs/transcripts.md).
TSA_CHAIN_FILE = "pdf_signing.tsa.pem"
log = logging.getLogger(__name__)


async def sign_pdf(unsigned: bytes, signer: PdfSigner, *, reason: str, location: str | None = None,
                   tsa_url: str | None = None) -> bytes:
    """The PDF certified with a PAdES signature by `signer`'s key and certificate."""
    simple = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(signer.key_path), str(signer.cert_path),
        ca_chain_files=(str(signer.chain_path),) if signer.chain_path is not None else None)
    if simple is None:
        raise ValueError(f"pyHanko could not load the PDF signing key {signer.key_path}")
    timestamper = None if tsa_url is None else timestamps.HTTPTimeStamper(tsa_url, timeout=20)
    validation = _validation_context(signer)
    if validation is not None:
        try:
            return await _signed(unsigned, simple, reason, location, timestamper, validation)
        except (PathBuildingError, InvalidCertificateError, PathValidationError) as exc:
            # A chain (or the time-stamping authority's) that cannot be built: the transcript is still
            # signed, at B-T, and the operator is told what to add.
            log.error("PAdES B-LT not possible (%s); the PDF is signed without embedded validation data. Import "
                      "the full chain, and put the time-stamping authority's CA in keys/%s", type(exc).__name__,
                      TSA_CHAIN_FILE)
    return await _signed(unsigned, simple, reason, location, timestamper, None)


async def _signed(unsigned: bytes, simple: signers.SimpleSigner, reason: str, location: str | None,
                  timestamper: timestamps.TimeStamper | None, validation: ValidationContext | None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason,
        location=location, certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        embed_validation_info=validation is not None, validation_context=validation)
    output = io.BytesIO()
    await signers.PdfSigner(metadata, signer=simple, timestamper=timestamper).async_sign_pdf(writer, output=output)
    return output.getvalue()



def _validation_context(signer: PdfSigner) -> ValidationContext | None:
    """What B-LT embeds: the organisation's chain, trusted up to its last certificate, with the
    revocation information its CA publishes where it can be fetched ("soft-fail": a CA out of reach
    at signing leaves it out rather than refusing the transcript). None for the self-signed default,
    which has no chain to embed."""
    if signer.chain_path is None:
        return None
    chain = [asn1_x509.Certificate.load(der) for der in _pem_blocks(signer.chain_path.read_bytes())]
    if not chain:
        return None
    tsa_file = signer.chain_path.parent / TSA_CHAIN_FILE
    tsa = [asn1_x509.Certificate.load(der) for der in _pem_blocks(tsa_file.read_bytes())] if tsa_file.exists() else []
    return ValidationContext(trust_roots=[chain[-1], *tsa], other_certs=chain, allow_fetching=True,
                             revocation_mode="soft-fail")


def _pem_blocks(pem: bytes) -> list[bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return [c.public_bytes(serialization.Encoding.DER) for c in x509.load_pem_x509_certificates(pem)]
