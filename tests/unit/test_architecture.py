"""The shape of the code, held: test modules share helpers only through tests/support/; SQL is
written only in bot/store/; the errors a user can be shown are declared in bot/errors.py; and
every room of bot/ has its place in the import contract that `make lint` checks (pyproject.toml)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
import tomllib

import grimp
import pytest

import bot.services
from bot.errors import ConsultError
from bot.services.kernel.context import AppContext
from bot.stores import Stores
from tests.support.paths import REPO

SUPPORT = "tests.support"
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
    assert writing == set()


# Reading what a message is out of its de-duplication key: a pattern match on it in SQL (LIKE's `_`
# matches any character, so `moit_1` counted `moit-1`'s rows), or taking it apart in Python.
_PARSES_DEDUP_KEYS = re.compile(r"dedup_key\s+(NOT\s+)?(LIKE|GLOB)\s|substr\(\s*dedup_key|instr\(\s*dedup_key|"
                                r"dedup_key\.(split|rsplit|partition|rpartition|startswith|removeprefix)\(",
                                re.IGNORECASE)


def test_no_code_reads_meaning_out_of_dedup_keys() -> None:
    """The typed outbox keeps what a row is (kind, consultation, person, attempt) in columns; its
    de-duplication key only names it for exactly-once delivery. Migration 0008 read the old keys
    once, for rows queued before it; nothing in bot/ may do so again."""
    parsing = {
        str(path.relative_to(REPO)) for path in sorted((REPO / "bot").rglob("*.py"))
        if _PARSES_DEDUP_KEYS.search(path.read_text(encoding="utf-8"))
    }
    assert parsing == set()


def test_use_case_errors_are_declared_in_bot_errors() -> None:
    """Every error a user can be shown (a ConsultError, rendered by its message key) is one of the
    one hierarchy in bot/errors.py, not a class a use case keeps to itself."""
    declared_in_services = sorted(
        f"{info.name}.{name}"
        for info in pkgutil.iter_modules(bot.services.__path__, "bot.services.")
        for name, value in inspect.getmembers(importlib.import_module(info.name), inspect.isclass)
        if issubclass(value, ConsultError) and value.__module__ == info.name
    )
    assert declared_in_services == []


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



def _a_circle(graph: grimp.ImportGraph, modules: set[str]) -> list[str]:
    """One import circle among `modules`, as the modules it passes through; [] when there is none
    (a depth-first walk: an import back to a module still on the path closes a circle)."""
    finished: set[str] = set()
    for start in sorted(modules):
        if start in finished:
            continue
        path = [start]
        pending = [iter(sorted(graph.find_modules_directly_imported_by(start) & modules))]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                finished.add(path.pop())
                pending.pop()
            elif following in path:
                return [*path[path.index(following):], following]
            elif following not in finished:
                path.append(following)
                pending.append(iter(sorted(graph.find_modules_directly_imported_by(following) & modules)))
    return []


def test_no_module_of_bot_imports_itself_round_a_circle() -> None:
    """Module by module, not only room by room (the import contract's acyclic_siblings): the five
    circles issue 18 named (answering-screening, deadlines-managing, audit render-transcript,
    sandbox control-server, cli-commands) are gone, and none may come back. An import inside a
    function counts: it is a circle deferred, not removed."""
    graph = grimp.build_graph("bot", cache_dir=None)
    assert _a_circle(graph, set(graph.modules)) == []


def test_the_circle_finder_finds_circles() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.z")
    assert _a_circle(graph, set(graph.modules)) == []
    graph.add_import(importer="a.z", imported="a.y")
    assert _a_circle(graph, set(graph.modules)) == ["a.y", "a.z", "a.y"]


_CONTEXT_FIELDS = "|".join(f.name for f in dataclasses.fields(AppContext))
_ASSIGNS_A_CONTEXT_FIELD = re.compile(rf"^\s*(?!self\.)\w+\.({_CONTEXT_FIELDS})(\s*,\s*\w+\.\w+)*\s*=[^=]",
                                      re.MULTILINE)


def test_the_context_and_the_stores_are_frozen() -> None:
    """Built once by the composition root with everything it holds; a part that changes while the
    bot runs (whether it is connected, whether its workers are open) is the port's state, not a
    field plugged in later."""
    for built_once in (AppContext, Stores):
        assert built_once.__dataclass_params__.frozen  # type: ignore[attr-defined]
    context = AppContext.__new__(AppContext)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(context, "group_chat_id", 1)  # noqa: B010 (spelled so the test below reads no assignment)


def test_nothing_assigns_a_field_of_the_context_after_it_is_built() -> None:
    """Not in bot/, not in the tests: a different context is built (`dataclasses.replace`, or the
    composition root's arguments), never changed in place."""
    assigning = {
        f"{path.relative_to(REPO)}: {match.group(0).strip()}"
        for folder in ("bot", "tests") for path in sorted((REPO / folder).rglob("*.py"))
        for match in _ASSIGNS_A_CONTEXT_FIELD.finditer(path.read_text(encoding="utf-8"))
    }
    assert assigning == set()
    assert _ASSIGNS_A_CONTEXT_FIELD.search("    ctx.guard = KeywordGuard()")
    assert _ASSIGNS_A_CONTEXT_FIELD.search("ctx.group_chat_id, ctx.guard = group, guard")
    assert not _ASSIGNS_A_CONTEXT_FIELD.search("    self.guard = guard")


def test_no_import_contract_is_waived() -> None:
    """The rooms hold without exceptions: no contract lists imports it ignores."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert [c["id"] for c in config["tool"]["importlinter"]["contracts"] if c.get("ignore_imports")] == []


def test_the_transport_never_reaches_the_stores_through_the_context() -> None:
    """bot/telegram hands the context to use cases; the database and the keys are theirs to use."""
    reaching = {
        str(path.relative_to(REPO)) for path in sorted((REPO / "bot" / "telegram").rglob("*.py"))
        if re.search(r"\b(ctx|context)\.(db|keys)\b", path.read_text(encoding="utf-8"))
    }
    assert reaching == set()
