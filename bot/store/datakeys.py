"""Per-consultation data keys: created with the consultation, unwrapped on use, re-wrapped on
rotation, shredded by retention."""

from __future__ import annotations

from bot.clock import Clock, to_iso
from bot.errors import KeyInvalidError, NotFoundError
from bot.store.crypto import DataKey, WrappedDataKey, new_data_key, unwrap_data_key, wrap_data_key
from bot.store.db import Tx
from bot.store.keys import KeyStore

DEPLOYMENT_OWNER = 0


class DataKeyShreddedError(KeyInvalidError):
    message_key = "error.key.shredded"


async def create_data_key(tx: Tx, keys: KeyStore, clock: Clock, owner: int) -> DataKey:
    data_key = new_data_key(owner)
    wrapped = wrap_data_key(data_key, keys.master_key())
    await tx.execute(
        "INSERT INTO data_keys (owner, master_key_id, wrapped, created_at) VALUES (?, ?, ?, ?)",
        (owner, wrapped.master_key_id, wrapped.wrapped, to_iso(clock.now())),
    )
    tx.remember(_memo_key(owner), data_key)
    return data_key


def _memo_key(owner: int) -> tuple[str, int]:
    return ("data_key", owner)


async def load_data_key(tx: Tx, keys: KeyStore, owner: int) -> DataKey:
    """The unwrapped key; remembered between transactions (see SharedMemo) because unwrapping
    costs a read and an AES operation on every button press and every message sent."""
    known = await tx.recall(_memo_key(owner))
    if isinstance(known, DataKey):
        return known
    row = await tx.fetchone("SELECT master_key_id, wrapped, destroyed_at FROM data_keys WHERE owner = ?", (owner,))
    if row is None:
        raise NotFoundError(f"no data key for consultation {owner}")
    if row["wrapped"] is None:
        raise DataKeyShreddedError(
            f"the data key of consultation {owner} was destroyed at {row['destroyed_at']} (retention)"
        )
    wrapped = WrappedDataKey(owner, str(row["master_key_id"]), bytes(row["wrapped"]))
    data_key = unwrap_data_key(wrapped, keys.master_key(wrapped.master_key_id))
    tx.remember(_memo_key(owner), data_key)
    return data_key


async def deployment_data_key(tx: Tx, keys: KeyStore, clock: Clock) -> DataKey:
    """The key for outgoing texts that belong to no consultation (help, enrollment replies)."""
    known = await tx.recall(_memo_key(DEPLOYMENT_OWNER))
    if isinstance(known, DataKey):
        return known
    exists = await tx.fetchval("SELECT 1 FROM data_keys WHERE owner = ?", (DEPLOYMENT_OWNER,))
    if exists:
        return await load_data_key(tx, keys, DEPLOYMENT_OWNER)
    return await create_data_key(tx, keys, clock, DEPLOYMENT_OWNER)


async def rewrap_all(tx: Tx, keys: KeyStore) -> int:
    """Re-wrap every live data key under the current master key; messages stay as they are."""
    current = keys.master_key()
    rows = await tx.fetchall("SELECT owner, master_key_id, wrapped FROM data_keys WHERE wrapped IS NOT NULL")
    count = 0
    for row in rows:
        if row["master_key_id"] == current.key_id:
            continue
        old = WrappedDataKey(int(row["owner"]), str(row["master_key_id"]), bytes(row["wrapped"]))
        data_key = unwrap_data_key(old, keys.master_key(old.master_key_id))
        new = wrap_data_key(data_key, current)
        await tx.execute(
            "UPDATE data_keys SET master_key_id = ?, wrapped = ? WHERE owner = ?",
            (new.master_key_id, new.wrapped, new.owner),
        )
        count += 1
    return count


async def shred(tx: Tx, clock: Clock, owner: int) -> bool:
    """Destroy a data key; its consultation's ciphertexts can never be opened again."""
    changed = await tx.execute_rowcount(
        "UPDATE data_keys SET wrapped = NULL, destroyed_at = ? WHERE owner = ? AND wrapped IS NOT NULL",
        (to_iso(clock.now()), owner),
    )
    tx.forget(_memo_key(owner))
    return changed > 0
