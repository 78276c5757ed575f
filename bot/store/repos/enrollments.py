"""One-time enrollment tokens. Only a SHA-256 of the token is stored: the database alone cannot
be used to enroll as someone."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import from_iso, to_iso
from bot.store.db import Tx


class Redemption(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class RedeemResult:
    outcome: Redemption
    person_key: str | None = None
    rebind: bool = False  # the link may move an enrolled person to another account


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(tx: Tx, person_key: str, now: datetime, ttl: timedelta, *, rebind: bool = False) -> str:
    # 32 url-safe characters; as `e_<token>` within Telegram's 64 of [A-Za-z0-9_-] for /start.
    token = secrets.token_urlsafe(24)
    await tx.execute(
        "INSERT INTO enrollments (token_hash, person_key, created_at, expires_at, rebind) VALUES (?, ?, ?, ?, ?)",
        (token_hash(token), person_key, to_iso(now), to_iso(now + ttl), int(rebind)),
    )
    return token


async def redeem(tx: Tx, token: str, telegram_user_id: int, now: datetime) -> RedeemResult:
    """Use the token once (whatever the caller then decides, the link is spent)."""
    row = await tx.fetchone(
        "SELECT person_key, expires_at, used_at, rebind FROM enrollments WHERE token_hash = ?", (token_hash(token),)
    )
    if row is None:
        return RedeemResult(Redemption.UNKNOWN)
    if row["used_at"] is not None:
        return RedeemResult(Redemption.USED, row["person_key"])
    if from_iso(row["expires_at"]) <= now:
        return RedeemResult(Redemption.EXPIRED, row["person_key"])
    await tx.execute(
        "UPDATE enrollments SET used_at = ?, used_by_user_id = ? WHERE token_hash = ?",
        (to_iso(now), telegram_user_id, token_hash(token)),
    )
    return RedeemResult(Redemption.OK, row["person_key"], bool(row["rebind"]))
