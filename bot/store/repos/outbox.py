"""The persistent outbox: every message the bot sends is queued here first, in the transaction of
the change that causes it, under a de-duplication key. A crash between the change and the send
loses nothing; the worker picks the row up after restart. Payloads hold user text, so they are
sealed with the owning consultation's data key like everything else. What a row is (its kind,
consultation, person, attempt, what it waits for) is kept in columns (bot/domain/outbox.py): the
key is only the exactly-once key, and nothing reads meaning out of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_iso, to_iso
from bot.domain.outbox import Dependency, MessageKind, Outgoing
from bot.store.crypto import DataKey, decrypt_field, encrypt_field, field_aad
from bot.store.db import Tx


@dataclass(frozen=True)
class OutboxItem:
    id: int
    dedup_key: str
    key_owner: int
    chat_id: int
    method: str
    payload_enc: bytes
    attempts: int  # tries at sending it (not to be confused with `attempt`)
    not_before: datetime
    kind: MessageKind | None = None  # None: a row of no known kind, whose delivery means nothing more
    consultation_id: int | None = None
    person_key: str | None = None
    for_person_key: str | None = None
    attempt: int | None = None
    depends_on: Dependency | None = None

    def payload(self, data_key: DataKey) -> dict[str, Any]:
        opened = decrypt_field(data_key, self.payload_enc, field_aad("outbox", self.id, "payload"))
        result: dict[str, Any] = json.loads(opened)
        return result


async def enqueue(
    tx: Tx,
    data_key: DataKey,
    *,
    dedup_key: str,
    chat_id: int,
    method: str,
    payload: dict[str, Any],
    not_before: datetime,
) -> bool:
    """Queue one call of no particular kind; False if a call with this de-duplication key was
    queued before. (The application queues `Outgoing` records through its unit of work.)"""
    return await insert_if_new(tx, await sealed_row(
        tx, data_key, dedup_key=dedup_key, chat_id=chat_id, method=method, payload=payload, not_before=not_before))


async def insert(tx: Tx, row: tuple[Any, ...]) -> None:
    """Queue a sealed call; one queued before under its key stays as it is. Nothing waits for an
    answer, so in a write transaction it travels with the next statement (see bot.store.trips)."""
    await tx.execute(_INSERT_IF_NEW, row)


async def insert_unless_waiting(tx: Tx, row: tuple[Any, ...], prefix: str) -> None:
    """Queue a sealed call under `prefix` and the next number, unless a call under that prefix is
    still pending. One statement that answers nothing, so it travels with the COMMIT."""
    if not prefix.endswith(":"):
        raise ValueError("a numbered prefix ends with ':'")
    bounds = (prefix, prefix[:-1] + ";")  # a range on the unique index (';' sorts right after ':')
    await tx.execute(_INSERT_NUMBERED_UNLESS_WAITING, (row[0], prefix, *bounds, *row[2:], *bounds))


async def insert_if_new(tx: Tx, row: tuple[Any, ...]) -> bool:
    """Queue a sealed call; False if one was queued before under its key."""
    return await tx.execute_rowcount(_INSERT_IF_NEW, row) == 1


_COLUMNS = ("id, dedup_key, key_owner, chat_id, method, payload_enc, not_before, created_at,"
            " kind, consultation_id, person_key, for_person_key, attempt, depends_on")
_INSERT_INTO = f"INSERT INTO outbox ({_COLUMNS})"
_INSERT = f"{_INSERT_INTO} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_IF_NEW = f"{_INSERT} ON CONFLICT (dedup_key) DO NOTHING"
# Built from constants only; every value is bound.
_INSERT_NUMBERED_UNLESS_WAITING = (
    f"{_INSERT_INTO} SELECT ?, ? || (SELECT count(*) + 1 FROM outbox WHERE dedup_key >= ? AND dedup_key < ?),"  # noqa: S608
    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
    " WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE dedup_key >= ? AND dedup_key < ? AND state = 'pending')")


async def sealed_row(
    tx: Tx,
    data_key: DataKey,
    *,
    dedup_key: str,
    chat_id: int,
    method: str,
    payload: dict[str, Any],
    not_before: datetime,
    message: Outgoing | None = None,
) -> tuple[Any, ...]:
    """A row for `insert`, `insert_if_new` or `insert_new`: its id allocated, its payload sealed
    under that id; its kind and subject from `message` (the record it is, or a part of)."""
    item_id = await tx.next_id("outbox")
    sealed = encrypt_field(data_key, json.dumps(payload, ensure_ascii=False), field_aad("outbox", item_id, "payload"))
    typed: tuple[Any, ...] = (None,) * 6 if message is None else (
        message.kind.value, message.consultation_id or None, message.person_key, message.for_person_key,
        message.attempt, None if message.depends_on is None else message.depends_on.value)
    return (item_id, dedup_key, data_key.owner, chat_id, method, sealed, to_iso(not_before), to_iso(not_before),
            *typed)


async def insert_new(tx: Tx, rows: list[tuple[Any, ...]]) -> None:
    """Queue calls whose keys cannot exist yet (they name a consultation made in this
    transaction), in one statement. A key that does exist is an error, not a silent skip."""
    if rows:
        await tx.executemany(_INSERT, rows)


async def due(tx: Tx, now: datetime, limit: int = 100) -> list[OutboxItem]:
    """Rows due now: deletions first (a blocked post must never wait behind a backlog), then in id order."""
    rows = await tx.fetchall(
        "SELECT id, dedup_key, key_owner, chat_id, method, payload_enc, attempts, not_before, kind, consultation_id,"
        " person_key, for_person_key, attempt, depends_on FROM outbox"
        " WHERE state = 'pending' AND not_before <= ? ORDER BY method = 'deleteMessage' DESC, id LIMIT ?",
        (to_iso(now), limit),
    )
    return [
        OutboxItem(
            int(r["id"]), str(r["dedup_key"]), int(r["key_owner"]), int(r["chat_id"]), str(r["method"]),
            bytes(r["payload_enc"]), int(r["attempts"]), from_iso(r["not_before"]), _kind(r["kind"]),
            _int(r["consultation_id"]), r["person_key"], r["for_person_key"], _int(r["attempt"]),
            None if r["depends_on"] is None else Dependency(r["depends_on"]),
        )
        for r in rows
    ]


def _kind(value: str | None) -> MessageKind | None:
    return MessageKind(value) if value in _KINDS else None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


_KINDS = frozenset(kind.value for kind in MessageKind)


async def next_due_at(tx: Tx) -> datetime | None:
    value = await tx.fetchval("SELECT min(not_before) FROM outbox WHERE state = 'pending'")
    return None if value is None else from_iso(value)


async def mark_sent(tx: Tx, item_id: int, at: datetime, result_message_id: int | None) -> None:
    await tx.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?, result_message_id = ?, attempts = attempts + 1"
        " WHERE id = ?",
        (to_iso(at), result_message_id, item_id),
    )


async def mark_retry(tx: Tx, item_id: int, not_before: datetime, error: str) -> None:
    await tx.execute(
        "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE id = ?",
        (to_iso(not_before), error[:200], item_id),
    )


async def postpone(tx: Tx, item_id: int, not_before: datetime, reason: str) -> None:
    """Try a row again later without counting an attempt (a 429, a dependency not sent yet)."""
    await tx.execute("UPDATE outbox SET not_before = ?, last_error = ? WHERE id = ?",
                     (to_iso(not_before), reason, item_id))


async def mark_failed(tx: Tx, item_id: int, error: str) -> None:
    await tx.execute(
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error[:200], item_id),
    )


async def pending_count(tx: Tx) -> int:
    return int(await tx.fetchval("SELECT count(*) FROM outbox WHERE state = 'pending'"))


async def result_message_id(tx: Tx, dedup_key: str) -> int | None:
    value = await tx.fetchval("SELECT result_message_id FROM outbox WHERE dedup_key = ?", (dedup_key,))
    return None if value is None else int(value)


async def sent_as(tx: Tx, kind: str, chat_id: int, message_id: int) -> tuple[int, str, str | None] | None:
    """(consultation, to whom, for whom) of the message of `kind` the bot sent as `message_id` in
    `chat_id`: a press on it or a reply to it is checked against what the bot itself sent."""
    row = await tx.fetchone(
        "SELECT consultation_id, person_key, for_person_key FROM outbox WHERE kind = ? AND chat_id = ?"
        " AND result_message_id = ? AND state = 'sent' ORDER BY id DESC LIMIT 1", (kind, chat_id, message_id))
    if row is None or row["consultation_id"] is None or row["person_key"] is None:
        return None
    return int(row["consultation_id"]), str(row["person_key"]), row["for_person_key"]


async def state_of(tx: Tx, dedup_key: str) -> str | None:
    """'pending', 'sent' or 'failed'; None if no row has that key."""
    value = await tx.fetchval("SELECT state FROM outbox WHERE dedup_key = ?", (dedup_key,))
    return None if value is None else str(value)


async def about_to_go(tx: Tx, dedup_key: str, now: datetime) -> bool:
    """Whether that call is due now and not yet tried: worth a moment's wait, unlike one that
    failed, or waits out a back-off or Telegram's flood limit."""
    value = await tx.fetchval("SELECT attempts FROM outbox WHERE dedup_key = ? AND state = 'pending'"
                              " AND not_before <= ?", (dedup_key, to_iso(now)))
    return value is not None and int(value) == 0


async def withdraw(tx: Tx, dedup_key: str, reason: str) -> tuple[int, int] | None:
    """Take back a call: if it still waits, it will never leave (failed, with `reason`); if it left,
    (its chat, the message it made) so that message can be deleted. None when nothing went."""
    row = await tx.fetchone("SELECT chat_id, state, result_message_id FROM outbox WHERE dedup_key = ?", (dedup_key,))
    if row is None:
        return None
    if row["state"] == "pending":
        await tx.execute("UPDATE outbox SET state = 'failed', last_error = ? WHERE dedup_key = ? AND state = 'pending'",
                         (reason, dedup_key))
        return None
    if row["state"] == "sent" and row["result_message_id"] is not None:
        return int(row["chat_id"]), int(row["result_message_id"])
    return None


async def fail_pending(tx: Tx, key_owner: int, reason: str) -> None:
    """Give up every call still waiting under this owner's data key (retention destroyed the key:
    they can no longer be opened, let alone sent); `reason` is kept as their last error."""
    await tx.execute("UPDATE outbox SET state = 'failed', last_error = ? WHERE key_owner = ? AND state = 'pending'",
                     (reason, key_owner))


async def invitations_queued(tx: Tx, consultation_id: int, person_key: str) -> int:
    """How many invitations to this consultation were queued for this person: attempts so far."""
    return int(await tx.fetchval(
        "SELECT count(*) FROM outbox WHERE kind = 'invite' AND consultation_id = ? AND person_key = ?",
        (consultation_id, person_key)))  # the kind written out: so the partial index outbox_invitations serves
