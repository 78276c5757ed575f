"""`consult db ...`"""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bot.clock import SystemClock
from bot.commands.apps import db_app, friendly_errors
from bot.config import Settings, load_settings, shipped_dir
from bot.domain.note import ROLLBACK, NoteError
from bot.errors import ConfigError, RollbackRefusedError, StoreError
from bot.services.kernel.context import AppContext
from bot.services.reports.checkpointing import Publishing, make_checkpoint
from bot.store import backup, eventmacs, events, migrations, published, runlock, transfer
from bot.store.db import Database
from bot.store.engine import open_database
from bot.store.events import append_event
from bot.store.keys import KeyStore
from bot.store.postgres import redacted
from bot.stores import open_stores


@db_app.command("upgrade")
@friendly_errors
def upgrade() -> None:
    """Apply pending migrations, each once, in order."""
    settings = load_settings()
    settings.ensure_data_dir()

    async def run() -> list[migrations.Migration]:
        db = await open_database(settings.database_url_text, settings.db_path)
        try:
            return await migrations.upgrade(db, shipped_dir("migrations"), SystemClock())
        finally:
            await db.close()

    applied = asyncio.run(run())
    if not applied:
        typer.echo(f"{_where(settings)}: up to date")
    for migration in applied:
        typer.echo(f"applied {migration.version:04d}_{migration.name}")


def _where(settings: Settings) -> str:
    url = settings.database_url_text
    return str(settings.db_path) if url is None else redacted(url)


def _sqlite_only(settings: Settings, verb: str) -> None:
    """The SQLite file's own tools; a PostgreSQL server has its own, which keep the same promises."""
    if settings.database_url_text is not None:
        raise ConfigError(f"the store is on PostgreSQL ({_where(settings)}): {verb} it with the server's tools "
                          "(pg_dump / pg_restore, or the standby's base backups), as docs/operations.md says; "
                          "keep a copy of the keys folder apart from it")


async def _record_rollback(settings: Settings, lost_to: int, copy_tail: tuple[int, str | None]) -> None:
    """Move the head recorded outside the database back to the copy's, then say so in the log."""
    (settings.keys_dir / eventmacs.HEAD_FILE).unlink(missing_ok=True)
    if copy_tail[1] is not None:
        eventmacs.write_head(settings.keys_dir, copy_tail[0], copy_tail[1])
    async with open_stores(settings) as stores:
        async with stores.db.transaction() as tx:
            await append_event(tx, stores.clock, "log_rolled_back", actor="operator",
                               data={"restored_to_seq": copy_tail[0], "lost_events_to_seq": lost_to})
        # Published at once, saying so: auditors holding the checkpoints of the lost events see why
        # the log no longer extends them.
        ctx = AppContext(settings, stores.db, stores.keys, stores.clock, stores.routing)
        await make_checkpoint(stores.db, stores.keys, stores.clock, publishing=Publishing.for_context(ctx),
                              extensions=(f"{ROLLBACK} {lost_to} {copy_tail[0]}",))


def _published_size(settings: Settings) -> int:
    """The tree size of the last checkpoint published beside the database (0 if none)."""
    try:
        found = published.last(published.path_beside(settings.db_path))
    except NoteError as exc:
        raise RollbackRefusedError(f"{published.path_beside(settings.db_path)} is damaged ({exc}); it is "
                                   "append-only: look at it before restoring") from exc
    return 0 if found is None else found[1].checkpoint.size


@db_app.command("backup")
@friendly_errors
def backup_command(target: Path = typer.Argument(..., help="Where to write the copy (never overwritten)")) -> None:
    """An online, consistent copy of the database (safe while the bot runs), with a .sha256 file."""
    settings = load_settings()
    _sqlite_only(settings, "back up")
    result = backup.backup(settings.db_path, target)
    typer.echo(f"backup: {result.path} ({result.size:,} bytes), sha256 {result.sha256}")
    typer.echo(f"checksum: {result.checksum_path} (check with: sha256sum -c {result.checksum_path.name})")
    typer.echo(f"the copy is ciphertext: keep a copy of {settings.keys_dir} too, stored apart from it")


@db_app.command("restore")
@friendly_errors
def restore_command(
    source: Path = typer.Argument(..., help="A file written by `consult db backup`"),
    accept_rollback: bool = typer.Option(False, "--accept-rollback",
                                         help="Restore a copy whose log is behind the newest event, and record it"),
) -> None:
    """Replace the database with a verified backup (the bot must be stopped; the old file is kept)."""
    settings = load_settings()
    _sqlite_only(settings, "restore")
    settings.ensure_data_dir()
    if runlock.is_running(settings.data_dir):
        raise runlock.AlreadyRunningError(f"the bot is running on {settings.data_dir}; stop it before restoring")
    head = eventmacs.read_head(settings.keys_dir)
    copy_tail = events.tail_of_copy(source)
    newest = max(0 if head is None else head[0], _published_size(settings))
    behind = copy_tail[0] < newest
    if behind and not accept_rollback:
        raise RollbackRefusedError(
            f"{source} ends its log at event seq {copy_tail[0]}, but the bot already wrote (or published a "
            f"checkpoint of) seq {newest}:"
            " restoring it would erase those events. If that loss is meant (the newer database is lost or"
            " damaged), run again with --accept-rollback; the rollback is then recorded in the log")
    kept = backup.restore(source, settings.db_path)
    typer.echo(f"restored {source} -> {settings.db_path} (checksum and integrity verified)")
    if kept is not None:
        typer.echo(f"the database it replaced is kept as {kept}")
    if behind:
        asyncio.run(_record_rollback(settings, newest, copy_tail))
        typer.echo(f"rollback recorded in the log and published as a checkpoint: events {copy_tail[0] + 1}..{newest} "
                   "are gone")
    typer.echo("next: `consult doctor`, then start the bot")


@db_app.command("migrate-to-postgres")
@friendly_errors
def migrate_to_postgres(url: str = typer.Argument(..., help="postgresql://user@host:port/database, empty")) -> None:
    """Move this deployment's SQLite store into an empty PostgreSQL database, checking it on arrival."""
    settings = load_settings()
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("the target must be a postgresql:// URL")
    if settings.database_url_text is not None:
        raise ConfigError("CONSULT_DATABASE_URL is already set: the store is on PostgreSQL; unset it to move "
                          "from the SQLite file in the data folder")
    if not settings.db_path.exists():
        raise ConfigError(f"no SQLite database at {settings.db_path} to move")
    if runlock.is_running(settings.data_dir):
        raise runlock.AlreadyRunningError(f"the bot is running on {settings.data_dir}; stop it first, so that "
                                          "nothing written during the move is left behind")
    moved = asyncio.run(_move(settings, url))
    typer.echo(f"moved {moved.rows:,} rows of {moved.tables} tables to {redacted(url)}")
    typer.echo("event log checked on arrival: every hash and link holds, and every MAC where events are keyed")
    typer.echo(f"next: set CONSULT_DATABASE_URL={redacted(url)} for the bot and every command, start it, and keep "
               f"{settings.db_path} (ciphertext, with keys/) until the first PostgreSQL backup is taken")


async def _move(settings: Settings, url: str) -> transfer.Moved:
    keys = KeyStore(settings.keys_dir)
    source = await Database.open(settings.db_path)
    target = await open_database(url, settings.db_path)
    try:
        await migrations.upgrade(source, shipped_dir("migrations"), SystemClock())
        await migrations.upgrade(target, shipped_dir("migrations"), SystemClock())
        await transfer.require_empty(target)
        await eventmacs.attach(source, keys)  # as the bot's start does: the log's MACs are checked too
        if faults := await eventmacs.log_faults(source, settings.keys_dir):
            raise StoreError(f"the SQLite event log does not verify ({len(faults)} faults; first: {faults[0]}): "
                             "nothing moved; `consult doctor` says more")
        moved = await transfer.move(source, target)
        await eventmacs.attach(target, keys)
        if faults := await eventmacs.log_faults(target, settings.keys_dir):
            raise StoreError(f"the event log moved does not verify on PostgreSQL ({len(faults)} faults; first: "
                             f"{faults[0]}): drop that database and try again; the SQLite file is unchanged")
        return moved
    finally:
        await source.close()
        await target.close()
