"""The fast canonical form is RFC 8785's, byte for byte; the streaming reader reads any document
the way json.loads does, whatever the chunk boundaries, and says where the form is not canonical."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.audit import jsonstream
from bot.audit.jsonstream import CanonicalReader, StreamError
from bot.domain.canonical import canonical
from bot.domain.merkle import inclusion_proof, leaf_hash, root, verify_inclusion

SAFE_INT = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
SCALARS = st.none() | st.booleans() | SAFE_INT | st.text() | st.floats(allow_nan=False, allow_infinity=False)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                                           max_size=4), max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_fast_canonical_is_rfc8785(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(rfc8785.CanonicalizationError):
            canonical(value)
        return
    assert canonical(value) == expected


@pytest.mark.parametrize("value", [1.0, 1e21, [0.5], {"a": 2**60}, {"\U0001f600": 1, "\ufb01": 2}, "\u2028\x7f\x1f"])
def test_fast_canonical_defers_where_it_may_differ(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return
    assert canonical(value) == expected


def document(count: int) -> dict[str, Any]:
    return {"consultation": {"id": 1, "title": "Tham vấn — 🇻🇳"}, "events": [{"seq": i, "data": {"t": "é" * (i % 97)}}
            for i in range(count)], "messages": [{"id": i, "text": "ý kiến " * (i % 50)} for i in range(count)],
            "zeta": None}


def walk(path: Path, **options: Any) -> tuple[dict[str, Any], CanonicalReader]:
    found: dict[str, Any] = {}
    reader = CanonicalReader(path, **options)
    with reader:
        for key in reader.members():
            found[key] = list(reader.items()) if key in ("events", "messages") else reader.value()
        reader.drain()
    return found, reader


@pytest.mark.parametrize("chunk", [7, 300, 1 << 18])
def test_reader_reads_what_json_reads_at_any_chunk_size(tmp_path: Path, chunk: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    monkeypatch.setattr(jsonstream, "LOOKAHEAD", max(4, chunk // 2))
    path = tmp_path / "t.json"
    raw = rfc8785.dumps(document(400))
    path.write_bytes(raw)
    found, reader = walk(path, hashing=True, check_canonical=True)
    assert found == json.loads(raw)
    assert reader.noncanonical is None
    assert reader.sha256 is not None and reader.sha256.digest() == __import__("hashlib").sha256(raw).digest()


@pytest.mark.parametrize(("raw", "where"), [
    (b'{"b":1,"a":2}', "out of order"),
    (b'{"a": 1}', "blank"),
    (b'{"a":1.0}', "canonical form"),
    (b'{"a":"\\u0041"}', "canonical form"),
    (b'{"a":[1,2 ]}', "canonical form"),
])
def test_reader_says_where_the_form_is_not_canonical(tmp_path: Path, raw: bytes, where: str) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(raw)
    found, reader = walk(path, check_canonical=True)
    assert found == json.loads(raw)
    assert reader.noncanonical is not None and where in reader.noncanonical


@pytest.mark.parametrize("raw", [b'{"a":[1,2', b'{"a":1}x', b'{"a":\xff}', b"", b'{"a" 1}'])
def test_broken_documents_stop_with_the_place(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(raw)
    with pytest.raises(StreamError, match="near byte"):
        walk(path)


def test_a_second_reader_walks_an_array_from_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(rfc8785.dumps(document(50)))
    with CanonicalReader(path) as reader:
        for key in reader.members():
            if key == "messages":
                offset = reader.offset()
            reader.skip()
    with CanonicalReader(path, start=offset) as again:
        assert [m["id"] for m in again.items()] == list(range(50))


@pytest.mark.parametrize("size", range(1, 20))
def test_every_leaf_has_a_proof_to_the_root_and_no_other_leaf_fits_it(size: int) -> None:
    leaves = [leaf_hash(f"head {i}".encode()) for i in range(size)]
    top = root(leaves)
    for index in range(size):
        proof = inclusion_proof(index, leaves)
        assert verify_inclusion(leaves[index], index, size, proof, top)
        assert not verify_inclusion(leaf_hash(b"forged"), index, size, proof, top)
        if size > 1:
            assert not verify_inclusion(leaves[index], (index + 1) % size, size, proof, top)
