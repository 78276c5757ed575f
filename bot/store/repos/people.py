"""Agencies, people, their roles, and the binding of a Telegram account to a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import from_iso, to_iso
from bot.domain.roster import Person, Roster
from bot.store.crypto import DataKey, decrypt_field, encrypt_field, field_aad
from bot.store.db import Tx


@dataclass(frozen=True)
class ImportSummary:
    agencies: int
    people: int
    deactivated: int


@dataclass(frozen=True)
class PersonRecord:
    """A person as stored, with what the roster file does not hold (enrollment, language)."""

    person: Person
    agency_name: str
    active: bool
    # The end of their absence (`/away`); in the past or None: not away. See bot/domain/absence.py.
    away_until: datetime | None = None

    @property
    def key(self) -> str:
        return self.person.key

    @property
    def can_receive(self) -> bool:
        """Active and enrolled: someone the bot can send to, so someone who can stand in for another."""
        return self.active and self.person.telegram_user_id is not None


async def import_roster(tx: Tx, roster: Roster) -> ImportSummary:
    """Make the stored roster match the file. People missing from the file are deactivated, not
    deleted: past consultations still name them. An enrollment already bound survives a file that
    does not mention the Telegram id."""
    for agency in roster.agencies:
        await tx.execute(
            "INSERT INTO agencies (key, name) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET name = excluded.name",
            (agency.key, agency.name),
        )
    for person in roster.people:
        if person.telegram_user_id is not None:
            # The id moves to this person; unbind it from anyone else first (UNIQUE).
            await tx.execute(
                "UPDATE people SET telegram_user_id = NULL WHERE telegram_user_id = ? AND key != ?",
                (person.telegram_user_id, person.key),
            )
        await tx.execute(
            "INSERT INTO people (key, name, agency_key, telegram_user_id, alternate_key, language, active)"
            " VALUES (?, ?, ?, ?, ?, ?, 1)"
            " ON CONFLICT(key) DO UPDATE SET name = excluded.name, agency_key = excluded.agency_key,"
            " telegram_user_id = coalesce(excluded.telegram_user_id, people.telegram_user_id),"
            " alternate_key = excluded.alternate_key,"
            " language = coalesce(excluded.language, people.language), active = 1",
            (person.key, person.name, person.agency, person.telegram_user_id, person.alternate, person.language),
        )
        await tx.execute("DELETE FROM person_roles WHERE person_key = ?", (person.key,))
        await tx.executemany(
            "INSERT INTO person_roles (person_key, role) VALUES (?, ?)", [(person.key, r) for r in person.roles]
        )
    keys = [p.key for p in roster.people]
    placeholders = ",".join("?" for _ in keys) or "''"
    deactivated = await tx.execute_rowcount(
        f"UPDATE people SET active = 0 WHERE active = 1 AND key NOT IN ({placeholders})",  # noqa: S608
        keys,
    )
    return ImportSummary(len(roster.agencies), len(roster.people), deactivated)


_SELECT = (
    "SELECT p.key, p.name, p.agency_key, p.telegram_user_id, p.alternate_key, p.language, p.active,"
    " p.away_until, a.name AS agency_name,"
    " (SELECT group_concat(role, ' ') FROM (SELECT role FROM person_roles r WHERE r.person_key = p.key"
    "  ORDER BY role) AS held) AS roles"
    " FROM people p JOIN agencies a ON a.key = p.agency_key"
)


def _record(row: aiosqlite.Row) -> PersonRecord:
    roles = tuple(str(row["roles"]).split()) if row["roles"] else ()
    person = Person(
        key=row["key"],
        name=row["name"],
        agency=row["agency_key"],
        roles=roles,
        telegram_user_id=row["telegram_user_id"],
        alternate=row["alternate_key"],
        language=row["language"],
    )
    away = row["away_until"]
    return PersonRecord(person, row["agency_name"], bool(row["active"]), None if away is None else from_iso(away))


async def list_people(tx: Tx, *, active_only: bool = True) -> list[PersonRecord]:
    where = " WHERE p.active = 1" if active_only else ""
    return [_record(r) for r in await tx.fetchall(_SELECT + where + " ORDER BY p.rowid")]


async def people_in_consultation(tx: Tx, consultation_id: int) -> dict[str, PersonRecord]:
    """Everyone seated in a consultation, everyone who answered for one of them and everyone who
    stands in for one of them (their alternates), in one query (a status card may seat hundreds)."""
    rows = await tx.fetchall(
        _SELECT + " WHERE p.key IN (SELECT person_key FROM participants WHERE consultation_id = ?"  # noqa: S608
        " UNION SELECT responded_by FROM participants WHERE consultation_id = ? AND responded_by IS NOT NULL"
        " UNION SELECT q.alternate_key FROM participants pa JOIN people q ON q.key = pa.person_key"
        "  WHERE pa.consultation_id = ? AND q.alternate_key IS NOT NULL)",
        (consultation_id, consultation_id, consultation_id))
    return {str(r["key"]): _record(r) for r in rows}


async def person_by_key(tx: Tx, key: str) -> PersonRecord | None:
    row = await tx.fetchone(_SELECT + " WHERE p.key = ?", (key,))
    return None if row is None else _record(row)


async def person_by_telegram_id(tx: Tx, telegram_user_id: int) -> PersonRecord | None:
    """Authorisation looks people up here, by the numeric id Telegram vouches for — never by
    username, which a user can change and give to someone else."""
    row = await tx.fetchone(_SELECT + " WHERE p.telegram_user_id = ? AND p.active = 1", (telegram_user_id,))
    return None if row is None else _record(row)


async def bind_telegram_id(tx: Tx, person_key: str, telegram_user_id: int) -> None:
    await tx.execute("UPDATE people SET telegram_user_id = NULL WHERE telegram_user_id = ?", (telegram_user_id,))
    await tx.execute("UPDATE people SET telegram_user_id = ? WHERE key = ?", (telegram_user_id, person_key))


async def set_language(tx: Tx, person_key: str, language: str) -> None:
    await tx.execute("UPDATE people SET language = ? WHERE key = ?", (language, person_key))


# -- absence ---------------------------------------------------------------------------------


def _note_aad(person_key: str) -> bytes:
    return field_aad("people", person_key, "away_note")


async def set_away(tx: Tx, data_key: DataKey, person_key: str, until: datetime, note: str) -> None:
    """Away until `until`; the note (as the guard allowed it) sealed under the deployment's key."""
    note_enc = encrypt_field(data_key, note, _note_aad(person_key)) if note else None
    await tx.execute("UPDATE people SET away_until = ?, away_note_enc = ? WHERE key = ?",
                     (to_iso(until), note_enc, person_key))


async def clear_away(tx: Tx, person_key: str) -> None:
    await tx.execute("UPDATE people SET away_until = NULL, away_note_enc = NULL WHERE key = ?", (person_key,))


async def away_note(tx: Tx, data_key: DataKey, person_key: str) -> str:
    """The note of a person's absence; empty when there is none."""
    blob = await tx.fetchval("SELECT away_note_enc FROM people WHERE key = ?", (person_key,))
    return "" if blob is None else decrypt_field(data_key, bytes(blob), _note_aad(person_key))


async def is_alternate(tx: Tx, person_key: str) -> bool:
    """Whether anyone active names this person as their alternate."""
    return await tx.fetchval("SELECT 1 FROM people WHERE alternate_key = ? AND active = 1 LIMIT 1",
                             (person_key,)) is not None


async def agencies(tx: Tx) -> list[tuple[str, str]]:
    """Every agency as (key, full name), in roster order: what a short name is declared against."""
    rows = await tx.fetchall("SELECT key, name FROM agencies ORDER BY rowid")
    return [(str(r[0]), str(r[1])) for r in rows]
