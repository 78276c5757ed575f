"""The reads an export makes, streamed in batches so that a consultation of any size is exported
with memory that does not grow with it."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.chain import Event
from bot.errors import KeyInvalidError
from bot.store.crypto import DataKey, decrypt_field
from bot.store.db import Tx
from bot.store.events import row_to_event
from bot.store.repos.consultations import message_aad

BATCH = 2000


@dataclass(frozen=True)
class Named:
    name: str
    agency: str


async def consultation_exists(tx: Tx, consultation_id: int) -> bool:
    return await tx.fetchval("SELECT 1 FROM consultations WHERE id = ?", (consultation_id,)) is not None


async def events_of_types(tx: Tx, consultation_id: int, types: Sequence[str]) -> list[Event]:
    marks = ", ".join("?" for _ in types)
    rows = await tx.fetchall(
        f"SELECT * FROM events WHERE consultation_id = ? AND type IN ({marks}) ORDER BY seq",  # noqa: S608
        (consultation_id, *types))
    return [row_to_event(row) for row in rows]


async def iter_events(tx: Tx, consultation_id: int, types: Sequence[str] = ()) -> AsyncIterator[Event]:
    """The consultation's events in order (only those of `types`, if given)."""
    marks = ", ".join("?" for _ in types)
    only = f" AND type IN ({marks})" if types else ""
    after = 0
    while True:
        rows = await tx.fetchall(
            f"SELECT * FROM events WHERE consultation_id = ? AND seq > ?{only} ORDER BY seq LIMIT ?",  # noqa: S608
            (consultation_id, after, *types, BATCH))
        if not rows:
            return
        for row in rows:
            yield row_to_event(row)
        after = int(rows[-1]["seq"])


async def participant_rows(tx: Tx, consultation_id: int) -> list[dict[str, Any]]:
    rows = await tx.fetchall(
        "SELECT pa.*, p.name, a.name AS agency,"
        " (SELECT group_concat(role, ' ') FROM (SELECT role FROM person_roles r WHERE r.person_key = p.key"
        "  ORDER BY role) AS held) AS roles"
        " FROM participants pa JOIN people p ON p.key = pa.person_key JOIN agencies a ON a.key = p.agency_key"
        " WHERE pa.consultation_id = ? ORDER BY pa.person_key",
        (consultation_id,),
    )
    return [dict(row) for row in rows]


async def people_named(tx: Tx, consultation_id: int, also: str | None = None) -> dict[str, Named]:
    """Name and agency, as the roster now has them, of everyone the consultation's records name
    (and of `also`, the exporter)."""
    rows = await tx.fetchall(
        "SELECT p.key, p.name, a.name AS agency FROM people p JOIN agencies a ON a.key = p.agency_key"
        " WHERE p.key IN (SELECT actor FROM events WHERE consultation_id = ?"
        " UNION SELECT person_key FROM participants WHERE consultation_id = ?"
        " UNION SELECT responded_by FROM participants WHERE consultation_id = ?"
        " UNION SELECT person_key FROM messages WHERE consultation_id = ?"
        " UNION SELECT opened_by FROM consultations WHERE id = ?) OR p.key = ? ORDER BY p.key",
        (consultation_id, consultation_id, consultation_id, consultation_id, consultation_id, also))
    return {str(r["key"]): Named(str(r["name"]), str(r["agency"])) for r in rows}


async def message_count(tx: Tx, consultation_id: int) -> int:
    return int(await tx.fetchval("SELECT count(*) FROM messages WHERE consultation_id = ?", (consultation_id,)))


async def iter_messages(tx: Tx, data_key: DataKey | None, consultation_id: int) -> AsyncIterator[dict[str, Any]]:
    """Each message as stored, its text opened (None when the guard blocked it, or with no data key:
    a shredded consultation's). A text that no longer opens — its row's author or time was changed,
    or the ciphertext — is exported without it and marked `unreadable`, so that the auditor is told
    rather than the export failing."""
    after = 0
    while True:
        rows = await tx.fetchall(
            "SELECT m.*, p.name AS sender_name, a.name AS sender_agency FROM messages m"
            " LEFT JOIN people p ON p.key = m.person_key LEFT JOIN agencies a ON a.key = p.agency_key"
            " WHERE m.consultation_id = ? AND m.id > ? ORDER BY m.id LIMIT ?",
            (consultation_id, after, BATCH))
        if not rows:
            return
        for r in rows:
            unreadable = False
            try:
                text = None if r["body_enc"] is None or data_key is None else decrypt_field(
                    data_key, bytes(r["body_enc"]), message_aad(r))
            except KeyInvalidError:
                text, unreadable = None, True
            message = {
                "id": int(r["id"]), "at": r["at"], "from": r["person_key"], "from_name": r["sender_name"],
                "from_agency": r["sender_agency"], "kind": r["kind"], "source": r["source"],
                "guard_action": r["guard_action"], "guard_level": r["guard_level"],
                "content_hmac": r["content_hmac"], "text": text,
                "text_sha256": None if text is None else hashlib.sha256(text.encode()).hexdigest(),
            }
            if unreadable:
                message["unreadable"] = True
            yield message
        after = int(rows[-1]["id"])
