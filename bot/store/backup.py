"""Online backups and their restore, with SQLite's backup API.

The backup copies the whole database in one step under a read transaction, so it is a consistent
snapshot even while the bot writes (WAL lets the bot go on meanwhile). The copy holds ciphertext
only: it is worth nothing without the keys directory, which is backed up separately.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import StoreError, UsageError
from bot.files import create_owner_only, open_owner_only, write_owner_only


class BackupError(StoreError):
    message_key = "error.backup"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    checksum_path: Path
    sha256: str
    size: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def integrity(path: Path) -> str:
    """'ok', or what SQLite found wrong (a file that is not a database says so too)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "; ".join(str(r[0]) for r in rows[:5])


def backup(db_path: Path, target: Path) -> BackupResult:
    """Copy the database to `target` (owner-only from its first byte) with a `.sha256` beside it.

    The copy is made as `<target>.partial` and renamed only once it passed SQLite's integrity
    check; whatever happens before that, nothing named after the target is left behind."""
    if not db_path.exists():
        raise BackupError(f"no database at {db_path}")
    if target.exists():
        raise UsageError(f"{target} exists; a backup never overwrites a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    remove_stale_partials(target.parent)
    _remove_with_sidecars(partial)
    create_owner_only(partial)  # SQLite's journal files take this file's mode
    claim = partial.open("rb")  # flock held while the copy is written: see remove_stale_partials
    fcntl.flock(claim.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        source = sqlite3.connect(db_path, timeout=30)
        try:
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)  # all pages in one step: one consistent snapshot
                # The pages say WAL, as the source's do: make the copy one self-contained file, so
                # reading it (the check below, a restore) leaves no -wal or -shm beside it.
                destination.execute("PRAGMA journal_mode = DELETE")
            finally:
                destination.close()
        finally:
            source.close()
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        found = integrity(partial)
        if found != "ok":
            raise BackupError(f"the backup copy failed its integrity check: {found}")
        partial.rename(target)
    except BaseException:
        _remove_with_sidecars(partial)
        raise
    finally:
        claim.close()
    digest = sha256_of(target)
    checksum_path = target.with_name(target.name + ".sha256")
    write_owner_only(checksum_path, f"{digest}  {target.name}\n", durable=True)  # sha256sum -c reads this
    return BackupResult(target, checksum_path, digest, target.stat().st_size)


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove what a killed backup left in `folder` (a `.partial` copy the size of the database,
    ciphertext nobody will use): a SIGKILL skips the cleanup above. A copy still being written is
    kept, since its writer holds a flock on it; only SQLite files (or empty ones) are touched."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.glob("*.partial"):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as handle:
            if handle.read(16) not in (b"", b"SQLite format 3\x00"):
                continue
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a backup is writing it now
            _remove_with_sidecars(path)
        removed.append(path)
    return removed


def remove_stale_leftovers(data_dir: Path) -> list[Path]:
    """At the bot's start (it holds the data folder's run lock, so no restore is running): the
    `.partial` copies a killed backup left beside the database and the `.restoring` copy of a
    killed restore — each a database-sized copy of ciphertext nobody will use."""
    removed = remove_stale_partials(data_dir)
    for path in data_dir.glob("*.db.restoring"):
        if path.is_file() and not path.is_symlink():
            _remove_with_sidecars(path)
            removed.append(path)
    return removed


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def verify_backup(path: Path) -> str:
    """The checksum file must match and the copy pass SQLite's integrity check; returns the digest."""
    checksum_path = path.with_name(path.name + ".sha256")
    if not path.exists():
        raise UsageError(f"no backup at {path}")
    if not checksum_path.exists():
        raise BackupError(f"{checksum_path.name} is missing; cannot tell whether {path.name} is intact")
    expected = checksum_path.read_text(encoding="utf-8").split()[0]
    digest = sha256_of(path)
    if digest != expected:
        raise BackupError(f"{path.name} does not match its checksum (damaged or altered)")
    found = integrity(path)
    if found != "ok":
        raise BackupError(f"{path.name} fails SQLite's integrity check: {found}")
    return digest


def restore(backup_path: Path, db_path: Path) -> Path | None:
    """Put a verified backup in place; the database it replaces is kept beside it, never deleted."""
    verify_backup(backup_path)
    kept = None
    if db_path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        db_path.rename(kept)
    for suffix in ("-wal", "-shm"):
        sidecar = db_path.with_name(db_path.name + suffix)
        if sidecar.exists():
            sidecar.rename(kept.with_name(kept.name + suffix) if kept else sidecar.with_suffix(".old"))
    partial = db_path.with_name(db_path.name + ".restoring")
    partial.unlink(missing_ok=True)
    try:
        with backup_path.open("rb") as source, open_owner_only(partial) as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
            copy.flush()
            os.fsync(copy.fileno())
        partial.rename(db_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return kept
