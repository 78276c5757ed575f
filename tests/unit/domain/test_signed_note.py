"""Checkpoints as C2SP signed notes (issue 25 item 2): the exact text, the key hash the spec
defines, and a reader that names the line it cannot accept."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.domain import note
from bot.domain.note import Checkpoint, NoteError

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
ROOT = hashlib.sha256(b"root").digest()


def test_the_note_is_the_c2sp_text_and_its_key_hash_the_spec_s() -> None:
    signed = note.sign(Checkpoint("rapid-consult/test", 12, ROOT), KEY)
    text = signed.text()
    body, signature = text.split("\n\n")
    assert body == f"rapid-consult/test\n12\n{base64.b64encode(ROOT).decode()}"
    assert signature.startswith("\u2014 rapid-consult/test ") and signature.endswith("\n")
    blob = base64.b64decode(signature.split(" ")[2])
    raw = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert blob[:4] == hashlib.sha256(b"rapid-consult/test\n\x01" + raw).digest()[:4]
    KEY.public_key().verify(blob[4:], f"{body}\n".encode())
    again = note.parse(text)
    assert again == signed and again.signed_by("rapid-consult/test", KEY.public_key())
    assert note.verifier_key("rapid-consult/test", KEY.public_key()).startswith("rapid-consult/test+")


def test_another_key_or_name_is_not_its_signer() -> None:
    signed = note.sign(Checkpoint("rapid-consult/test", 3, ROOT), KEY)
    other = Ed25519PrivateKey.from_private_bytes(bytes(32))
    assert not signed.signed_by("rapid-consult/test", other.public_key())
    assert not signed.signed_by("rapid-consult/other", KEY.public_key())
    forged = note.parse(signed.text().replace("\n3\n", "\n4\n"))
    assert not forged.signed_by("rapid-consult/test", KEY.public_key())


def test_a_rollback_is_an_extension_line() -> None:
    signed = note.sign(Checkpoint("o", 5, ROOT, ("rollback 9 4",)), KEY)
    assert note.parse(signed.text()).checkpoint.rollback() == (9, 4)


def test_many_notes_with_their_line_numbers() -> None:
    a = note.sign(Checkpoint("o", 1, ROOT), KEY).text()
    b = note.sign(Checkpoint("o", 2, ROOT), KEY).text()
    found = note.parse_many(f"{a}\n{b}")
    assert [(line, n.checkpoint.size) for line, n in found] == [(1, 1), (7, 2)]


@pytest.mark.parametrize(("text", "line"), [
    ("o\nx\n{root}\n\n\u2014 o AAAAAAAA\n", 2),
    ("o\n1\nnot base64!\n\n\u2014 o AAAAAAAA\n", 3),
    ("o\n1\n{root}\n\nsomething else\n", 5),
    ("o\n1\n{root}\n", 1),
    ("{good}\nhello\n", 7),
])
def test_a_bad_line_is_named(text: str, line: int) -> None:
    good = note.sign(Checkpoint("o", 1, ROOT), KEY).text()
    text = text.format(root=base64.b64encode(ROOT).decode(), good=good)
    with pytest.raises(NoteError, match=f"line {line}"):
        note.parse_many(text)
