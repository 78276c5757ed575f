"""Making signed checkpoints of the event log, periodically and before every export.

A new checkpoint is signed only over a log that still agrees with the previous one: the event at
its size still has the hash it signed, every chain's head at that size is still the one it signed
(the Merkle root over them is the same), and every event since links to the one before and hashes
to what it says. A log that was cut short or rewritten is refused, loudly, rather than blessed by a
fresh signature; transcripts exported meanwhile carry the last good checkpoint, and `consult
verify` names what it no longer matches.
"""

from __future__ import annotations

import logging
import sqlite3

from bot.audit.checkpoints import sign
from bot.clock import Clock, to_iso
from bot.domain.chain import event_hash
from bot.domain.checkpoint import GENESIS, CheckpointBody, heads_tree
from bot.errors import LogTamperedError
from bot.store import eventmacs
from bot.store.db import Database, Tx
from bot.store.keys import KeyStore
from bot.store.repos import checkpoints
from bot.store.repos.checkpoints import StoredCheckpoint

log = logging.getLogger(__name__)


async def _check_since(tx: Tx, previous: StoredCheckpoint) -> None:
    body = previous.body
    if await checkpoints.event_hash_at(tx, body.log_size) != body.log_head:
        raise LogTamperedError(f"event seq {body.log_size} is no longer the one checkpoint #{body.number} signed "
                               "(events removed or rewritten)")
    root, _ = heads_tree(await checkpoints.heads(tx, body.log_size))
    if root != body.heads_root:
        raise LogTamperedError(f"the chains' heads up to seq {body.log_size} are no longer those checkpoint "
                               f"#{body.number} signed (a consultation's events removed or rewritten)")
    expected_prev, expected_seq = body.log_head, body.log_size + 1
    async for event in checkpoints.events_after(tx, body.log_size):
        if event.seq != expected_seq or event.log_prev_hash != expected_prev:
            raise LogTamperedError(f"event seq {event.seq} does not follow seq {expected_seq - 1} in the log")
        if event_hash(event.hashed_content()) != event.hash:
            raise LogTamperedError(f"event seq {event.seq} does not hash to what it says (altered)")
        expected_prev, expected_seq = event.hash, expected_seq + 1


async def make_checkpoint(db: Database, keys: KeyStore, clock: Clock, *, whole_log: bool = True
                          ) -> StoredCheckpoint | None:
    """Sign a checkpoint of the log as it is now, if it grew since the last one; return the latest
    (None while the log is empty). LogTamperedError if the log disagrees with the last one.
    `whole_log`: check every event (hash, links, MAC) first, as `consult checkpoint` does; without
    it (the periodic job, exports) only what follows the last checkpoint, plus the head in keys/."""
    async with db.snapshot() as tx:
        previous = await checkpoints.latest(tx)
        tail = await checkpoints.log_tail(tx)
        if tail is None or (previous is not None and previous.body.log_size == tail[0]):
            return previous
        if previous is not None:
            await _check_since(tx, previous)
        heads = await checkpoints.heads(tx, tail[0])
    after = 0 if whole_log or previous is None else previous.body.log_size
    faults = await eventmacs.log_faults(db, keys.keys_dir, after=after)  # keys included, before signing
    if faults:
        raise LogTamperedError(f"{faults[0]} ({len(faults)} faults in the log)")
    root, _ = heads_tree(heads)
    body = CheckpointBody(
        number=1 if previous is None else previous.body.number + 1, at=to_iso(clock.now()), log_size=tail[0],
        log_head=tail[1], heads_root=root, heads=len(heads),
        previous=GENESIS if previous is None else previous.body.digest())
    signature = sign(body, keys.signing_key())
    try:
        async with db.transaction() as tx:
            await checkpoints.insert(tx, body, signature)
    except sqlite3.IntegrityError:  # another process signed this number first: theirs stands
        async with db.reading() as tx:
            return await checkpoints.latest(tx)
    log.info("checkpoint #%d signed: %d events", body.number, body.log_size)
    return StoredCheckpoint(body, signature)


async def checkpoint_quietly(db: Database, keys: KeyStore, clock: Clock) -> StoredCheckpoint | None:
    """For the periodic job and exports: a refused log is logged as an error, never raised."""
    try:
        return await make_checkpoint(db, keys, clock, whole_log=False)
    except LogTamperedError as exc:
        log.error("checkpoint refused: the event log no longer matches the last checkpoint: %s", exc)
        return None

