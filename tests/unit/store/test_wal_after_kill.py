"""A SIGKILL between retention's commit and the WAL truncate left older copies of the destroyed
wrapped keys in `consult.db-wal` for as long as the bot then ran (#23 item 5): the next open of the
database folds the WAL in and truncates it before anything else runs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bot.store.db import Database

# A real process: creates 30 data keys, shreds them all, commits, and is SIGKILLed before any
# checkpoint. It prints the wrapped keys (hex) so the test can look for them in the files.
CHILD = """
import asyncio, os, signal, sys
from pathlib import Path
from bot.clock import FakeClock
from bot.store.db import Database
from bot.store import migrations
from bot.config import shipped_dir
from bot.store.keys import KeyStore
from bot.store.datakeys import create_data_key, shred

async def main():
    folder = Path(sys.argv[1])
    keys = KeyStore(folder / "keys"); keys.init()
    clock = FakeClock()
    db = await Database.open(folder / "consult.db")
    await migrations.upgrade(db, shipped_dir("migrations"), clock)
    async with db.transaction() as tx:
        for owner in range(1, 31):
            await create_data_key(tx, keys, clock, owner)
        rows = await tx.fetchall("SELECT wrapped FROM data_keys")
    print(" ".join(bytes(r["wrapped"]).hex() for r in rows), flush=True)
    async with db.transaction() as tx:
        for owner in range(1, 31):
            await shred(tx, clock, owner)
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


def _holding(path: Path, wrapped: list[bytes]) -> int:
    data = path.read_bytes() if path.exists() else b""
    return sum(1 for key in wrapped if key in data)


async def test_the_next_open_truncates_what_a_killed_shredding_left_in_the_wal(tmp_path: Path) -> None:
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", CHILD, str(tmp_path)],
                                   capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3],
                                   timeout=120, check=False)
    assert done.returncode == -9, done.stderr
    wrapped = [bytes.fromhex(h) for h in done.stdout.split()]
    assert len(wrapped) == 30
    db_path, wal = tmp_path / "consult.db", tmp_path / "consult.db-wal"
    assert _holding(wal, wrapped) + _holding(db_path, wrapped) > 0  # what the kill left behind

    database = await Database.open(db_path)
    try:
        assert not wal.exists() or wal.stat().st_size == 0
        assert _holding(wal, wrapped) == 0 and _holding(db_path, wrapped) == 0
        async with database.reading() as tx:
            assert await tx.fetchval("SELECT count(*) FROM data_keys WHERE wrapped IS NULL") == 30
    finally:
        await database.close()
