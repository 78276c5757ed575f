from __future__ import annotations

import pytest

from bot.errors import KeyInvalidError
from bot.store.crypto import (
    decrypt_field,
    encrypt_field,
    field_aad,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from bot.store.keys import MasterKey

AAD = field_aad("messages", 7, "body")


def test_field_round_trip_and_fresh_nonce() -> None:
    key = new_data_key(1)
    first = encrypt_field(key, "Ý kiến của Bộ Công Thương", AAD)
    second = encrypt_field(key, "Ý kiến của Bộ Công Thương", AAD)
    assert first != second  # a fresh nonce each time
    assert decrypt_field(key, first, AAD) == "Ý kiến của Bộ Công Thương"


@pytest.mark.parametrize("position", [0, 5, 20, -1], ids=["version", "nonce", "ciphertext", "tag"])
def test_any_flipped_byte_fails(position: int) -> None:
    key = new_data_key(1)
    blob = bytearray(encrypt_field(key, "nội dung", AAD))
    blob[position] ^= 0x01
    with pytest.raises(KeyInvalidError):
        decrypt_field(key, bytes(blob), AAD)


def test_ciphertext_moved_to_another_row_or_column_fails() -> None:
    key = new_data_key(1)
    blob = encrypt_field(key, "nội dung", AAD)
    with pytest.raises(KeyInvalidError):
        decrypt_field(key, blob, field_aad("messages", 8, "body"))
    with pytest.raises(KeyInvalidError):
        decrypt_field(key, blob, field_aad("consultations", 7, "title"))


def test_other_consultations_key_fails() -> None:
    blob = encrypt_field(new_data_key(1), "nội dung", AAD)
    with pytest.raises(KeyInvalidError):
        decrypt_field(new_data_key(1), blob, AAD)


def test_wrap_unwrap_and_wrong_master_names_the_key() -> None:
    master = MasterKey("mk-aaaa", b"\x01" * 32)
    other = MasterKey("mk-aaaa", b"\x02" * 32)
    data_key = new_data_key(3)
    wrapped = wrap_data_key(data_key, master)
    assert unwrap_data_key(wrapped, master).material == data_key.material
    with pytest.raises(KeyInvalidError, match="mk-aaaa"):
        unwrap_data_key(wrapped, other)
    assert "material" not in repr(master) and "\\x01" not in repr(master)
