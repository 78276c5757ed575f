"""Signed checkpoints of the deployment's event log: a signed tree head, as Certificate
Transparency has, so that a log cut short or rewritten after a checkpoint cannot pass for whole.

A checkpoint says: at `at`, the log held `log_size` events, the last one hashing to `log_head`,
and the head of every chain in it (each consultation's, and the deployment's own) is a leaf of the
Merkle tree whose root is `heads_root`. Checkpoints are numbered and each names the hash of the
one before, so a missing one shows. The signed bytes are the canonical JSON (RFC 8785) of the body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain import merkle
from bot.domain.canonical import canonical

CHECKPOINT_FORMAT = "rapid-consult-checkpoint/1"
CHECKPOINT_NAMESPACE = "rapid-consult-checkpoint"
GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainHead:
    """The last event of one chain at a checkpoint, and how many events the chain had."""

    consultation_id: int | None
    seq: int
    hash: str
    events: int

    def as_json(self) -> dict[str, Any]:
        return {"consultation_id": self.consultation_id, "events": self.events, "hash": self.hash, "seq": self.seq}

    def leaf(self) -> bytes:
        return merkle.leaf_hash(canonical(self.as_json()))

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> ChainHead:
        cid = value["consultation_id"]
        return cls(None if cid is None else int(cid), int(value["seq"]), str(value["hash"]), int(value["events"]))


@dataclass(frozen=True)
class CheckpointBody:
    number: int
    at: str
    log_size: int
    log_head: str
    heads_root: str
    heads: int
    previous: str

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at, "format": CHECKPOINT_FORMAT, "heads": self.heads, "heads_root": self.heads_root,
                "log_head": self.log_head, "log_size": self.log_size, "number": self.number,
                "previous": self.previous}

    def signed_bytes(self) -> bytes:
        return canonical(self.as_json())

    def digest(self) -> str:
        """What the next checkpoint names as `previous`."""
        return hashlib.sha256(self.signed_bytes()).hexdigest()

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> CheckpointBody:
        if value.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"not a {CHECKPOINT_FORMAT} checkpoint")
        return cls(int(value["number"]), str(value["at"]), int(value["log_size"]), str(value["log_head"]),
                   str(value["heads_root"]), int(value["heads"]), str(value["previous"]))


def heads_tree(heads: list[ChainHead]) -> tuple[str, list[bytes]]:
    """(hex root, leaves) of the heads in their order (deployment chain first, then by id)."""
    leaves = [head.leaf() for head in heads]
    return merkle.root(leaves).hex(), leaves


def event_leaf(chain_hash: str) -> bytes:
    """Leaf of the one tree for an event: RFC 9162's leaf hash of its 32-byte chain hash. The chain
    hash already covers the event's canonical bytes and both links, so the leaf is fixed with the
    event, and a bundle proves its events are in the tree from the events it carries, nothing more.
    A hash that is not hex (a damaged row) still makes a leaf: one no genuine event has."""
    try:
        raw = bytes.fromhex(chain_hash)
    except ValueError:
        raw = chain_hash.encode()
    return merkle.leaf_hash(raw)
