"""Shared fixtures: a real data directory, real keys and a real SQLite file under tmp_path."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import hypothesis
import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from bot.clock import FakeClock
from bot.composition import open_context
from bot.config import Settings, load_settings, shipped_dir
from bot.policy.files import load_roster, load_routing
from bot.services.kernel.context import AppContext
from bot.store.keys import KeyStore
from bot.store.repos import people
from tests.support.paths import EXAMPLE_ROSTER
from tests.support.postgres import Server, requires_postgres, running_server

# Hypothesis keeps no example database, and its caches (made while tests are collected) go to a
# temporary folder: nothing is written into the checkout.
hypothesis.settings.register_profile("suite", database=None)
hypothesis.settings.load_profile("suite")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="rapid-consult-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)


# Collection and module- or session-scoped fixtures run before the per-test isolation below: the
# caller's CONSULT_* variables are dropped for the whole run as soon as the suite loads.
for _name in [name for name in os.environ if name.startswith("CONSULT_")]:
    del os.environ[_name]


@pytest.fixture(autouse=True)
def _isolated_from_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the caller's configuration or writes where the caller keeps data: an
    operator's shell has CONSULT_DATA_DIR (maybe loose, maybe production) and a `.env` may sit in
    the checkout. Every test starts with no CONSULT_* variable, in its own temporary directory,
    with the default data directory (XDG_DATA_HOME) inside it."""
    for name in list(os.environ):
        if name.startswith("CONSULT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)


# Every use case's test opens its store on both engines: they reach every repository.
BOTH_ENGINES_FOLDERS = (Path(__file__).parent / "unit" / "services",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `both_engines` that opens a store runs on SQLite and on PostgreSQL."""
    on_both = metafunc.definition.get_closest_marker("both_engines") is not None or any(
        folder in metafunc.definition.path.parents for folder in BOTH_ENGINES_FOLDERS)
    on_both = on_both and metafunc.definition.get_closest_marker("one_engine") is None
    if "engine" in metafunc.fixturenames and on_both:
        metafunc.parametrize("engine", ["sqlite", pytest.param("postgres", marks=requires_postgres)], indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The store's engine for this test: SQLite unless the test runs on both."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    with running_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
             engine: str) -> Settings:
    monkeypatch.setenv("CONSULT_DATA_DIR", str(tmp_path / "data"))
    if engine == "postgres":
        monkeypatch.setenv("CONSULT_DATABASE_URL", request.getfixturevalue("postgres_server").new_database())
    result = load_settings()
    result.ensure_data_dir()
    KeyStore(result.keys_dir).init()
    return result


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def context(settings: Settings, clock: FakeClock) -> AsyncIterator[AppContext]:
    async with open_context(settings, clock) as ctx:
        yield ctx


@pytest.fixture
async def rostered(context: AppContext) -> AppContext:
    """A context whose database holds the example roster."""
    roster = load_roster(EXAMPLE_ROSTER, load_routing(shipped_dir("policies")))
    async with context.db.transaction() as tx:
        await people.import_roster(tx, roster)
    return context
