"""Invitations: which consultations a person is invited to (themselves or as the alternate of an
invitee), and invitations as rows for the figures of `/stats`.

"A person or their alternate" is the rule of `bot.domain.access.acts_for`; here it is written once
more, as SQL, in `_ACTS_FOR`, for the lookups that must not load every seat to apply it
(tests/unit/store/test_store.py holds the two to the same answers). The `/stats` rows are counts and
times only, never content.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.domain.consultation import Kind, State
from bot.domain.stats import InvitationRow
from bot.store.db import Tx

# The participant row `p` is the person's own seat, or the seat of someone whose alternate they are.
_ACTS_FOR = "(p.person_key = :person OR p.person_key IN (SELECT key FROM people WHERE alternate_key = :person))"


async def by_invitation_message(tx: Tx, message_id: int, person_key: str) -> int | None:
    """The consultation whose invitation (to this person, or to one they stand in for) is the
    message with this id in their private chat: a reply to it is a comment there."""
    value = await tx.fetchval(
        "SELECT p.consultation_id FROM participants p"  # noqa: S608 (a constant fragment, no input)
        " WHERE p.invitation_message_id = :message AND " + _ACTS_FOR,
        {"message": message_id, "person": person_key},
    )
    return None if value is None else int(value)


async def latest_open_in_chat(tx: Tx, chat_id: int, default_chat_id: int | None, person_key: str) -> int | None:
    """The newest open consultation in this group (a consultation with no group of its own is in
    the default one) to which this person is invited or stands in for an invitee."""
    value = await tx.fetchval(
        "SELECT c.id FROM participants p JOIN consultations c ON c.id = p.consultation_id"  # noqa: S608
        " WHERE c.state = 'open' AND coalesce(c.chat_id, :default) = :chat AND " + _ACTS_FOR
        + " ORDER BY c.id DESC LIMIT 1",
        {"default": default_chat_id, "chat": chat_id, "person": person_key},
    )
    return None if value is None else int(value)


async def held_back(tx: Tx, person_key: str) -> list[int]:
    """Open consultations whose invitation to this person could not be delivered yet (not
    enrolled, or never started the bot): they go when the person starts it."""
    rows = await tx.fetchall(
        "SELECT pa.consultation_id FROM participants pa JOIN consultations c ON c.id = pa.consultation_id"
        " WHERE pa.person_key = ? AND pa.reachable = 0 AND c.state = ?",
        (person_key, State.OPEN.value),
    )
    return [int(row[0]) for row in rows]


# -- /stats ----------------------------------------------------------------------------------


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
