"""Consultations, their participants and their messages; user-written fields stay encrypted.

Rows are written with `aad_version` 2: each sealed field's associated data binds the row's author
and time (`bot.store.crypto.row_aad`). Rows of version 1, written before schema 0004, open with
the associated data they were sealed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import Clock, from_iso, to_iso
from bot.domain.consultation import Consultation, Kind, Position, State
from bot.errors import NotFoundError
from bot.store.crypto import DataKey, aad_for, decrypt_field, encrypt_field, row_aad
from bot.store.datakeys import create_data_key, load_data_key
from bot.store.db import Tx
from bot.store.keys import KeyStore


@dataclass(frozen=True)
class ConsultationRecord:
    consultation: Consultation
    description: str | None
    chat_id: int | None
    thread_id: int | None
    status_message_id: int | None
    outcome: str | None


@dataclass(frozen=True)
class Participant:
    consultation_id: int
    person_key: str
    position: Position | None
    responded_at: datetime | None
    responded_by: str | None
    late: bool
    invited_at: datetime
    reachable: bool
    # The invitation the invitee received themselves (None: not yet, or it went to a stand-in).
    invitation_message_id: int | None = None
    # The alternate who received the invitation while the invitee was away (None: the invitee did).
    invited_via: str | None = None


@dataclass(frozen=True)
class StoredMessage:
    id: int
    consultation_id: int
    person_key: str | None
    at: datetime
    kind: str
    source: str
    text: str | None  # None when the guard blocked it
    guard_action: str
    guard_level: str | None


def _opt_time(value: str | None) -> datetime | None:
    return None if value is None else from_iso(value)


async def create(
    tx: Tx,
    keys: KeyStore,
    clock: Clock,
    *,
    title: str,
    scopes: tuple[str, ...],
    opened_by: str,
    deadline_at: datetime,
    invitees: list[str],
    description: str | None = None,
    kind: Kind = Kind.CONSULTATION,
) -> tuple[ConsultationRecord, DataKey]:
    """Create consultation #N with its own data key and its participants, in the caller's transaction."""
    consultation_id = await tx.next_id("consultations")
    data_key = await create_data_key(tx, keys, clock, consultation_id)
    now = clock.now()
    opened_at = to_iso(now)

    def aad(column: str) -> bytes:
        return row_aad("consultations", consultation_id, column, opened_by, opened_at)

    title_enc = encrypt_field(data_key, title, aad("title"))
    description_enc = None if description is None else encrypt_field(data_key, description, aad("description"))
    await tx.execute(
        "INSERT INTO consultations (id, title_enc, description_enc, scopes, opened_by, opened_at, deadline_at, state,"
        " aad_version, kind) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', 2, ?)",
        (consultation_id, title_enc, description_enc, "+".join(scopes), opened_by, opened_at, to_iso(deadline_at),
         kind.value),
    )
    await tx.executemany(
        "INSERT INTO participants (consultation_id, person_key, invited_at) VALUES (?, ?, ?)",
        [(consultation_id, key, to_iso(now)) for key in invitees],
    )
    consultation = Consultation(consultation_id, title, scopes, opened_by, now, deadline_at, kind=kind)
    return ConsultationRecord(consultation, description, None, None, None, None), data_key


def consultation_aad(row: aiosqlite.Row, column: str) -> bytes:
    """The associated data of a consultation row's sealed `column` (title, description, outcome)."""
    return aad_for(int(row["aad_version"]), "consultations", int(row["id"]), column, row["opened_by"],
                   row["opened_at"])


def message_aad(row: aiosqlite.Row) -> bytes:
    """The associated data of a message row's body."""
    return aad_for(int(row["aad_version"]), "messages", int(row["id"]), "body", row["person_key"], row["at"])


def _decrypt_opt(data_key: DataKey, blob: bytes | None, row: aiosqlite.Row, column: str) -> str | None:
    if blob is None:
        return None
    return decrypt_field(data_key, bytes(blob), consultation_aad(row, column))


def _record(row: aiosqlite.Row, data_key: DataKey) -> ConsultationRecord:
    consultation_id = int(row["id"])
    consultation = Consultation(
        id=consultation_id,
        title=decrypt_field(data_key, bytes(row["title_enc"]), consultation_aad(row, "title")),
        scopes=tuple(str(row["scopes"]).split("+")),
        opened_by=str(row["opened_by"]),
        opened_at=from_iso(row["opened_at"]),
        deadline_at=from_iso(row["deadline_at"]),
        state=State(row["state"]),
        closed_at=_opt_time(row["closed_at"]),
        kind=Kind(row["kind"]),
    )
    return ConsultationRecord(
        consultation,
        _decrypt_opt(data_key, row["description_enc"], row, "description"),
        row["chat_id"],
        row["thread_id"],
        row["status_message_id"],
        _decrypt_opt(data_key, row["outcome_enc"], row, "outcome"),
    )


async def get(tx: Tx, keys: KeyStore, consultation_id: int) -> tuple[ConsultationRecord, DataKey]:
    row = await tx.fetchone("SELECT * FROM consultations WHERE id = ?", (consultation_id,))
    if row is None:
        raise NotFoundError(f"no consultation #{consultation_id}", consultation=consultation_id)
    data_key = await load_data_key(tx, keys, consultation_id)
    return _record(row, data_key), data_key


async def without_content(tx: Tx, consultation_id: int) -> Consultation:
    """What a consultation's row says beyond its texts (for a shredded one, whose texts cannot be
    opened any more): its title is left empty."""
    row = await tx.fetchone("SELECT * FROM consultations WHERE id = ?", (consultation_id,))
    if row is None:
        raise NotFoundError(f"no consultation #{consultation_id}", consultation=consultation_id)
    return Consultation(id=int(row["id"]), title="", scopes=tuple(str(row["scopes"]).split("+")),
                        opened_by=str(row["opened_by"]), opened_at=from_iso(row["opened_at"]),
                        deadline_at=from_iso(row["deadline_at"]), state=State(row["state"]),
                        closed_at=_opt_time(row["closed_at"]), kind=Kind(row["kind"]))


async def exists(tx: Tx, consultation_id: int) -> bool:
    """Whether a consultation of this number was ever opened (shredded ones too), without opening it."""
    return await tx.fetchval("SELECT 1 FROM consultations WHERE id = ?", (consultation_id,)) is not None


async def ids_in_state(tx: Tx, state: State) -> list[int]:
    return [int(r[0]) for r in await tx.fetchall("SELECT id FROM consultations WHERE state = ? ORDER BY id", (state,))]


async def save_state(tx: Tx, consultation: Consultation) -> None:
    await tx.execute(
        "UPDATE consultations SET state = ?, closed_at = ?, deadline_at = ? WHERE id = ?",
        (
            consultation.state.value,
            None if consultation.closed_at is None else to_iso(consultation.closed_at),
            to_iso(consultation.deadline_at),
            consultation.id,
        ),
    )


async def save_outcome(tx: Tx, data_key: DataKey, consultation_id: int, outcome: str) -> None:
    row = await tx.fetchone("SELECT id, aad_version, opened_by, opened_at FROM consultations WHERE id = ?",
                            (consultation_id,))
    if row is None:
        raise NotFoundError(f"no consultation #{consultation_id}", consultation=consultation_id)
    blob = encrypt_field(data_key, outcome, consultation_aad(row, "outcome"))
    await tx.execute("UPDATE consultations SET outcome_enc = ? WHERE id = ?", (blob, consultation_id))


async def set_thread(tx: Tx, consultation_id: int, chat_id: int, thread_id: int) -> None:
    await tx.execute(
        "UPDATE consultations SET chat_id = ?, thread_id = ? WHERE id = ?", (chat_id, thread_id, consultation_id)
    )


async def set_status_message(tx: Tx, consultation_id: int, message_id: int) -> None:
    await tx.execute("UPDATE consultations SET status_message_id = ? WHERE id = ?", (message_id, consultation_id))


async def thread_of(tx: Tx, consultation_id: int) -> int | None:
    """The consultation's topic; None until its creation is recorded."""
    value = await tx.fetchval("SELECT thread_id FROM consultations WHERE id = ?", (consultation_id,))
    return None if value is None else int(value)


async def status_message_of(tx: Tx, consultation_id: int) -> int | None:
    """The consultation's pinned card; None until it is posted."""
    value = await tx.fetchval("SELECT status_message_id FROM consultations WHERE id = ?", (consultation_id,))
    return None if value is None else int(value)


async def chat_of(tx: Tx, consultation_id: int) -> int | None:
    """The group the consultation's topic is in; None until the topic exists."""
    value = await tx.fetchval("SELECT chat_id FROM consultations WHERE id = ?", (consultation_id,))
    return None if value is None else int(value)


async def by_thread(tx: Tx, chat_id: int, thread_id: int) -> int | None:
    value = await tx.fetchval(
        "SELECT id FROM consultations WHERE chat_id = ? AND thread_id = ?", (chat_id, thread_id)
    )
    return None if value is None else int(value)


# -- participants ----------------------------------------------------------------------------


def _participant(row: aiosqlite.Row) -> Participant:
    return Participant(
        consultation_id=int(row["consultation_id"]),
        person_key=str(row["person_key"]),
        position=None if row["position"] is None else Position(row["position"]),
        responded_at=_opt_time(row["responded_at"]),
        responded_by=row["responded_by"],
        late=bool(row["late"]),
        invited_at=from_iso(row["invited_at"]),
        reachable=bool(row["reachable"]),
        invitation_message_id=row["invitation_message_id"],
        invited_via=row["invited_via"],
    )


async def participants(tx: Tx, consultation_id: int) -> list[Participant]:
    rows = await tx.fetchall(
        "SELECT pa.* FROM participants pa JOIN people p ON p.key = pa.person_key"
        " WHERE pa.consultation_id = ? ORDER BY p.rowid",
        (consultation_id,),
    )
    return [_participant(r) for r in rows]


async def participant(tx: Tx, consultation_id: int, person_key: str) -> Participant | None:
    row = await tx.fetchone(
        "SELECT * FROM participants WHERE consultation_id = ? AND person_key = ?", (consultation_id, person_key)
    )
    return None if row is None else _participant(row)


async def open_pending_of(tx: Tx, person_key: str) -> list[int]:
    """Open consultations in which `person_key` is invited and has not answered, oldest first."""
    rows = await tx.fetchall(
        "SELECT pa.consultation_id FROM participants pa JOIN consultations c ON c.id = pa.consultation_id"
        " WHERE pa.person_key = ? AND pa.position IS NULL AND c.state = ? ORDER BY c.id",
        (person_key, State.OPEN.value))
    return [int(r[0]) for r in rows]


async def record_answer(
    tx: Tx, consultation_id: int, person_key: str, position: Position, at: datetime, late: bool, responded_by: str
) -> None:
    await tx.execute(
        "UPDATE participants SET position = ?, responded_at = ?, late = ?, responded_by = ?"
        " WHERE consultation_id = ? AND person_key = ?",
        (position.value, to_iso(at), int(late), responded_by, consultation_id, person_key),
    )


async def set_reachable(tx: Tx, consultation_id: int, person_key: str, reachable: bool) -> None:
    await tx.execute(
        "UPDATE participants SET reachable = ? WHERE consultation_id = ? AND person_key = ?",
        (int(reachable), consultation_id, person_key),
    )


async def set_invited_via(tx: Tx, consultation_id: int, person_key: str, alternate_key: str | None) -> None:
    """Who received the invitee's invitation in their stead (None: the invitee has their own)."""
    await tx.execute("UPDATE participants SET invited_via = ? WHERE consultation_id = ? AND person_key = ?",
                     (alternate_key, consultation_id, person_key))


async def invited_via_others(tx: Tx, person_key: str) -> list[int]:
    """Open consultations whose invitation for `person_key` went to a stand-in and who has not answered."""
    rows = await tx.fetchall(
        "SELECT pa.consultation_id FROM participants pa JOIN consultations c ON c.id = pa.consultation_id"
        " WHERE pa.person_key = ? AND pa.invited_via IS NOT NULL AND pa.position IS NULL AND c.state = ?"
        " ORDER BY c.id", (person_key, State.OPEN.value))
    return [int(r[0]) for r in rows]


async def set_invitation_message(tx: Tx, consultation_id: int, person_key: str, message_id: int) -> None:
    """The invitation reached its invitee: the message a reply to is a comment, and reachable again."""
    await tx.execute(
        "UPDATE participants SET invitation_message_id = ?, reachable = 1 WHERE consultation_id = ? AND person_key = ?",
        (message_id, consultation_id, person_key),
    )


# -- messages --------------------------------------------------------------------------------


async def add_message(
    tx: Tx,
    data_key: DataKey,
    *,
    consultation_id: int,
    person_key: str | None,
    at: datetime,
    kind: str,
    source: str,
    text: str | None,
    guard_action: str,
    guard_level: str | None = None,
    content_hmac: str | None = None,
    telegram_chat_id: int | None = None,
    telegram_message_id: int | None = None,
) -> int:
    """Store a message. `text` must already be what the guard allows (redacted) or None if blocked."""
    message_id = await tx.next_id("messages")
    at_iso = to_iso(at)
    body_enc = None if text is None else encrypt_field(
        data_key, text, row_aad("messages", message_id, "body", person_key, at_iso))
    await tx.execute(
        "INSERT INTO messages (id, consultation_id, person_key, at, kind, source, body_enc, guard_action,"
        " guard_level, content_hmac, telegram_chat_id, telegram_message_id, aad_version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 2)",
        (message_id, consultation_id, person_key, at_iso, kind, source, body_enc, guard_action, guard_level,
         content_hmac, telegram_chat_id, telegram_message_id),
    )
    return message_id


async def messages(tx: Tx, data_key: DataKey, consultation_id: int) -> list[StoredMessage]:
    rows = await tx.fetchall("SELECT * FROM messages WHERE consultation_id = ? ORDER BY id", (consultation_id,))
    return [
        StoredMessage(
            id=int(r["id"]),
            consultation_id=consultation_id,
            person_key=r["person_key"],
            at=from_iso(r["at"]),
            kind=str(r["kind"]),
            source=str(r["source"]),
            text=None
            if r["body_enc"] is None
            else decrypt_field(data_key, bytes(r["body_enc"]), message_aad(r)),
            guard_action=str(r["guard_action"]),
            guard_level=r["guard_level"],
        )
        for r in rows
    ]


async def data_key_for(tx: Tx, keys: KeyStore, consultation_id: int) -> DataKey:
    return await load_data_key(tx, keys, consultation_id)
