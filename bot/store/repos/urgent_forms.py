"""The guided /urgent form's state, one row per coordinator; its title only as ciphertext."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.store.crypto import DataKey, decrypt_field, encrypt_field, field_aad
from bot.store.db import Tx


@dataclass(frozen=True)
class UrgentForm:
    id: int
    person_key: str
    chat_id: int
    step: str
    title: str | None
    scopes: tuple[str, ...]
    deadline: str | None
    updated_at: datetime | None = None  # when the last step was taken (the confirmation's moment)


def _title_aad(form_id: int) -> bytes:
    return field_aad("urgent_forms", form_id, "title_enc")


async def start(tx: Tx, person_key: str, chat_id: int, now: datetime) -> int:
    """A fresh form, replacing any this person left unfinished."""
    await tx.execute("DELETE FROM urgent_forms WHERE person_key = ?", (person_key,))
    await tx.execute(
        "INSERT INTO urgent_forms (person_key, chat_id, step, updated_at) VALUES (?, ?, 'title', ?)",
        (person_key, chat_id, to_iso(now)),
    )
    return int(await tx.fetchval("SELECT id FROM urgent_forms WHERE person_key = ?", (person_key,)))


async def of_person(tx: Tx, data_key: DataKey, person_key: str) -> UrgentForm | None:
    row = await tx.fetchone("SELECT * FROM urgent_forms WHERE person_key = ?", (person_key,))
    if row is None:
        return None
    form_id = int(row["id"])
    title = None if row["title_enc"] is None else decrypt_field(data_key, bytes(row["title_enc"]), _title_aad(form_id))
    scopes = tuple(s for s in str(row["scopes"]).split("+") if s)
    return UrgentForm(form_id, str(row["person_key"]), int(row["chat_id"]), str(row["step"]), title, scopes,
                      row["deadline"], from_iso(str(row["updated_at"])))


async def update(tx: Tx, data_key: DataKey, form: UrgentForm, now: datetime) -> None:
    title_enc = None if form.title is None else encrypt_field(data_key, form.title, _title_aad(form.id))
    await tx.execute(
        "UPDATE urgent_forms SET step = ?, title_enc = ?, scopes = ?, deadline = ?, updated_at = ? WHERE id = ?",
        (form.step, title_enc, "+".join(form.scopes), form.deadline, to_iso(now), form.id),
    )


async def finish(tx: Tx, form_id: int) -> None:
    await tx.execute("DELETE FROM urgent_forms WHERE id = ?", (form_id,))
