"""The one tree of every event (issue 25 item 2): the level-built tree gives RFC 9162's roots and
proofs at every size, and a batch proof of a consultation's events holds exactly its leaves."""

from __future__ import annotations

import pytest

from bot.domain import merkle
from bot.domain.merkle import Tree, leaf_hash, verify_batch, verify_consistency, verify_inclusion


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


@pytest.mark.parametrize("n", [*range(1, 34), 100])
def test_roots_and_proofs_agree_with_the_reference_recursion(n: int) -> None:
    hashes = leaves(n)
    tree = Tree(hashes)
    assert tree.root() == merkle.root(hashes)
    for size in range(1, n + 1):
        assert tree.root(size) == merkle.root(hashes[:size])
        assert tree.consistency_proof(size) == merkle.consistency_proof(size, hashes)
        assert verify_consistency(size, n, tree.root(size), tree.root(), tree.consistency_proof(size))
    for index in range(n):
        assert tree.inclusion_proof(index) == merkle.inclusion_proof(index, hashes)
        assert verify_inclusion(hashes[index], index, n, tree.inclusion_proof(index), tree.root())


def test_the_empty_tree_has_the_rfc_root() -> None:
    assert Tree([]).root().hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(("n", "picked"), [(1, [0]), (7, [2, 3, 6]), (13, [0, 12]), (64, list(range(10, 20))),
                                          (100, [5, 50, 99]), (9, list(range(9)))])
def test_a_batch_proof_holds_its_leaves_and_nothing_else(n: int, picked: list[int]) -> None:
    hashes = leaves(n)
    tree = Tree(hashes)
    proof = tree.batch_proof(picked)
    mine = {i: hashes[i] for i in picked}
    assert verify_batch(mine, n, proof, tree.root())
    assert len(proof) <= sum(len(tree.inclusion_proof(i)) for i in picked)
    altered = {**mine, picked[0]: leaf_hash(b"forged")}
    assert not verify_batch(altered, n, proof, tree.root())
    if len(picked) > 1:  # a leaf left out of the bundle: the proof no longer fits
        assert not verify_batch({i: hashes[i] for i in picked[1:]}, n, proof, tree.root())
    assert not verify_batch(mine, n, [*proof, bytes(32)], tree.root())
    for i in range(len(proof)):
        assert not verify_batch(mine, n, [*proof[:i], bytes(32), *proof[i + 1:]], tree.root())


def test_a_batch_proof_at_an_earlier_size() -> None:
    hashes = leaves(40)
    tree = Tree(hashes)
    proof = tree.batch_proof([3, 17, 30], 31)
    assert verify_batch({3: hashes[3], 17: hashes[17], 30: hashes[30]}, 31, proof, tree.root(31))
