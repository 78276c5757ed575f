"""Plain-SQL migrations: `migrations/NNNN_name.sql`, applied once, in order, each in a transaction.

Each applied migration is recorded with the SHA-256 of its file. A recorded migration whose file
has since changed is refused: the database was built from different SQL than the repository now
says, and silently continuing would leave two deployments with different schemas under one name.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock, to_iso
from bot.errors import MigrationError
from bot.store.db import Database
from bot.store.postgres import PgTx

POSTGRES_FOLDER = "postgres"
_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(directory: Path) -> list[Migration]:
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.fullmatch(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path}: version {version:04d} is used twice")
        found[version] = Migration(version, match.group(2), path, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def split_statements(sql: str) -> list[str]:
    """Split a script into complete statements (triggers with inner `;` stay whole)."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    rest = "\n".join(ln for ln in buffer.splitlines() if not ln.strip().startswith("--")).strip()
    if rest:
        raise MigrationError(f"incomplete SQL statement at the end: {rest[:60]!r}")
    return statements


async def applied_versions(db: Database) -> dict[int, str]:
    async with db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,"
            " applied_at TEXT NOT NULL)"
        )
        rows = await tx.fetchall("SELECT version, checksum FROM schema_migrations")
    return {int(row["version"]): str(row["checksum"]) for row in rows}


def applied_read_only(path: Path) -> dict[int, str]:
    """The migrations recorded in the database file at `path` (version: checksum), read without
    writing anything (for `consult doctor`); sqlite3.DatabaseError if they cannot be read."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    finally:
        connection.close()
    return {int(v): str(c) for v, c in rows}


async def upgrade(db: Database, directory: Path, clock: Clock) -> list[Migration]:
    """Apply pending migrations; return those applied. Refuse edited or vanished ones.

    On PostgreSQL the files are `directory/postgres/`: a baseline holding the schema SQLite's
    files had built by then, and a twin of every SQLite migration after it."""
    if db.dialect == "postgresql":
        directory = directory / POSTGRES_FOLDER
    available = discover(directory)
    applied = await applied_versions(db)
    by_version = {m.version: m for m in available}
    for version, checksum in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {version:04d} applied, but {directory} has no such file "
                "(is this an older release than the database?)"
            )
        if migration.checksum != checksum:
            raise MigrationError(
                f"{migration.path.name} was changed after it was applied to this database "
                f"(recorded sha256 {checksum[:12]}…, file now {migration.checksum[:12]}…); "
                "never edit an applied migration — add a new one"
            )
    done: list[Migration] = []
    for migration in available:
        if migration.version in applied:
            continue
        try:
            async with db.transaction() as tx:
                if isinstance(tx, PgTx):  # PostgreSQL's own file, run as written (functions hold `;`)
                    await tx.script(migration.sql)
                else:
                    for statement in split_statements(migration.sql):
                        await tx.execute(statement)
                await tx.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                    (migration.version, migration.name, migration.checksum, to_iso(clock.now())),
                )
        except sqlite3.Error as exc:
            raise MigrationError(f"{migration.path.name} failed and was rolled back: {exc}") from exc
        done.append(migration)
    return done
