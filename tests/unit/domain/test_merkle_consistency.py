"""RFC 9162 §2.1.4 consistency proofs over the existing RFC 9162 tree (issue 25, gap 2).

bot/domain/merkle.py already hashes leaves with 0x00 and nodes with 0x01 and splits at the largest
power of two below the size (RFC 9162 §2.1.1), so the consistency proofs are added to it rather
than bringing in pymerkle. The known-answer roots are those of Certificate Transparency's reference
test data (the same eight leaves used by its Merkle tree tests).
"""

from __future__ import annotations

import pytest

from bot.domain.merkle import consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion

CT_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                        "606162636465666768696a6b6c6d6e6f")]
HASHES = [leaf_hash(d) for d in CT_LEAVES]


def test_roots_match_the_reference_vectors() -> None:
    assert root(HASHES[:1]).hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert root(HASHES).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


@pytest.mark.parametrize("new_size", range(1, 33))
def test_every_prefix_is_proved_consistent(new_size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(new_size)]
    new_root = root(leaves)
    for old_size in range(1, new_size + 1):
        proof = consistency_proof(old_size, leaves)
        assert verify_consistency(old_size, new_size, root(leaves[:old_size]), new_root, proof), old_size
        for i in range(len(proof)):  # any node changed breaks it
            bent = [*proof[:i], bytes(32), *proof[i + 1:]]
            assert not verify_consistency(old_size, new_size, root(leaves[:old_size]), new_root, bent)


def test_a_rewritten_history_is_not_consistent() -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(13)]
    forged = [*leaves[:4], leaf_hash(b"forged"), *leaves[5:]]
    proof = consistency_proof(7, forged)
    assert not verify_consistency(7, 13, root(leaves[:7]), root(forged), proof)


def test_proof_sizes_are_logarithmic_and_inclusion_still_holds() -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(1000)]
    assert len(consistency_proof(600, leaves)) <= 2 * 10
    assert verify_inclusion(leaves[417], 417, 1000, inclusion_proof(417, leaves), root(leaves))
