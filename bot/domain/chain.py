"""The hash chain of events: how an event's hash is computed and how a chain is checked.

Two chains run through the same rows. `prev_hash` links the events of one consultation (or, for
events that belong to none, the deployment's own events), so an exported transcript can be
checked on its own; `log_prev_hash` links every event of the deployment in order, so a deleted
consultation is noticed too. Each hash covers the event's canonical JSON (RFC 8785), both links
included. Events never hold message content: only ids and keyed hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.canonical import canonical

LOG_GENESIS = "0" * 64


def chain_genesis(consultation_id: int | None) -> str:
    label = "deployment" if consultation_id is None else f"consultation/{consultation_id}"
    return hashlib.sha256(f"rapid-consult/{label}".encode()).hexdigest()


@dataclass(frozen=True)
class Event:
    seq: int
    at: str  # ISO 8601, UTC, e.g. 2026-11-23T03:40:00.000000Z
    consultation_id: int | None
    type: str
    actor: str | None
    data: Mapping[str, Any]
    prev_hash: str
    log_prev_hash: str
    hash: str
    mac: str | None = None  # HMAC of `hash` under the deployment's event key (keys/), never exported

    def hashed_content(self) -> dict[str, Any]:
        return hashed_content(
            self.seq, self.at, self.consultation_id, self.type, self.actor, self.data,
            self.prev_hash, self.log_prev_hash,
        )

    def as_json(self) -> dict[str, Any]:
        return {**self.hashed_content(), "hash": self.hash}


def hashed_content(
    seq: int,
    at: str,
    consultation_id: int | None,
    event_type: str,
    actor: str | None,
    data: Mapping[str, Any],
    prev_hash: str,
    log_prev_hash: str,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at,
        "consultation_id": consultation_id,
        "type": event_type,
        "actor": actor,
        "data": dict(data),
        "prev_hash": prev_hash,
        "log_prev_hash": log_prev_hash,
    }


def event_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(dict(content))).hexdigest()


def event_mac(key: bytes, seq: int, digest: str) -> str:
    """The MAC that vouches for an event: its hash and its place in the log, under a key the
    database does not hold, so a database-only writer cannot make a rewritten event look genuine."""
    return hmac.new(key, f"rapid-consult/event/{seq}/{digest}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainFault:
    seq: int | None
    field: str
    problem: str

    def __str__(self) -> str:
        where = f"event seq {self.seq}" if self.seq is not None else "event chain"
        return f"{where}: {self.field}: {self.problem}"


def check_consultation_chain(events: Iterable[Event], consultation_id: int | None) -> list[ChainFault]:
    """Check that events form one unbroken chain from the consultation's genesis, in order."""
    faults: list[ChainFault] = []
    expected_prev = chain_genesis(consultation_id)
    last_seq: int | None = None
    for event in events:
        if event.consultation_id != consultation_id:
            faults.append(ChainFault(event.seq, "consultation_id", f"belongs to {event.consultation_id}"))
        recomputed = event_hash(event.hashed_content())
        if recomputed != event.hash:
            faults.append(ChainFault(event.seq, "hash", "does not match the event's content (altered)"))
        if event.prev_hash != expected_prev:
            faults.append(
                ChainFault(event.seq, "prev_hash", "does not link to the previous event (removed or reordered)")
            )
        if last_seq is not None and event.seq <= last_seq:
            faults.append(ChainFault(event.seq, "seq", f"not after seq {last_seq} (reordered)"))
        expected_prev = event.hash
        last_seq = event.seq
    return faults


def check_log(events: Iterable[Event], mac_key: bytes | None = None) -> list[ChainFault]:
    """Check the whole deployment's log: every hash, the log links, and each consultation's chain;
    with `mac_key`, also every event's MAC (a missing one is a fault: see migration 0010)."""
    faults: list[ChainFault] = []
    expected_log_prev = LOG_GENESIS
    by_consultation: dict[int | None, list[Event]] = {}
    for event in events:
        if mac_key is not None and (
            event.mac is None or not hmac.compare_digest(event.mac, event_mac(mac_key, event.seq, event.hash))
        ):
            faults.append(ChainFault(event.seq, "mac", "missing or not made with the deployment's event key "
                                                       "(written or rewritten outside the bot)"))
        if event.log_prev_hash != expected_log_prev:
            faults.append(ChainFault(event.seq, "log_prev_hash", "does not link to the previous event of the log"))
        expected_log_prev = event.hash
        by_consultation.setdefault(event.consultation_id, []).append(event)
    for consultation_id, chain in by_consultation.items():
        faults.extend(check_consultation_chain(chain, consultation_id))
    return faults
