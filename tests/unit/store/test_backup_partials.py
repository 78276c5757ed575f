"""A killed backup's `.partial` copy is removed by the next backup (#23 item 5): a SIGKILL during
`consult db backup` left a database-sized copy of the ciphertext behind, for good."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.config import Settings
from bot.store import backup


def _killed_backup(db_path: Path, target: Path) -> Path:
    """A real backup process killed with SIGKILL once its `.partial` exists (before the rename)."""
    partial = target.with_name(target.name + ".partial")
    code = ("import sys, time; from pathlib import Path; from bot.store import backup as b\n"
            "b.integrity = lambda path: (print('copied', flush=True), time.sleep(60))[1]\n"
            f"b.backup(Path({str(db_path)!r}), Path({str(target)!r}))\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[3])
    assert child.stdout is not None and child.stdout.readline().strip() == "copied"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert partial.exists() and partial.stat().st_size > 0
    return partial


async def test_the_next_backup_removes_a_killed_backups_partial(context: object, settings: Settings,
                                                                tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    partial = _killed_backup(settings.db_path, folder / "consult-1.db")
    result = backup.backup(settings.db_path, folder / "consult-2.db")
    assert result.path.exists()
    assert not partial.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["consult-2.db", "consult-2.db.sha256"]


def test_a_partial_being_written_and_other_files_are_kept(tmp_path: Path) -> None:
    writing = tmp_path / "a.db.partial"
    writing.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    foreign = tmp_path / "download.partial"
    foreign.write_bytes(b"not a database")
    with writing.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        assert backup.remove_stale_partials(tmp_path) == []
    assert writing.exists() and foreign.exists()
    assert backup.remove_stale_partials(tmp_path) == [writing]
    assert foreign.exists()


def test_the_bots_start_removes_what_a_killed_backup_or_restore_left_beside_the_database(
        settings: Settings) -> None:
    """`consult run` calls this under the run lock, before serving: a backup written next to the
    database, or a restore killed midway (`consult.db.restoring`), leaves nothing behind for good."""
    settings.ensure_data_dir()
    partial = settings.data_dir / "consult-copy.db.partial"
    partial.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4096)
    restoring = settings.data_dir / "consult.db.restoring"
    restoring.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4096)
    kept = settings.data_dir / "notes.partial"
    kept.write_text("not a database: not ours to remove")
    removed = backup.remove_stale_leftovers(settings.data_dir)
    assert sorted(p.name for p in removed) == ["consult-copy.db.partial", "consult.db.restoring"]
    assert not partial.exists() and not restoring.exists() and kept.exists()
