"""The shape of the code, held: test modules share helpers only through tests/support/; SQL is
written only in bot/store/ (but for the remainder listed for part 2 of issue 18); and every room
of bot/ has its place in the import contract that `make lint` checks (pyproject.toml)."""

from __future__ import annotations

import re
import tomllib

import grimp

from tests.support.paths import REPO

SUPPORT = "tests.support"
# SQL still written in use cases: part 2 of issue 18 moves it into bot/store/repos/. Listed file
# by file so that none is added unseen; a file that no longer writes SQL must leave the list.
SQL_OUTSIDE_THE_STORE = {
    "bot/services/enrollment.py",  # invitations to re-send
    "bot/services/exporting.py",  # whether the consultation exists
    "bot/services/incoming.py",  # which consultation a private reply belongs to
    "bot/services/membership.py",  # whether a joining user is invited
    "bot/services/retention.py",  # what to shred, and the rows that go with it
}
_SQL = re.compile(r"\.(execute|executemany|executescript|fetchval|fetchall|fetchone)\(|"
                  r"[\"'](SELECT\s.*\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s)")


def test_no_test_module_imports_another() -> None:
    """A helper two test modules need lives in tests/support/, never in one of them or a conftest."""
    graph = grimp.build_graph("tests", cache_dir=None)
    offending = sorted(
        f"{importer} -> {imported}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.startswith("tests.") and not (imported == SUPPORT or imported.startswith(SUPPORT + "."))
    )
    assert offending == []


def test_sql_is_written_only_in_the_store() -> None:
    writing = {
        str(path.relative_to(REPO)) for path in sorted((REPO / "bot").rglob("*.py"))
        if not path.is_relative_to(REPO / "bot" / "store") and _SQL.search(path.read_text(encoding="utf-8"))
    }
    assert writing == SQL_OUTSIDE_THE_STORE


def test_every_room_has_its_place_in_the_import_contract() -> None:
    """A new top-level module or package of bot/ must be placed in the layers (or, like the
    sandbox, be held apart by contracts of its own) before it can be used."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["id"] == "rooms")
    placed = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    bot = REPO / "bot"
    rooms = {f"bot.{p.stem}" for p in bot.glob("*.py") if p.stem != "__init__"}
    rooms |= {f"bot.{p.name}" for p in bot.iterdir() if (p / "__init__.py").is_file()}
    assert rooms - placed == {"bot.sandbox"}
    assert placed <= rooms  # and the contract names nothing that is gone
