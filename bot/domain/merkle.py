"""A Merkle tree as Certificate Transparency builds it (RFC 9162 §2.1): the root of many leaves
and a short proof that one leaf is among them.

A checkpoint signs the root over the head of every chain in the deployment's log; a transcript
carries its consultation's leaf and the proof (a few dozen bytes per thousand consultations), so
an auditor can tell that the checkpoint saw the consultation's chain up to that head without
seeing any other consultation.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Mapping, Sequence


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1)."""
    k = 1
    while k * 2 < size:
        k *= 2
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """Merkle tree hash of leaf hashes; the empty tree is SHA-256 of nothing."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    return _root(level)


def _root(hashes: Sequence[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_root(hashes[:k]), _root(hashes[k:]))


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf `index` (RFC 9162 §2.1.3.1), bottom up."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} of a tree of {len(leaves)}")
    return _path(index, list(leaves))


def _path(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return [*_path(index, hashes[:k]), _root(hashes[k:])]
    return [*_path(index - k, hashes[k:]), _root(hashes[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` lead from leaf `index` of a tree of `size` to `expected_root`?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == expected_root


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.4.1: the proof that the tree of the first `old_size` leaves is a prefix of the
    tree of all of them, so a checkpoint signed earlier can be shown to agree with a later one."""
    if not 0 < old_size <= len(leaves):
        raise IndexError(f"a tree of {old_size} within a tree of {len(leaves)}")
    return _subproof(old_size, list(leaves), True)


def _subproof(m: int, hashes: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [_root(hashes)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete), _root(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), _root(hashes[:k])]


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does `proof` show the tree of `old_size` with `old_root` is a prefix of
    the tree of `new_size` with `new_root`?"""
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class Tree:
    """Every node of an RFC 9162 tree, level by level, built once from its leaf hashes so that the
    root at any earlier size and every proof cost O(log n) reads rather than a pass over the leaves.

    Level 0 is the leaves; each level above pairs the one below and carries an odd last node up
    unchanged, which gives exactly RFC 9162's tree (its split at the largest power of two below n).
    A subtree of 2^k leaves starting at a multiple of 2^k is then one stored node, in the tree of
    every size that contains it whole, so proofs for older sizes come from the same levels.
    """

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            if len(below) % 2:
                above.append(below[-1])
            self.levels.append(above)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def range_root(self, start: int, size: int) -> bytes:
        """The root of the subtree of leaves [start, start + size), as RFC 9162 splits it."""
        if size & (size - 1) == 0 and start % size == 0:
            return self.levels[size.bit_length() - 1][start // size]
        k = _split(size)
        return node_hash(self.range_root(start, k), self.range_root(start + k, size - k))

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise IndexError(f"a tree of {size} within a tree of {self.size}")
        return root([]) if size == 0 else self.range_root(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.3.1 for leaf `index` of the tree of the first `size` leaves."""
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise IndexError(f"leaf {index} of a tree of {size}")
        proof: list[bytes] = []
        start, n = 0, size
        while n > 1:
            k = _split(n)
            if index - start < k:
                proof.append(self.range_root(start + k, n - k))
                n = k
            else:
                proof.append(self.range_root(start, k))
                start, n = start + k, n - k
        return proof[::-1]

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.4.1 from the tree of `old_size` leaves to the tree of `size` leaves."""
        size = self.size if size is None else size
        if not 0 < old_size <= size <= self.size:
            raise IndexError(f"a tree of {old_size} within a tree of {size}")
        proof: list[bytes] = []
        start, m, n, complete = 0, old_size, size, True
        while m != n:
            k = _split(n)
            if m <= k:
                proof.append(self.range_root(start + k, n - k))
                n = k
            else:
                proof.append(self.range_root(start, k))
                start, m, n, complete = start + k, m - k, n - k, False
        if not complete:
            proof.append(self.range_root(start, n))
        return proof[::-1]

    def batch_proof(self, indices: Sequence[int], size: int | None = None) -> list[bytes]:
        """The nodes that, with the leaves at `indices` (sorted, distinct), give the root of the tree
        of `size` leaves: the root of every largest subtree holding none of them, left to right.
        One proof for all of a consultation's events, never longer than their separate RFC 9162
        paths together, and much shorter when they sit close to one another in the log."""
        size = self.size if size is None else size
        proof: list[bytes] = []

        def walk(start: int, n: int, lo: int, hi: int) -> None:  # indices[lo:hi] lie in [start, start + n)
            if lo == hi:
                proof.append(self.range_root(start, n))
            elif n > 1:
                k = _split(n)
                mid = bisect_left(indices, start + k, lo, hi)
                walk(start, k, lo, mid)
                walk(start + k, n - k, mid, hi)

        if size:
            walk(0, size, 0, len(indices))
        return proof


def verify_batch(leaves: Mapping[int, bytes], size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """Do the leaves at their indices and `proof` (see Tree.batch_proof) give `expected_root` for a
    tree of `size` leaves, using every node of the proof exactly once?"""
    indices = sorted(leaves)
    if size <= 0 or not indices or indices[0] < 0 or indices[-1] >= size:
        return False
    nodes = iter(proof)
    used = 0

    def walk(start: int, n: int, lo: int, hi: int) -> bytes | None:
        nonlocal used
        if lo == hi:
            used += 1
            return next(nodes, None)
        if n == 1:
            return leaves[indices[lo]]
        k = _split(n)
        mid = bisect_left(indices, start + k, lo, hi)
        left = walk(start, k, lo, mid)
        right = walk(start + k, n - k, mid, hi)
        return None if left is None or right is None else node_hash(left, right)

    return walk(0, size, 0, len(indices)) == expected_root and used == len(proof)
