"""Making signed checkpoints of the event log, periodically and before every export.

A new checkpoint is signed only over a log that still agrees with the previous one: the event at
its size still has the hash it signed, every chain's head at that size is still the one it signed
(the Merkle root over them is the same), and every event since links to the one before and hashes
to what it says. A log that was cut short or rewritten is refused, loudly, rather than blessed by a
fresh signature; transcripts exported meanwhile carry the last good checkpoint, and `consult
verify` names what it no longer matches.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from bot.audit.checkpoints import sign
from bot.audit.timestamps import request_token
from bot.clock import Clock, to_iso
from bot.config import Settings
from bot.domain import note
from bot.domain.chain import event_hash
from bot.domain.checkpoint import GENESIS, CheckpointBody, heads_tree
from bot.domain.merkle import Tree
from bot.domain.note import Checkpoint, NoteError, SignedNote
from bot.domain.outbox import MessageKind, Outgoing
from bot.errors import LogTamperedError, RollbackRefusedError, TimestampError
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import unit_of_work
from bot.store import eventmacs, published
from bot.store.db import Database, Tx
from bot.store.keys import KeyStore
from bot.store.repos import checkpoints
from bot.store.repos.checkpoints import StoredCheckpoint

log = logging.getLogger(__name__)
journal_log = logging.getLogger("bot.checkpoints")  # one line per published checkpoint, for the journal


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


@dataclass(frozen=True)
class Publishing:
    """Where a checkpoint goes once signed: its origin line, the append-only file beside the
    database, the auditors' chat, and a time-stamping authority."""

    origin: str | None = None  # None: rapid-consult/<deployment id>
    journal: Path | None = None
    auditors_chat_id: int | None = None
    tsa_url: str | None = None
    context: AppContext | None = None  # whose outbox posts it to the auditors' chat

    @classmethod
    def of(cls, settings: Settings) -> Publishing:
        return cls(settings.checkpoint_origin, published.path_beside(settings.db_path), settings.auditors_chat_id,
                   settings.tsa_url)

    @classmethod
    def for_context(cls, ctx: AppContext) -> Publishing:
        return replace(cls.of(ctx.settings), context=ctx)


def _check_tree(tree: Tree, previous: StoredCheckpoint | None, journal: Path | None) -> None:
    """The tree recomputed from the events must agree with the root last signed in the database and
    with the last note published to the file beside it: the stored state is compared, never used."""
    if previous is not None and previous.note is not None:
        signed = note.parse(previous.note).checkpoint
        if signed.size > tree.size or tree.root(signed.size) != signed.root:
            raise LogTamperedError(f"the events no longer give the tree root checkpoint #{previous.body.number} "
                                   f"signed at size {signed.size} (events rewritten or removed)")
    found = _published_last(journal)
    if found is not None:
        line, witnessed = found
        size = witnessed.checkpoint.size
        if size > tree.size:
            raise RollbackRefusedError(
                f"the log holds {tree.size} events but {journal} (line {line}) published a checkpoint of {size}: "
                f"{ROLLBACK_WAY_OUT}")
        if tree.root(size) != witnessed.checkpoint.root:
            raise LogTamperedError(f"the events no longer give the tree root published at size {size} in {journal} "
                                   f"(line {line}): the log was rewritten. {ROLLBACK_WAY_OUT}")


ROLLBACK_WAY_OUT = (
    "the database was rolled back or its events removed after the checkpoint was published. Restore the newest "
    "backup (`consult db restore FILE`); if this older copy is meant to stand, back it up with `consult db backup "
    "FILE` and restore that with `consult db restore FILE --accept-rollback`, which records the rollback and "
    "publishes a checkpoint that says so")


def _published_last(journal: Path | None) -> tuple[int, SignedNote] | None:
    if journal is None:
        return None
    try:
        return published.last(journal)
    except NoteError as exc:
        raise LogTamperedError(f"{journal} is damaged ({exc}): it is append-only; look at it before going on") from exc


async def check_published(db: Database, journal: Path) -> None:
    """At start: refuse a database whose log is behind, or not the one, the file's last checkpoint."""
    if _published_last(journal) is None:
        return
    async with db.snapshot() as tx:
        tail = await checkpoints.log_tail(tx)
        leaves = await checkpoints.leaf_hashes(tx, 0 if tail is None else tail[0])
    tree = await asyncio.to_thread(Tree, leaves)
    _check_tree(tree, None, journal)


async def make_checkpoint(db: Database, keys: KeyStore, clock: Clock, *, whole_log: bool = True,
                          publishing: Publishing | None = None, extensions: tuple[str, ...] = ()
                          ) -> StoredCheckpoint | None:
    """Sign a checkpoint of the log as it is now, if it grew since the last one; return the latest
    (None while the log is empty). LogTamperedError if the log disagrees with the last one.
    `whole_log`: check every event (hash, links, MAC) first, as `consult checkpoint` does; without
    it (the periodic job, exports) only what follows the last checkpoint, plus the head in keys/.
    The checkpoint also signs the one tree of every event as a note, published at once."""
    publishing = publishing or Publishing()
    async with db.snapshot() as tx:
        previous = await checkpoints.latest(tx)
        tail = await checkpoints.log_tail(tx)
        if tail is None or (previous is not None and previous.body.log_size == tail[0] and not extensions):
            return previous
        if previous is not None:
            await _check_since(tx, previous)
        heads = await checkpoints.heads(tx, tail[0])
        leaves = await checkpoints.leaf_hashes(tx, tail[0])
    tree = await asyncio.to_thread(Tree, leaves)
    if not extensions:
        _check_tree(tree, previous, publishing.journal)
    after = 0 if whole_log or previous is None else previous.body.log_size
    faults = await eventmacs.log_faults(db, keys.keys_dir, after=after)  # keys included, before signing
    if faults:
        raise LogTamperedError(f"{faults[0]} ({len(faults)} faults in the log)")
    root, _ = heads_tree(heads)
    body = CheckpointBody(
        number=1 if previous is None else previous.body.number + 1, at=to_iso(clock.now()), log_size=tail[0],
        log_head=tail[1], heads_root=root, heads=len(heads),
        previous=GENESIS if previous is None else previous.body.digest())
    signing_key = keys.signing_key()
    signature = sign(body, signing_key)
    origin = publishing.origin or note.default_origin(signing_key.public_key())
    signed = note.sign(Checkpoint(origin, tree.size, tree.root(), extensions), signing_key)
    token = await _timestamp(publishing.tsa_url, signed)
    try:
        await _store(db, publishing, body, signature, signed, token)
    except sqlite3.IntegrityError:  # another process signed this number first: theirs stands
        async with db.reading() as tx:
            return await checkpoints.latest(tx)
    log.info("checkpoint #%d signed: %d events", body.number, body.log_size)
    publish(signed if token is None else note.with_timestamp(signed, token), publishing)
    return StoredCheckpoint(body, signature, signed.text(), token)


async def _store(db: Database, publishing: Publishing, body: CheckpointBody, signature: str, signed: SignedNote,
                 token: bytes | None) -> None:
    """The checkpoint, and its post to the auditors' chat in the same transaction: through the
    outbox, so a crash loses none and sends none twice."""
    chat, ctx = publishing.auditors_chat_id, publishing.context
    if chat is None or ctx is None:
        async with db.transaction() as tx:
            await checkpoints.insert(tx, body, signature, origin=signed.checkpoint.origin,
                                     tree_root=signed.checkpoint.root.hex(), note=signed.text(), tsa=token)
        return
    async with unit_of_work(ctx) as uow:
        await checkpoints.insert(uow.tx, body, signature, origin=signed.checkpoint.origin,
                                 tree_root=signed.checkpoint.root.hex(), note=signed.text(), tsa=token)
        shown = signed if token is None else note.with_timestamp(signed, token)  # its time goes with it
        await uow.send(Outgoing.to(MessageKind.CHECKPOINT, (body.number,), chat, "sendMessage",
                                   {"text": shown.text()}))


async def _timestamp(url: str | None, signed: SignedNote) -> bytes | None:
    """An RFC 3161 token over the note, or None (no TSA configured; or it failed: the checkpoint is
    still made and published, since a checkpoint late is worse than one without a time-stamp)."""
    if url is None:
        return None
    try:
        return await request_token(url, signed.text().encode())
    except TimestampError as exc:
        log.error("no time-stamp for the checkpoint: the authority refused or could not be reached (%s)", exc)
        return None


def publish(signed: SignedNote, publishing: Publishing) -> None:
    """Out of the server at once: the append-only file (fsync'd) and the system journal, one line."""
    if publishing.journal is not None:
        published.append(publishing.journal, signed)
    journal_log.info("checkpoint published: %s", json.dumps(signed.text(), ensure_ascii=False))


async def checkpoint_quietly(db: Database, keys: KeyStore, clock: Clock, publishing: Publishing | None = None
                             ) -> StoredCheckpoint | None:
    """For the periodic job, closings and exports: a refused log is logged as an error, never raised."""
    try:
        return await make_checkpoint(db, keys, clock, whole_log=False, publishing=publishing)
    except (LogTamperedError, RollbackRefusedError) as exc:
        log.error("checkpoint refused: the event log no longer matches the last checkpoint: %s", exc)
        return None


_later: set[asyncio.Task[object]] = set()


def checkpoint_later(ctx: AppContext) -> None:
    """A checkpoint as soon as the unit of work that ended a consultation has committed, off the
    caller's path (it reads the whole log's hashes): the after-commit hook of a closing or a cancelling."""
    task: asyncio.Task[object] = asyncio.get_running_loop().create_task(_checkpoint_soon(ctx))
    _later.add(task)
    task.add_done_callback(_later.discard)


async def _checkpoint_soon(ctx: AppContext) -> None:
    try:
        await checkpoint_quietly(ctx.db, ctx.keys, ctx.clock, Publishing.for_context(ctx))
    except Exception as exc:  # the store closing under it (a stop): the next periodic one covers it
        log.warning("checkpoint after a closing not made: %s", type(exc).__name__)


async def settled() -> None:
    """Wait for the checkpoints closings asked for (tests, and a stop that wants them published)."""
    while _later:
        await asyncio.gather(*_later, return_exceptions=True)
