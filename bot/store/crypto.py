"""Envelope encryption: a data key per consultation, wrapped by the current master key.

Every field is sealed with AES-256-GCM under a fresh random nonce, and its associated data names
the table, row and column it belongs to, so a ciphertext moved to another row or column fails to
open. Rows written since schema 0004 (`aad_version` 2) bind their author and time as well: a
message whose author or time is edited in the database no longer opens. Rotation re-wraps data
keys only; destroying a data key (retention) makes that consultation's content unreadable
everywhere, backups included.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.errors import KeyInvalidError
from bot.store.keys import MasterKey

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
DATA_KEY_BYTES = 32


@dataclass(frozen=True)
class DataKey:
    owner: int  # consultation id; 0 for deployment-level content (e.g. outbox texts without one)
    material: bytes

    def __repr__(self) -> str:
        return f"DataKey(owner={self.owner})"


@dataclass(frozen=True)
class WrappedDataKey:
    owner: int
    master_key_id: str
    wrapped: bytes


def _wrap_aad(owner: int, master_key_id: str) -> bytes:
    return f"rapid-consult/v1/data-key/{owner}/{master_key_id}".encode()


def field_aad(table: str, row_id: int | str, column: str) -> bytes:
    return f"rapid-consult/v1/{table}/{row_id}/{column}".encode()


def row_aad(table: str, row_id: int | str, column: str, author: str | None, at: str) -> bytes:
    """Associated data of version 2: the field's place and its row's author and time."""
    return b"rapid-consult/v2/" + json.dumps([table, row_id, column, author, at], ensure_ascii=False).encode()


def aad_for(version: int, table: str, row_id: int | str, column: str, author: str | None, at: str) -> bytes:
    """The associated data a row of `version` was sealed with (1: before schema 0004)."""
    if version >= 2:
        return row_aad(table, row_id, column, author, at)
    return field_aad(table, row_id, column)


def commitment_key(data_key: DataKey) -> bytes:
    """The key of the consultation's text commitments (`bot.domain.facts.commit`). A transcript
    publishes it beside the texts it commits to; it tells nothing of the data key."""
    info = f"rapid-consult/v2/text-commitment/{data_key.owner}".encode()
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(data_key.material)


def new_data_key(owner: int) -> DataKey:
    return DataKey(owner, secrets.token_bytes(DATA_KEY_BYTES))


def wrap_data_key(data_key: DataKey, master: MasterKey) -> WrappedDataKey:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(master.material).encrypt(nonce, data_key.material, _wrap_aad(data_key.owner, master.key_id))
    return WrappedDataKey(data_key.owner, master.key_id, FORMAT_VERSION + nonce + sealed)


def unwrap_data_key(wrapped: WrappedDataKey, master: MasterKey) -> DataKey:
    if master.key_id != wrapped.master_key_id:
        raise KeyInvalidError(
            f"data key of consultation {wrapped.owner} is wrapped by {wrapped.master_key_id}, "
            f"not by {master.key_id}"
        )
    material = _open(master.material, wrapped.wrapped, _wrap_aad(wrapped.owner, master.key_id))
    if material is None:
        raise KeyInvalidError(
            f"master key {master.key_id} cannot unwrap the data key of consultation {wrapped.owner}: "
            "wrong key file or tampered database"
        )
    return DataKey(wrapped.owner, material)


def encrypt_field(data_key: DataKey, plaintext: str, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(data_key.material).encrypt(nonce, plaintext.encode("utf-8"), aad)


def decrypt_field(data_key: DataKey, blob: bytes, aad: bytes) -> str:
    opened = _open(data_key.material, blob, aad)
    if opened is None:
        raise KeyInvalidError(
            f"a field of consultation {data_key.owner} does not decrypt "
            f"({aad.decode(errors='replace')}): tampered, moved, or wrong key"
        )
    return opened.decode("utf-8")


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes | None:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != FORMAT_VERSION:
        return None
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    except InvalidTag:
        return None
