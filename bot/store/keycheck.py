"""Opening the wrapped data keys with the master keys before anything runs.

A missing or garbled master key, or a backup of another deployment restored beside these keys,
used to pass `consult doctor` and `consult run` and fail at the first `/status`. Unwrapping is an
AES-GCM open per key, so every key is checked up to a bound; beyond it the oldest and the newest
(the ones the bot is most likely to need) stand for the rest.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConsultError, KeyInvalidError
from bot.store.crypto import WrappedDataKey, unwrap_data_key
from bot.store.keys import KeyStore

ALL_UP_TO = 2000
SAMPLE_EACH_END = 200
WAY_OUT = ("restore the master key files (keys/master-*.key and master.current) from their offline copy, "
           "or restore the database backup made by this deployment (`consult db restore FILE`); "
           "never start the bot until `consult doctor` passes")


_ALL = "SELECT owner, master_key_id, wrapped FROM data_keys WHERE wrapped IS NOT NULL ORDER BY owner"
_ENDS = ("SELECT * FROM (SELECT owner, master_key_id, wrapped FROM data_keys WHERE wrapped IS NOT NULL "
         "ORDER BY owner LIMIT ?) UNION SELECT * FROM (SELECT owner, master_key_id, wrapped FROM data_keys "
         "WHERE wrapped IS NOT NULL ORDER BY owner DESC LIMIT ?)")


@dataclass(frozen=True)
class DataKeysOpened:
    checked: int
    live: int


def open_data_keys(db_path: Path, keys: KeyStore) -> DataKeysOpened:
    """Unwrap the live data keys (all, or the oldest and newest past ALL_UP_TO); raise
    KeyInvalidError naming how many failed and the way out. A missing database passes: a new
    deployment has nothing to open yet."""
    if not db_path.exists():
        return DataKeysOpened(0, 0)
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        try:
            live = int(connection.execute("SELECT count(*) FROM data_keys WHERE wrapped IS NOT NULL").fetchone()[0])
        except sqlite3.OperationalError:  # no data_keys table yet: migrations not applied
            return DataKeysOpened(0, 0)
        rows = connection.execute(_ALL if live <= ALL_UP_TO else _ENDS, (SAMPLE_EACH_END, SAMPLE_EACH_END)
                                   if live > ALL_UP_TO else ()).fetchall()
    finally:
        connection.close()
    failed: list[str] = []
    for owner, master_key_id, wrapped in rows:
        try:
            unwrap_data_key(WrappedDataKey(int(owner), str(master_key_id), bytes(wrapped)),
                            keys.master_key(str(master_key_id)))
        except ConsultError as exc:
            failed.append(f"consultation {owner}: {exc}")
        except ValueError as exc:  # a garbled master key file (not base64); its bytes are never shown
            failed.append(f"consultation {owner}: master key {master_key_id} is not readable ({type(exc).__name__})")
    if failed:
        raise KeyInvalidError(f"{len(failed)} of {len(rows)} data keys checked cannot be opened with the master "
                              f"keys in {keys.keys_dir} (first: {failed[0]}); {WAY_OUT}")
    return DataKeysOpened(len(rows), live)
