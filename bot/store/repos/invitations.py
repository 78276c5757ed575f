"""Invitations as rows for the figures of `/stats`: which agency was invited to which consultation,
when, and when (and whether late) it was answered. Counts and times only, never content."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.domain.consultation import Kind, State
from bot.domain.stats import InvitationRow
from bot.store.db import Tx


async def rows_between(tx: Tx, since: datetime, until: datetime) -> list[InvitationRow]:
    """Invitations to consultations (not notices, not cancelled ones) made in [since, until)."""
    rows = await tx.fetchall(
        "SELECT a.name AS agency, pa.consultation_id, pa.invited_at, pa.responded_at, pa.late"
        " FROM participants pa JOIN consultations c ON c.id = pa.consultation_id"
        " JOIN people p ON p.key = pa.person_key JOIN agencies a ON a.key = p.agency_key"
        " WHERE pa.invited_at >= ? AND pa.invited_at < ? AND c.kind = ? AND c.state != ?"
        " ORDER BY pa.consultation_id",
        (to_iso(since), to_iso(until), Kind.CONSULTATION.value, State.CANCELLED.value))
    return [InvitationRow(str(r["agency"]), int(r["consultation_id"]), from_iso(r["invited_at"]),
                          None if r["responded_at"] is None else from_iso(r["responded_at"]), bool(r["late"]))
            for r in rows]


async def agencies_in_order(tx: Tx) -> list[str]:
    """The names of agencies with an active person who can be invited (not only built-in roles),
    in roster order: shown in /stats even when the period holds nothing for them."""
    rows = await tx.fetchall(
        "SELECT a.name FROM agencies a WHERE EXISTS (SELECT 1 FROM people p JOIN person_roles r"
        " ON r.person_key = p.key WHERE p.agency_key = a.key AND p.active = 1"
        " AND r.role NOT IN ('coordinator', 'auditor', 'admin')) ORDER BY a.rowid")
    return [str(r[0]) for r in rows]
