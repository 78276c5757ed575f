"""The one tree of every event in a bundle: what the bundle carries to prove its consultation's
events are in the tree a signed note (checkpoint) names, and that this tree extends every
checkpoint published before; and how an auditor checks both against notes they kept (witnesses).

The bundle's `log` member:

    {"note": <the C2SP signed note of the newest checkpoint: origin, tree size n, root>,
     "tsa": <base64 RFC 3161 token over the note, or null>,
     "proof": [<hex node>...],            # batch inclusion proof of the consultation's events
     "consistency": [{"size": m, "proof": [<hex node>...]}...],   # RFC 9162, from m to n, for
                                          # every tree size the deployment published a note at
     "leaves": <base64 of every leaf hash>}  # instead of "consistency" once the proofs would hold
                                          # more hashes than the tree has leaves (many checkpoints)

Leaf i of the tree is RFC 9162's leaf hash of the chain hash of event seq i + 1. The batch proof is
the root of every largest subtree that holds none of the consultation's events, left to right
(bot/domain/merkle.py): with the events the bundle carries, it gives the root. A rewritten,
truncated or rolled-back log cannot give both that root and consistency with a note someone kept.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bot.audit.checks import Check
from bot.audit.timestamps import check_token
from bot.domain import note
from bot.domain.merkle import Tree, verify_batch, verify_consistency
from bot.domain.note import NoteError, SignedNote
from bot.store.db import Tx
from bot.store.repos import checkpoints

LOG_CHECK = "one log (every event in one Merkle tree)"
WITNESS_CHECK = "witnessed checkpoints"


async def log_for_transcript(tx: Tx, consultation_id: int) -> dict[str, Any] | None:
    """The `log` member for a bundle, from the events as they are now (never from the stored
    root): None before the first checkpoint signed as a note."""
    stored = await checkpoints.latest_noted(tx)
    if stored is None or stored.note is None:
        return None
    size = note.parse(stored.note).checkpoint.size
    leaves = await checkpoints.leaf_hashes(tx, size)
    seqs = await checkpoints.consultation_seqs(tx, consultation_id, size)
    sizes = [m for m in await checkpoints.noted_sizes(tx) if m <= size]

    def proofs() -> tuple[list[str], list[dict[str, Any]], str | None]:
        tree = Tree(leaves)
        if tree.size < size:  # events of the signed tree are gone: nothing can be proved, verify says so
            return [], [], None
        batch = [h.hex() for h in tree.batch_proof([s - 1 for s in seqs])] if seqs else []
        paths = {m: [h.hex() for h in tree.consistency_proof(m)] for m in sizes if m > 0}
        consistency: list[dict[str, Any]] = [{"proof": path, "size": m} for m, path in paths.items()]
        if sum(len(path) for path in paths.values()) > size:  # the tree itself is smaller: carry it instead
            return batch, [], base64.b64encode(b"".join(tree.levels[0][:size])).decode()
        return batch, consistency, None

    batch, consistency, tree_leaves = await asyncio.to_thread(proofs)
    carried: dict[str, Any] = {"consistency": consistency, "note": stored.note, "proof": batch,
                               "tsa": None if stored.tsa is None else base64.b64encode(stored.tsa).decode()}
    if tree_leaves is not None:
        carried["leaves"] = tree_leaves
    return carried


@dataclass
class CarriedLog:
    """The `log` member as read, and the leaves of the consultation's events seen in the stream."""

    signed: SignedNote
    proof: list[bytes]
    consistency: dict[int, list[bytes]]
    tsa: bytes | None
    leaves: dict[int, bytes] = field(default_factory=dict)
    later: int = 0  # the consultation's events after the tree's size (not yet in a checkpoint)
    # Every leaf of the signed tree, carried instead of consistency proofs once those would be
    # larger (a deployment that has published more checkpoints than log2 of its events allows):
    # the root at every published size is then recomputed, so the bundle's proofs never outgrow
    # 32 bytes per event however many checkpoints there are.
    tree_leaves: list[bytes] | None = None

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> CarriedLog:
        tsa, packed = value.get("tsa"), value.get("leaves")
        tree_leaves = None
        if packed is not None:
            raw = base64.b64decode(str(packed), validate=True)
            if len(raw) % 32:
                raise ValueError("log.leaves: not a whole number of 32-byte hashes")
            tree_leaves = [raw[i:i + 32] for i in range(0, len(raw), 32)]
        return cls(note.parse(str(value["note"])), [bytes.fromhex(str(h)) for h in value["proof"]],
                   {int(c["size"]): [bytes.fromhex(str(h)) for h in c["proof"]] for c in value["consistency"]},
                   None if tsa is None else base64.b64decode(str(tsa), validate=True), tree_leaves=tree_leaves)

    @property
    def size(self) -> int:
        return self.signed.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.signed.checkpoint.root


def pinned_keys(signers: Any, identity: str) -> list[Ed25519PublicKey]:
    return [] if signers is None else list(signers.keys_for(identity))


def log_check(carried: CarriedLog | None, problem: str | None, keys: list[Ed25519PublicKey],
              witnessed: bool) -> Check:
    """The bundle's tree: its note signed by the pinned key, and the consultation's events in it."""
    if problem is not None:
        return Check(LOG_CHECK, False, problem)
    if carried is None:
        if witnessed:
            return Check(LOG_CHECK, False, "the bundle carries no proofs of the one log (it was exported before "
                                           "checkpoints were signed as notes): export again, then verify it")
        return Check(LOG_CHECK, True, "none (a bundle exported before the one log); its events are not proved to "
                                      "be in a published tree")
    checkpoint = carried.signed.checkpoint
    if not keys:
        return Check(LOG_CHECK, False, f"the note for {checkpoint.origin} (size {checkpoint.size}) was not checked "
                                       "against a trusted key")
    if not any(carried.signed.signed_by(checkpoint.origin, key) for key in keys):
        return Check(LOG_CHECK, False, f"the note for {checkpoint.origin} (size {checkpoint.size}) is not signed "
                                       "by the trusted key")
    if carried.leaves and not verify_batch(carried.leaves, carried.size, carried.proof, carried.root):
        return Check(LOG_CHECK, False, f"the consultation's {len(carried.leaves)} events are not those of the tree "
                                       f"of {carried.size} events the note signed: the events were rewritten, "
                                       "removed or added")
    if not carried.leaves and carried.proof:
        return Check(LOG_CHECK, False, "the bundle carries a proof but none of its events is in the signed tree")
    tail = f"; {carried.later} later events are not yet in a checkpoint" if carried.later else ""
    return Check(LOG_CHECK, True, f"its {len(carried.leaves)} events are in the tree of {carried.size} events of "
                                  f"{checkpoint.origin}, root {base64.b64encode(carried.root).decode()}{tail}")


def witness_check(path: Path, carried: CarriedLog | None, keys: list[Ed25519PublicKey],
                  tsa_certs: Sequence[bytes] = ()) -> Check:
    """Every note in `path` (published checkpoints an auditor kept) that the pinned key signed for
    the bundle's origin must be the bundle's tree or a prefix of it; a newer one makes the bundle
    out of date. A bad line, another key or another origin is an error naming the line."""
    name = f"{WITNESS_CHECK} ({path.name})"
    try:
        notes = note.parse_many(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return Check(name, False, f"cannot read {path}: {exc}")
    except NoteError as exc:
        return Check(name, False, f"{path}: {exc}")
    if not notes:
        return Check(name, False, f"{path} holds no checkpoint")
    if carried is None:
        return Check(name, False, "the bundle carries no proofs of the one log to hold against them: export again")
    origin = carried.signed.checkpoint.origin
    for line, found in notes:
        if found.checkpoint.origin != origin:
            return Check(name, False, f"{path}, line {line}: a checkpoint for origin «{found.checkpoint.origin}», "
                                      f"not this deployment's «{origin}»")
        if not any(found.signed_by(origin, key) for key in keys):
            return Check(name, False, f"{path}, line {line}: a checkpoint not signed by the trusted key (signed by "
                                      f"{', '.join(signer for signer, _ in found.signatures)} with key hash "
                                      f"{found.signatures[0][1][:4].hex()})")
    rolled_at = max((line for line, found in notes if found.checkpoint.rollback() is not None), default=0)
    tree = None
    if carried.tree_leaves is not None:
        tree = Tree(carried.tree_leaves)
        if tree.size != carried.size or tree.root() != carried.root:
            return Check(name, False, f"the tree's leaves the bundle carries do not make the signed tree of "
                                      f"{carried.size} events: the bundle was altered")
    matched: list[str] = []
    for line, found in notes:
        size, root = found.checkpoint.size, found.checkpoint.root
        if line < rolled_at:
            matched.append(f"line {line} (size {size}): abandoned by the rollback published at line {rolled_at}")
            continue
        if size > carried.size:
            return Check(name, False, f"out of date: export again — {path}, line {line} holds a checkpoint of "
                                      f"{size} events, the bundle's tree has {carried.size}")
        if size == carried.size:
            if root != carried.root:
                return Check(name, False, f"{path}, line {line}: a checkpoint of the same size ({size}) with another "
                                          "root: the log was rewritten (a fork)")
            matched.append(f"line {line} (size {size}): the bundle's own tree")
            continue
        proof = carried.consistency.get(size)
        if proof is None and tree is not None:
            if tree.root(size) != root:
                return Check(name, False, f"{path}, line {line}: the checkpoint of {size} events is not a prefix of "
                                          f"the bundle's tree of {carried.size}: the log was rewritten after it was "
                                          "published")
            matched.append(f"line {line} (size {size}): consistent (recomputed from the tree's leaves)")
            continue
        if proof is None:
            return Check(name, False, f"{path}, line {line}: the bundle proves nothing about the checkpoint of "
                                      f"{size} events: the deployment's log no longer has it (rewritten or rolled "
                                      "back)")
        if not verify_consistency(size, carried.size, root, carried.root, proof):
            return Check(name, False, f"{path}, line {line}: the checkpoint of {size} events is not a prefix of the "
                                      f"bundle's tree of {carried.size}: the log was rewritten after it was "
                                      "published")
        matched.append(f"line {line} (size {size}): consistent")
    stamped = 0
    for line, found in notes:
        token = note.timestamp_of(found)
        if token is None:
            continue
        said = check_token(token, note.without_timestamp(found).text().encode(), tsa_certs)
        if not said.ok:
            return Check(name, False, f"{path}, line {line}: {said.detail}")
        matched.append(f"line {line}: {said.detail}")
        stamped += 1
    times = f", {stamped} of them time-stamped" if stamped else ""
    return Check(name, True, f"{len(notes)} checkpoints signed by the trusted key for {origin}{times}: "
                             + "; ".join(matched))


def timestamp_check(carried: CarriedLog | None, trusted_der: Sequence[bytes]) -> Check | None:
    """The RFC 3161 time-stamp over the bundle's note, when it carries one."""
    if carried is None or carried.tsa is None:
        return None
    found = check_token(carried.tsa, carried.signed.text().encode(), trusted_der)
    return Check(f"time-stamp of checkpoint (RFC 3161, size {carried.size})", found.ok, found.detail)
