"""RFC 3161 time-stamps over checkpoints, with pyHanko's client and validator (already the PDF
signer's library), never a hand-written ASN.1 parser.

A token from an authority the operator does not run (Vietnam's government TSA is one) dates a
checkpoint independently of the server's clock: a note time-stamped on a day cannot have been
made, with another root, later. The token's imprint is SHA-256 of the note's whole text.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import TimestampError

TIMEOUT_SECONDS = 10


async def request_token(url: str, data: bytes) -> bytes:
    """The DER token (CMS ContentInfo) the authority at `url` signs over SHA-256(data)."""
    import aiohttp
    from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

    try:
        async with aiohttp.ClientSession() as session:
            stamper = HTTPTimeStamper(url, timeout=TIMEOUT_SECONDS, session=session)
            token = await stamper.async_timestamp(hashlib.sha256(data).digest(), "sha256")
    except (TimestampRequestError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise TimestampError(f"{type(exc).__name__}: {exc}") from exc
    return bytes(token.dump())


@dataclass(frozen=True)
class TokenCheck:
    ok: bool
    detail: str


def check_token(token: bytes, data: bytes, trusted_der: Sequence[bytes] = ()) -> TokenCheck:
    """Is `token` a valid time-stamp over `data`? With `trusted_der` (the authority's certificate or
    its CA), also that it chains to one of them; without, its own certificate is used only to check
    the signature, and the answer says so. Runs on a thread of its own: callers may be in a loop."""
    found: list[TokenCheck] = []
    worker = threading.Thread(target=lambda: found.append(asyncio.run(_check(token, data, trusted_der))))
    worker.start()
    worker.join()
    return found[0]


async def _check(token: bytes, data: bytes, trusted_der: Sequence[bytes]) -> TokenCheck:
    from asn1crypto import cms, x509  # type: ignore[import-untyped]
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    try:
        signed_data = cms.ContentInfo.load(token)["content"]
        embedded = [c.chosen for c in signed_data["certificates"] or []]
        roots = [x509.Certificate.load(der) for der in trusted_der] or embedded
        result: dict[str, Any] = await validate_tst_signed_data(
            signed_data, ValidationContext(trust_roots=roots),
            lambda algorithm: hashlib.new(algorithm, data).digest())
        stamped_at = signed_data["encap_content_info"]["content"].parsed["gen_time"].native
        signer = result.get("signing_cert")
        subject = signer.subject.human_friendly if signer is not None else "an unknown authority"
    except Exception as exc:  # any malformed token is a failed check, named
        return TokenCheck(False, f"the time-stamp token cannot be read or checked ({type(exc).__name__})")
    if not result.get("intact"):
        return TokenCheck(False, "the time-stamp is not over this checkpoint (its imprint differs)")
    if not result.get("valid"):
        return TokenCheck(False, f"the time-stamp's signature by {subject} is not valid")
    pinned = "trusted through the certificate given" if trusted_der else (
        "its certificate was not checked against one you trust (pass --tsa-cert)")
    if trusted_der and result.get("trust_problem_indic") is not None:
        return TokenCheck(False, f"the time-stamp by {subject} does not chain to the certificate given")
    return TokenCheck(True, f"time-stamped {stamped_at.isoformat()} by {subject}; {pinned}")
