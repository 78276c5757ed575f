"""OpenSSH signatures (SSHSIG, PROTOCOL.sshsig) with Ed25519, written and checked without OpenSSH,
so that `ssh-keygen -Y verify` accepts what we sign and `consult verify` needs no ssh-keygen.

The signature covers SHA-512 of the message, so a large transcript is hashed as it is written.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bot.audit.allowed_signers import AllowedSigners, AllowedSignersError, SignerLine, authorise

MAGIC = b"SSHSIG"
VERSION = 1
HASH_ALGORITHM = b"sha512"
KEY_TYPE = b"ssh-ed25519"
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"


class SignatureError(Exception):
    """The signature is malformed, for another namespace, or does not match."""


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    if offset + 4 > len(blob):
        raise SignatureError("truncated signature")
    (length,) = struct.unpack(">I", blob[offset:offset + 4])
    end = offset + 4 + length
    if end > len(blob):
        raise SignatureError("truncated signature")
    return blob[offset + 4:end], end


def public_key_blob(public_key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _string(KEY_TYPE) + _string(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def _signed_data(namespace: str, digest: bytes) -> bytes:
    return MAGIC + _string(namespace.encode()) + _string(b"") + _string(HASH_ALGORITHM) + _string(digest)


def sign_digest(private_key: Ed25519PrivateKey, namespace: str, sha512_digest: bytes) -> str:
    """The armored SSHSIG for a message whose SHA-512 is `sha512_digest`."""
    signature = private_key.sign(_signed_data(namespace, sha512_digest))
    blob = (MAGIC + struct.pack(">I", VERSION) + _string(public_key_blob(private_key.public_key()))
            + _string(namespace.encode()) + _string(b"") + _string(HASH_ALGORITHM)
            + _string(_string(KEY_TYPE) + _string(signature)))
    encoded = base64.b64encode(blob).decode()
    lines = [encoded[i:i + 70] for i in range(0, len(encoded), 70)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def sign(private_key: Ed25519PrivateKey, namespace: str, message: bytes) -> str:
    return sign_digest(private_key, namespace, hashlib.sha512(message).digest())


@dataclass(frozen=True)
class ParsedSignature:
    public_key: Ed25519PublicKey
    namespace: str
    signature: bytes
    hash_algorithm: str


def parse(armored: str) -> ParsedSignature:
    text = armored.strip()
    if not text.startswith(BEGIN) or not text.endswith(END):
        raise SignatureError("not an SSH signature (armor missing)")
    try:
        blob = base64.b64decode("".join(text[len(BEGIN):-len(END)].split()), validate=True)
    except ValueError as exc:
        raise SignatureError("the signature is not valid base64") from exc
    if blob[:6] != MAGIC or len(blob) < 10 or struct.unpack(">I", blob[6:10])[0] != VERSION:
        raise SignatureError("not an SSHSIG version 1 signature")
    key_blob, offset = _read_string(blob, 10)
    namespace, offset = _read_string(blob, offset)
    _, offset = _read_string(blob, offset)
    hash_algorithm, offset = _read_string(blob, offset)
    signature_blob, offset = _read_string(blob, offset)
    key_type, key_offset = _read_string(key_blob, 0)
    raw_key, _ = _read_string(key_blob, key_offset)
    sig_type, sig_offset = _read_string(signature_blob, 0)
    raw_signature, _ = _read_string(signature_blob, sig_offset)
    if key_type != KEY_TYPE or sig_type != KEY_TYPE:
        raise SignatureError(f"unsupported key type {key_type.decode(errors='replace')}")
    return ParsedSignature(Ed25519PublicKey.from_public_bytes(raw_key), namespace.decode(), raw_signature,
                           hash_algorithm.decode())


def verify_digest(armored: str, namespace: str, digests: dict[str, bytes],
                  trusted: Ed25519PublicKey | Sequence[Ed25519PublicKey]) -> None:
    """Raise SignatureError unless `armored` is the signature of one of the `trusted` keys over
    the message whose digests (by algorithm: sha512, sha256) are given, in `namespace`.

    Several keys, as `ssh-keygen -Y verify` accepts, so that an auditor can keep the key of
    before a signing-key replacement beside the new one and verify transcripts of both."""
    parsed = parse(armored)
    if parsed.namespace != namespace:
        raise SignatureError(f"signed for namespace {parsed.namespace!r}, not {namespace!r}")
    candidates = [trusted] if isinstance(trusted, Ed25519PublicKey) else list(trusted)
    signer = public_key_blob(parsed.public_key)
    match = next((k for k in candidates if public_key_blob(k) == signer), None)
    if match is None:
        raise SignatureError("signed by another key than the one trusted" if len(candidates) == 1
                             else f"signed by none of the {len(candidates)} keys trusted")
    trusted = match
    digest = digests.get(parsed.hash_algorithm)
    if digest is None:
        raise SignatureError(f"unsupported hash algorithm {parsed.hash_algorithm}")
    try:
        trusted.verify(parsed.signature, _signed_data(namespace, digest))
    except InvalidSignature as exc:
        raise SignatureError("the signature does not match the content (altered after signing)") from exc


def load_allowed_signers(text: str, identity: str | None = None) -> list[Ed25519PublicKey]:
    """Every ssh-ed25519 key the file trusts for `identity` (any, if None), whatever its options;
    `verify_trusted` is what applies the options."""
    from bot.audit.allowed_signers import match_pattern_list, parse

    signers = parse(text)
    keys = [key for line in signers.lines if (identity is None or match_pattern_list(identity, line.principals) == 1)
            and not line.cert_authority and (key := line.ed25519) is not None]
    if not keys:
        raise SignatureError("no ssh-ed25519 key in allowed_signers" + (f" for {identity}" if identity else ""))
    return keys


def fingerprint(key_blob: bytes) -> str:
    """The key's fingerprint as `ssh-keygen -l` prints it (SHA256:base64, unpadded)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key_blob).digest()).decode().rstrip("=")


def check_own(armored: str, namespace: str, digests: dict[str, bytes]) -> ParsedSignature:
    """The signature, checked against the key it carries: it says which key made it and that the
    content is what that key signed, and nothing about whether that key is to be trusted."""
    parsed = parse(armored)
    if parsed.namespace != namespace:
        raise SignatureError(f"signed for namespace {parsed.namespace!r}, not {namespace!r}")
    digest = digests.get(parsed.hash_algorithm)
    if digest is None:
        raise SignatureError(f"unsupported hash algorithm {parsed.hash_algorithm}")
    try:
        parsed.public_key.verify(parsed.signature, _signed_data(namespace, digest))
    except InvalidSignature as exc:
        raise SignatureError("the signature does not match the content (altered after signing)") from exc
    return parsed


def verify_trusted(armored: str, namespace: str, digests: dict[str, bytes], signers: AllowedSigners,
                   identity: str, now: datetime | None = None) -> tuple[ParsedSignature, SignerLine]:
    """Raise SignatureError unless a line of `signers` lets the signing key sign for `identity` in
    `namespace` now (options honoured as ssh-keygen does) and the signature matches the content."""
    parsed = check_own(armored, namespace, digests)
    try:
        line = authorise(signers, public_key_blob(parsed.public_key), identity, namespace, now)
    except AllowedSignersError as exc:
        raise SignatureError(f"{exc} (signing key {fingerprint(public_key_blob(parsed.public_key))})") from exc
    return parsed, line
