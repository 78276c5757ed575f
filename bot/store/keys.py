"""Key files: the master keys that wrap data keys, the Ed25519 signing key, the HMAC key.

Keys live only in files with owner-only permissions; a key file that group or others can read is
refused outright rather than used, because by then it must be presumed copied. Nothing here logs
key material, and errors name the key id and file, never the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.domain.note import default_origin
from bot.errors import KeyMissingError
from bot.files import make_private_dir
from bot.store import certificates  # the PDF signing certificate (PAdES)
from bot.store.secretfiles import check_owner_only, read_secret_file, write_secret_file

MASTER_KEY_BYTES = 32
CURRENT_POINTER = "master.current"
SIGNING_KEY_FILE = "signing_ed25519"
HMAC_KEY_FILE = "hmac.key"
MIN_HMAC_KEY_BYTES = 16
SIGNING_IDENTITY = "rapid-consult"


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    material: bytes

    def __repr__(self) -> str:  # keep key bytes out of tracebacks and logs
        return f"MasterKey(key_id={self.key_id!r})"


class KeyStore:
    """The key directory. Every read checks permissions; nothing is cached across instances."""

    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir

    # -- creation -----------------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.keys_dir / CURRENT_POINTER).exists()

    def init(self) -> list[Path]:
        """Create master, signing and HMAC keys and the PDF certificate; refuse to overwrite any."""
        make_private_dir(self.keys_dir)
        created: list[Path] = []
        if not (self.keys_dir / CURRENT_POINTER).exists():
            created.append(self.add_master_key())
        if not (self.keys_dir / SIGNING_KEY_FILE).exists():
            created.extend(self._create_signing_key())
        if not (self.keys_dir / HMAC_KEY_FILE).exists():
            path = self.keys_dir / HMAC_KEY_FILE
            write_secret_file(path, base64.b64encode(secrets.token_bytes(32)) + b"\n")
            created.append(path)
        if not certificates.exists(self.keys_dir):
            created.extend(self.create_pdf_certificate())
        return created

    def create_pdf_certificate(self) -> list[Path]:
        """A self-signed PDF certificate whose subject names this deployment (its checkpoints'
        origin, from the signing key): two deployments' transcripts never look signed by one signer."""
        origin = default_origin(self.signing_key().public_key())
        return certificates.create_self_signed(self.keys_dir, f"rapid-consult transcripts {origin}")

    def add_master_key(self) -> Path:
        """Write a new master key and make it current (rotation re-wraps data keys after this)."""
        key_id = "mk-" + secrets.token_hex(4)
        path = self.keys_dir / f"master-{key_id}.key"
        write_secret_file(path, base64.b64encode(secrets.token_bytes(MASTER_KEY_BYTES)) + b"\n")
        pointer = self.keys_dir / CURRENT_POINTER
        tmp = self.keys_dir / (CURRENT_POINTER + ".tmp")
        tmp.unlink(missing_ok=True)
        write_secret_file(tmp, key_id.encode() + b"\n")
        os.replace(tmp, pointer)
        return path

    def _create_signing_key(self) -> list[Path]:
        private_key = Ed25519PrivateKey.generate()
        private_path = self.keys_dir / SIGNING_KEY_FILE
        write_secret_file(
            private_path,
            private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.OpenSSH,
                serialization.NoEncryption(),
            ),
        )
        public_path = self.keys_dir / (SIGNING_KEY_FILE + ".pub")
        public_path.write_bytes(self.public_key_line(private_key.public_key()).encode() + b"\n")
        os.chmod(public_path, 0o644)
        return [private_path, public_path]

    # -- reading ------------------------------------------------------------------------------

    def current_master_id(self) -> str:
        pointer = self.keys_dir / CURRENT_POINTER
        if not pointer.exists():
            raise KeyMissingError(
                f"no master key in {self.keys_dir}; create one with `consult keys init`"
            )
        return read_secret_file(pointer).decode().strip()

    def master_key(self, key_id: str | None = None) -> MasterKey:
        wanted = key_id or self.current_master_id()
        path = self.keys_dir / f"master-{wanted}.key"
        if not path.exists():
            raise KeyMissingError(
                f"master key {wanted} is missing (expected {path}); restore it from key custody"
            )
        material = base64.b64decode(read_secret_file(path).strip())
        if len(material) != MASTER_KEY_BYTES:
            raise KeyMissingError(f"master key {wanted} in {path} is not a 256-bit key")
        return MasterKey(wanted, material)

    def master_key_ids(self) -> list[str]:
        return sorted(p.name[len("master-") : -len(".key")] for p in self.keys_dir.glob("master-*.key"))

    def signing_key(self) -> Ed25519PrivateKey:
        path = self.keys_dir / SIGNING_KEY_FILE
        key = serialization.load_ssh_private_key(read_secret_file(path), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyMissingError(f"{path} is not an Ed25519 key")
        return key

    def hmac_key(self, purpose: str) -> bytes:
        """A key for one purpose (content hashes, registered terms...), derived from hmac.key.

        Deriving per purpose keeps a hash made for one use from being replayed in another.
        """
        path = self.keys_dir / HMAC_KEY_FILE
        try:
            base = base64.b64decode(read_secret_file(path).strip(), validate=True)
        except (ValueError, binascii.Error) as exc:
            raise KeyMissingError(f"{path} is not a base64 key; restore it from key custody") from exc
        if len(base) < MIN_HMAC_KEY_BYTES:
            raise KeyMissingError(f"{path} holds no usable key ({len(base)} bytes); restore it from key custody")
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"rapid-consult/" + purpose.encode()).derive(
            base
        )

    def keyed_hash(self, purpose: str, data: bytes) -> str:
        return hmac.new(self.hmac_key(purpose), data, hashlib.sha256).hexdigest()

    @staticmethod
    def public_key_line(public_key: Ed25519PublicKey, comment: str = SIGNING_IDENTITY) -> str:
        raw = public_key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        return f"{raw.decode()} {comment}"

    def check_all(self) -> list[Path]:
        """Check every key file's permissions (the bot runs this at start); return what was checked."""
        check_owner_only(self.keys_dir)
        checked = [self.keys_dir]
        for path in sorted(self.keys_dir.iterdir()):
            if path.name.endswith(".pub"):
                continue
            check_owner_only(path)
            checked.append(path)
        return checked
