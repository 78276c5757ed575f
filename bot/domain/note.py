"""Checkpoints as C2SP signed notes (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint):
the form in which a checkpoint leaves the server, so that anyone can keep it and hold the
deployment to it later with tools that are not ours.

    <origin>
    <tree size>
    <base64 root>
    [extension lines]

    — <key name> <base64(key hash (4 bytes) || Ed25519 signature)>

The signature covers the body (every line up to and including the root and any extension, each
ending in a newline). The key hash is the first four bytes of SHA-256(name || 0x0A || 0x01 ||
public key), 0x01 naming Ed25519. The key name is the origin: one deployment, one key, one log.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space
ED25519 = b"\x01"
ROLLBACK = "rollback"  # the extension line of a checkpoint published after an accepted rollback


class NoteError(ValueError):
    """A note that is not a well-formed signed checkpoint."""


def key_hash(name: str, public_key: Ed25519PublicKey) -> bytes:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + raw).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The verifier key in the signed-note text form (`name+hash+base64(0x01 || key)`), the form
    Go's golang.org/x/mod/sumdb/note and other C2SP tools take."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{name}+{key_hash(name, public_key).hex()}+{base64.b64encode(ED25519 + raw).decode()}"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    def rollback(self) -> tuple[int, int] | None:
        """(size the log had, size it was rolled back to) when this checkpoint declares a rollback."""
        for line in self.extensions:
            parts = line.split()
            if len(parts) == 3 and parts[0] == ROLLBACK and parts[1].isdigit() and parts[2].isdigit():
                return int(parts[1]), int(parts[2])
        return None


@dataclass(frozen=True)
class SignedNote:
    checkpoint: Checkpoint
    signatures: tuple[tuple[str, bytes], ...]  # (key name, key hash || signature)

    def text(self) -> str:
        lines = "".join(f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode()}\n"
                        for name, blob in self.signatures)
        return f"{self.checkpoint.body()}\n{lines}"

    def signed_by(self, name: str, public_key: Ed25519PublicKey) -> bool:
        """Is there a valid Ed25519 signature by this key, under this name?"""
        wanted = key_hash(name, public_key)
        for signer, blob in self.signatures:
            if signer == name and blob[:4] == wanted:
                try:
                    public_key.verify(blob[4:], self.checkpoint.body().encode())
                except InvalidSignature:
                    continue
                return True
        return False


# An RFC 3161 time-stamp over the note (as the deployment's key signed it) travels with the note as
# one more signature line under this name: C2SP verifiers skip signers they do not know, so the note
# stays a valid checkpoint for any tool, and the witness file an auditor keeps holds its time too.
TIMESTAMP_NAME = "rfc3161-timestamp"
TIMESTAMP_KEY_ID = b"\x00TSA"  # the four bytes a signature line starts with; no Ed25519 key hash is asked


def with_timestamp(signed: SignedNote, token: bytes) -> SignedNote:
    return SignedNote(signed.checkpoint, (*without_timestamp(signed).signatures, (TIMESTAMP_NAME,
                                                                                TIMESTAMP_KEY_ID + token)))


def without_timestamp(signed: SignedNote) -> SignedNote:
    """The note as signed, which is what its time-stamp is over."""
    return SignedNote(signed.checkpoint, tuple(s for s in signed.signatures if s[0] != TIMESTAMP_NAME))


def timestamp_of(signed: SignedNote) -> bytes | None:
    return next((blob[4:] for name, blob in signed.signatures if name == TIMESTAMP_NAME), None)


def sign(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> SignedNote:
    name = checkpoint.origin
    blob = key_hash(name, private_key.public_key()) + private_key.sign(checkpoint.body().encode())
    return SignedNote(checkpoint, ((name, blob),))


def parse(text: str) -> SignedNote:
    """One note; NoteError naming the line (counted from 1) that is wrong."""
    notes = parse_many(text)
    if len(notes) != 1:
        raise NoteError(f"expected one note, found {len(notes)}")
    return notes[0][1]


def parse_many(text: str) -> list[tuple[int, SignedNote]]:
    """Notes separated by blank lines (a file of published checkpoints), each with the number of
    its first line. NoteError naming the first bad line."""
    lines = text.replace("\r\n", "\n").split("\n")  # a copy saved on Windows, or pasted from a chat
    if lines and lines[-1] == "":
        lines.pop()
    found: list[tuple[int, SignedNote]] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i
        body: list[str] = []
        while i < len(lines) and lines[i] != "":
            if lines[i].startswith(SIGNATURE_PREFIX):
                raise NoteError(f"line {i + 1}: a signature line before the blank line that ends the body")
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            raise NoteError(f"line {start + 1}: a note without signature lines (no blank line after its body)")
        i += 1
        signatures: list[tuple[str, bytes]] = []
        while i < len(lines) and lines[i] != "":
            signatures.append(_signature_line(lines[i], i + 1))
            i += 1
        if not signatures:
            raise NoteError(f"line {i + 1 if i < len(lines) else i}: the note that starts at line {start + 1} "
                            "has no signature line")
        found.append((start + 1, SignedNote(_checkpoint(body, start + 1), tuple(signatures))))
    return found


def _signature_line(line: str, number: int) -> tuple[str, bytes]:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"line {number}: not a signature line («— name signature» expected)")
    parts = line[len(SIGNATURE_PREFIX):].split(" ")
    if len(parts) != 2 or not parts[0]:
        raise NoteError(f"line {number}: a signature line is «— name signature»")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except binascii.Error as exc:
        raise NoteError(f"line {number}: the signature is not base64") from exc
    if len(blob) < 5:
        raise NoteError(f"line {number}: the signature is too short")
    return parts[0], blob


def _checkpoint(body: list[str], first: int) -> Checkpoint:
    if len(body) < 3:
        raise NoteError(f"line {first}: a checkpoint's body is origin, tree size and root hash")
    origin, size, root = body[:3]
    if not origin or any(c.isspace() and c != " " for c in origin):
        raise NoteError(f"line {first}: the origin line is empty or has control characters")
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise NoteError(f"line {first + 1}: the tree size {size!r} is not a decimal number")
    try:
        digest = base64.b64decode(root, validate=True)
    except binascii.Error as exc:
        raise NoteError(f"line {first + 2}: the root hash is not base64") from exc
    if len(digest) != 32:
        raise NoteError(f"line {first + 2}: the root hash is {len(digest)} bytes, not 32 (SHA-256)")
    return Checkpoint(origin, int(size), digest, tuple(body[3:]))


def default_origin(public_key: Ed25519PublicKey) -> str:
    """`rapid-consult/<deployment id>`: the id is the first 8 bytes of SHA-256 of the deployment's
    public key, so two deployments never share an origin unless they share a key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"rapid-consult/{hashlib.sha256(raw).hexdigest()[:16]}"
