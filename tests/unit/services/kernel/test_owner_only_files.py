"""Files are born owner-only — backups, restores, exports, keys — half-written ones never stay,
and a loose mode found at start is fixed and reported with its path."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.composition import open_context
from bot.config import Settings
from bot.errors import KeyPermissionError, LinkRefusedError
from bot.services.consultations import opening
from bot.services.dispatch import Origin, as_person, perform
from bot.services.kernel.context import AppContext
from bot.services.reports.exporting import export_bundle
from bot.store import backup as backup_module
from bot.store.backup import BackupError, backup, restore
from bot.store.keys import KeyStore
from bot.store.secretfiles import write_secret_file
from tests.support import KeywordGuard


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """An operator's usual umask (022): what the code writes must be owner-only anyway."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def make_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
    connection.close()


def test_a_backup_is_owner_only_while_it_is_written(tmp_path: Path, permissive_umask: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "consult.db"
    make_database(source)
    target = tmp_path / "backups" / "copy.db"
    modes_while_copying: list[int] = []
    real_connect = sqlite3.connect

    class Spy:
        """The source connection: after the pages are copied, look at the file being written."""

        def __init__(self, connection: sqlite3.Connection) -> None:
            self.connection = connection

        def backup(self, destination: sqlite3.Connection, **kwargs: Any) -> None:
            self.connection.backup(destination, **kwargs)
            partial = target.with_name(target.name + ".partial")
            modes_while_copying.append(mode(partial))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.connection, name)

    def connect(path: Any, *args: Any, **kwargs: Any) -> Any:
        connection = real_connect(path, *args, **kwargs)
        return Spy(connection) if Path(str(path)) == source else connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    result = backup(source, target)
    assert modes_while_copying == [0o600]
    assert mode(result.path) == 0o600 and mode(result.checksum_path) == 0o600


def test_a_backup_leaves_no_journal_files_and_is_one_self_contained_file(tmp_path: Path) -> None:
    source = tmp_path / "consult.db"
    make_database(source)
    target = tmp_path / "copy.db"
    backup(source, target)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db", "copy.db.sha256"]
    with sqlite3.connect(f"file:{target}?mode=ro", uri=True) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db", "copy.db.sha256"]


def test_a_failed_backup_leaves_nothing_named_after_its_target(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "consult.db"
    make_database(source)
    real_integrity = backup_module.integrity

    def damaged(path: Path) -> str:
        real_integrity(path)  # really read the copy, as the check does, then find it damaged
        return "database disk image is malformed"

    monkeypatch.setattr(backup_module, "integrity", damaged)
    with pytest.raises(BackupError, match="integrity"):
        backup(source, tmp_path / "copy.db")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("copy")] == []


def test_a_restore_is_owner_only_and_a_failed_one_leaves_no_partial_file(
        tmp_path: Path, permissive_umask: None, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "consult.db"
    make_database(source)
    copy = backup(source, tmp_path / "copy.db").path
    live = tmp_path / "live" / "consult.db"
    live.parent.mkdir()
    restore(copy, live)
    assert mode(live) == 0o600

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_module.shutil, "copyfileobj", broken)
    with pytest.raises(OSError, match="No space"):
        restore(copy, live)
    assert not list(live.parent.glob("*.restoring"))


async def test_an_export_is_owner_only(context: AppContext, tmp_path: Path, permissive_umask: None) -> None:
    from bot.services.people.roster import import_roster_file
    from tests.support.paths import EXAMPLE_ROSTER

    await import_roster_file(context, EXAMPLE_ROSTER)
    context = replace(context, group_chat_id=-1001234, guard=KeywordGuard())
    origin = Origin(1, 1001, 1001, None, "vi", "/urgent")
    await perform(context, origin, as_person(origin, lambda uow, person: opening.open_consultation(
        uow, person, "2h aec: Lập trường về dự thảo", 1001)))
    out = tmp_path / "bundle"
    summary = await export_bundle(context, 1, out, "test", pdf=False)
    assert mode(out) == 0o700
    assert summary.files and all(mode(path) == 0o600 for path in summary.files)


async def test_an_export_writes_no_file_through_a_link_planted_in_its_folder(context: AppContext,
                                                                            tmp_path: Path) -> None:
    """A link at a bundle file's name (someone else's, in a shared folder) must not make the
    export overwrite and re-mode whatever it points at, the database for one."""
    from bot.services.people.roster import import_roster_file
    from tests.support.paths import EXAMPLE_ROSTER

    await import_roster_file(context, EXAMPLE_ROSTER)
    context = replace(context, group_chat_id=-1001234, guard=KeywordGuard())
    origin = Origin(1, 1001, 1001, None, "vi", "/urgent")
    await perform(context, origin, as_person(origin, lambda uow, person: opening.open_consultation(
        uow, person, "2h aec: Lập trường về dự thảo", 1001)))
    victim = tmp_path / "victim"
    victim.write_bytes(b"not a transcript")
    victim.chmod(0o644)
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "transcript.json").symlink_to(victim)
    with pytest.raises(LinkRefusedError, match="symbolic link"):
        await export_bundle(context, 1, out, "test", pdf=False)
    assert victim.read_bytes() == b"not a transcript"
    assert mode(victim) == 0o644


def test_a_key_file_is_owner_only_and_never_left_half_written(tmp_path: Path, permissive_umask: None,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    assert all(mode(path) == 0o600 for path in (tmp_path / "keys").iterdir() if not path.name.endswith(".pub"))

    def full_disk(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_secret_file(tmp_path / "keys" / "hmac.new", b"secret")
    assert not (tmp_path / "keys" / "hmac.new").exists()


def test_loose_data_and_key_directories_are_tightened_and_reported(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    os.chmod(settings.data_dir, 0o755)
    os.chmod(settings.keys_dir, 0o777)
    with caplog.at_level(logging.WARNING):
        settings.ensure_data_dir()
    assert mode(settings.data_dir) == 0o700 and mode(settings.keys_dir) == 0o700
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(settings.data_dir) in w and "0755" in w for w in warnings), warnings
    assert any(str(settings.keys_dir) in w and "0777" in w for w in warnings), warnings
    caplog.clear()
    settings.ensure_data_dir()  # tight now: nothing more to say
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.one_engine
async def test_a_loose_database_file_is_tightened_and_reported(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    async with open_context(settings):
        pass
    assert mode(settings.db_path) == 0o600
    os.chmod(settings.db_path, 0o644)
    with caplog.at_level(logging.WARNING):
        async with open_context(settings):
            pass
    assert mode(settings.db_path) == 0o600
    assert any(str(settings.db_path) in r.getMessage() and "0644" in r.getMessage() for r in caplog.records)


async def test_a_loose_key_file_is_refused_not_fixed(settings: Settings) -> None:
    pointer = settings.keys_dir / "master.current"
    os.chmod(pointer, 0o644)
    with pytest.raises(KeyPermissionError, match="chmod 600"):
        async with open_context(settings):
            pass
    assert mode(pointer) == 0o644
