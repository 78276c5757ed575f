"""Checkpoints in transcripts: the signed tree head a bundle carries, the proof that it saw the
consultation's chain up to a head, and how an auditor checks both.

A transcript carries the latest checkpoint at the time of export, the head of its consultation's
chain as that checkpoint recorded it, and the Merkle audit path from that head to the signed root.
Whoever later removes or rewrites events of the consultation that the checkpoint covered cannot
produce a transcript that agrees with it: the bundle's chain must pass through the signed head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.audit import sshsig
from bot.audit.allowed_signers import AllowedSigners
from bot.domain import merkle
from bot.domain.checkpoint import CHECKPOINT_NAMESPACE, ChainHead, CheckpointBody, heads_tree
from bot.store.db import Tx
from bot.store.repos import checkpoints


def sign(body: CheckpointBody, signing_key: Any) -> str:
    return sshsig.sign(signing_key, CHECKPOINT_NAMESPACE, body.signed_bytes())


async def for_transcript(tx: Tx, consultation_id: int) -> dict[str, Any] | None:
    """The latest checkpoint with the consultation's head and its audit path, or None if there is
    no checkpoint yet. The leaves are read again from the log as it now is: if the log changed
    since the checkpoint, the path will not lead to its root and the auditor is told so."""
    stored = await checkpoints.latest(tx)
    if stored is None:
        return None
    heads = await checkpoints.heads(tx, stored.body.log_size)
    _, leaves = heads_tree(heads)
    index = next((i for i, head in enumerate(heads) if head.consultation_id == consultation_id), None)
    proof = [] if index is None else [h.hex() for h in merkle.inclusion_proof(index, leaves)]
    return {
        **stored.body.as_json(), "signature": stored.signature,
        "head": None if index is None else heads[index].as_json(), "index": index, "proof": proof,
    }


@dataclass(frozen=True)
class CarriedCheckpoint:
    body: CheckpointBody
    signature: str
    head: ChainHead | None
    index: int | None
    proof: list[bytes]

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> CarriedCheckpoint:
        head = value.get("head")
        index = value.get("index")
        return cls(CheckpointBody.from_json(value), str(value["signature"]),
                   None if head is None else ChainHead.from_json(head), None if index is None else int(index),
                   [bytes.fromhex(str(h)) for h in value.get("proof") or []])


def check_signature(carried: CarriedCheckpoint, signers: AllowedSigners | None, identity: str,
                    now: datetime | None = None) -> str:
    """The checkpoint's signature by a trusted key (SignatureError otherwise); returns who signed."""
    digests = {"sha512": hashlib.sha512(carried.body.signed_bytes()).digest(),
               "sha256": hashlib.sha256(carried.body.signed_bytes()).digest()}
    if signers is None:
        parsed = sshsig.check_own(carried.signature, CHECKPOINT_NAMESPACE, digests)
        raise sshsig.SignatureError(
            f"signed by key {sshsig.fingerprint(sshsig.public_key_blob(parsed.public_key))}, not checked against "
            "a trusted key")
    parsed, _ = sshsig.verify_trusted(carried.signature, CHECKPOINT_NAMESPACE, digests, signers, identity, now)
    return sshsig.fingerprint(sshsig.public_key_blob(parsed.public_key))


def check_proof(carried: CarriedCheckpoint, consultation_id: int | None) -> str | None:
    """None if the carried head is the consultation's and its path leads to the signed root."""
    if carried.head is None or carried.index is None:
        return None
    if carried.head.consultation_id != consultation_id:
        return f"the head it carries is of consultation {carried.head.consultation_id}, not {consultation_id}"
    try:
        signed_root = bytes.fromhex(carried.body.heads_root)
    except ValueError:
        return "its heads_root is not a hash"
    if not merkle.verify_inclusion(carried.head.leaf(), carried.index, carried.body.heads, carried.proof,
                                   signed_root):
        return (f"the consultation's head (event seq {carried.head.seq}) is not the one checkpoint "
                f"#{carried.body.number} signed: the log was cut short or rewritten after the checkpoint was made")
    return None
