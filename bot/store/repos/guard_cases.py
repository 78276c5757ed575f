"""The guard's cases (issue #29): one row per block, with what may be kept about it — never the
content — and, later, the sender's report and the officer's decision; and the one-time releases an
officer grants."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import from_iso, to_iso
from bot.store.crypto import DataKey, decrypt_field, encrypt_field, field_aad
from bot.store.db import Tx


@dataclass(frozen=True)
class NewCase:
    """What a block leaves on record: metadata only."""

    at: datetime
    actor: str
    user_id: int
    agency: str | None
    chat_id: int
    thread_id: int | None
    message_id: int
    place: str
    consultation_id: int | None
    kind: str
    rule: str | None
    level: str | None
    source: str
    detail: str | None = None
    ocr_confidence: float | None = None
    file_type: str | None = None
    file_size: int | None = None
    file_sha256: str | None = None
    content_hmac: str | None = None
    policy_hash: str | None = None

    def as_record(self) -> dict[str, Any]:
        """The case as the audit event and the export show it (the time as ISO text)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["at"] = to_iso(self.at)
        return values


@dataclass(frozen=True)
class Case:
    id: int
    case: NewCase
    reported_at: datetime | None
    decision: str | None  # upheld | released | None
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None


_COLUMNS = tuple(f.name for f in fields(NewCase))
# Column names from the dataclass, not from input: the statement is fixed when the module loads.
_INSERT = (f"INSERT INTO guard_cases ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"  # noqa: S608
           " RETURNING id")


async def open_case(tx: Tx, case: NewCase) -> int:
    values = case.as_record()
    case_id = await tx.fetchval(_INSERT, tuple(values[name] for name in _COLUMNS))
    return int(case_id)


def _row(row: aiosqlite.Row) -> Case:
    values: dict[str, Any] = {name: row[name] for name in _COLUMNS}
    values["at"] = from_iso(row["at"])
    return Case(int(row["id"]), NewCase(**values), _when(row["reported_at"]), row["decision"],
                _when(row["decided_at"]), row["decided_by"], row["decision_reason"])


def _when(value: str | None) -> datetime | None:
    return None if value is None else from_iso(value)


async def case_by_id(tx: Tx, case_id: int) -> Case | None:
    row = await tx.fetchone("SELECT * FROM guard_cases WHERE id = ?", (case_id,))
    return None if row is None else _row(row)


async def cases_since(tx: Tx, since: datetime, agency: str | None = None) -> list[Case]:
    """Cases from `since` on, oldest first; only one agency's when `agency` is given."""
    if agency is None:
        rows = await tx.fetchall("SELECT * FROM guard_cases WHERE at >= ? ORDER BY id", (to_iso(since),))
    else:
        rows = await tx.fetchall("SELECT * FROM guard_cases WHERE at >= ? AND agency = ? ORDER BY id",
                                 (to_iso(since), agency))
    return [_row(row) for row in rows]


async def open_reports(tx: Tx, agency: str | None = None) -> list[Case]:
    """Reported cases not yet decided, oldest first."""
    sql = "SELECT * FROM guard_cases WHERE reported_at IS NOT NULL AND decision IS NULL"
    rows = await (tx.fetchall(sql + " ORDER BY id") if agency is None else
                  tx.fetchall(sql + " AND agency = ? ORDER BY id", (agency,)))
    return [_row(row) for row in rows]


def _reason_aad(case_id: int) -> bytes:
    return field_aad("guard_cases", str(case_id), "report_reason")


async def report(tx: Tx, data_key: DataKey, case_id: int, at: datetime, reason: str) -> bool:
    """Mark a case reported (once); the reason, as the guard allowed it, sealed. False if it was
    reported already."""
    sealed = encrypt_field(data_key, reason, _reason_aad(case_id)) if reason else None
    changed = await tx.execute_rowcount(
        "UPDATE guard_cases SET reported_at = ?, report_reason_enc = ? WHERE id = ? AND reported_at IS NULL",
        (to_iso(at), sealed, case_id))
    return changed == 1


async def set_reason(tx: Tx, data_key: DataKey, case_id: int, reason: str) -> None:
    await tx.execute("UPDATE guard_cases SET report_reason_enc = ? WHERE id = ?",
                     (encrypt_field(data_key, reason, _reason_aad(case_id)), case_id))


async def report_reason(tx: Tx, data_key: DataKey, case_id: int) -> str:
    blob = await tx.fetchval("SELECT report_reason_enc FROM guard_cases WHERE id = ?", (case_id,))
    return "" if blob is None else decrypt_field(data_key, bytes(blob), _reason_aad(case_id))


async def decide(tx: Tx, case_id: int, decision: str, at: datetime, officer: str, reason: str) -> bool:
    """Record the officer's decision, once; False if the case was decided already."""
    changed = await tx.execute_rowcount(
        "UPDATE guard_cases SET decision = ?, decided_at = ?, decided_by = ?, decision_reason = ?"
        " WHERE id = ? AND decision IS NULL", (decision, to_iso(at), officer, reason, case_id))
    return changed == 1


# -- one-time releases ---------------------------------------------------------------------------------


async def release(tx: Tx, case: Case, expires_at: datetime) -> None:
    await tx.execute(
        "INSERT INTO guard_releases (case_id, user_id, file_sha256, content_hmac, expires_at) VALUES (?, ?, ?, ?, ?)",
        (case.id, case.case.user_id, case.case.file_sha256,
         None if case.case.file_sha256 else case.case.content_hmac, to_iso(expires_at)))


async def use_release(tx: Tx, user_id: int, file_sha256: str | None, content_hmac: str | None,
                      now: datetime) -> int | None:
    """Spend the sender's unused, unexpired release of exactly this file or text; the case it
    belongs to, or None when there is none."""
    row = await tx.fetchone(
        "SELECT case_id FROM guard_releases WHERE user_id = ? AND used_at IS NULL AND expires_at > ?"
        " AND ((file_sha256 IS NOT NULL AND file_sha256 = ?) OR (content_hmac IS NOT NULL AND content_hmac = ?))"
        " ORDER BY case_id LIMIT 1", (user_id, to_iso(now), file_sha256, content_hmac))
    if row is None:
        return None
    case_id = int(row["case_id"])
    await tx.execute("UPDATE guard_releases SET used_at = ? WHERE case_id = ?", (to_iso(now), case_id))
    return case_id


# -- the sender's report -----------------------------------------------------------------------------


async def want_reason(tx: Tx, case_id: int, until: datetime | None) -> None:
    """The sender's next private message (until `until`) is this report's reason; None: no longer."""
    await tx.execute("UPDATE guard_cases SET reason_wanted_until = ? WHERE id = ?",
                     (None if until is None else to_iso(until), case_id))


async def reason_wanted(tx: Tx, user_id: int, now: datetime) -> int | None:
    """The case whose reason this sender's next private message gives, if one waits for it."""
    value = await tx.fetchval(
        "SELECT id FROM guard_cases WHERE user_id = ? AND reason_wanted_until > ? ORDER BY id DESC LIMIT 1",
        (user_id, to_iso(now)))
    return None if value is None else int(value)


async def latest_unreported(tx: Tx, user_id: int) -> int | None:
    """This sender's last case not yet reported: what the report button on a block notice names."""
    value = await tx.fetchval(
        "SELECT id FROM guard_cases WHERE user_id = ? AND reported_at IS NULL AND decision IS NULL"
        " ORDER BY id DESC LIMIT 1", (user_id,))
    return None if value is None else int(value)


# -- the daily digest ------------------------------------------------------------------------------------


async def last_digest_day(tx: Tx, officer_key: str) -> str | None:
    value = await tx.fetchval("SELECT last_day FROM guard_digests WHERE officer_key = ?", (officer_key,))
    return None if value is None else str(value)


async def digest_sent(tx: Tx, officer_key: str, day: str) -> bool:
    """Note the day's digest for this officer; False if it was noted already (never twice a day)."""
    changed = await tx.execute_rowcount(
        "INSERT INTO guard_digests (officer_key, last_day) VALUES (?, ?) ON CONFLICT (officer_key) DO UPDATE"
        " SET last_day = excluded.last_day WHERE guard_digests.last_day < excluded.last_day", (officer_key, day))
    return changed == 1
