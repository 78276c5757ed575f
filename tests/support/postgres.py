"""A real PostgreSQL server for the tests, started from Debian's `postgresql` binaries.

One server per test session, in a temporary folder, on a free local port, with durability off
(fsync) since nothing survives the session; each test gets a database of its own. Tests that need
it skip, naming the Debian package, where the binaries are absent. As root (CI containers), the
server runs as the `postgres` user Debian's package creates: PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "consult"


def binaries() -> Path | None:
    """The newest installed server's bin folder, or None."""
    def version(folder: Path) -> int:
        return int(folder.parent.name) if folder.parent.name.isdigit() else 0

    found = sorted(Path("/").glob(_BIN_GLOB.lstrip("/")), key=version)
    found = [folder for folder in found if (folder / "initdb").exists() and (folder / "pg_ctl").exists()]
    return found[-1] if found else None


def _runner() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return ["__no_user__"]
    return ["runuser", "-u", "postgres", "--"]


def why_unavailable() -> str | None:
    if binaries() is None:
        return "needs Debian's postgresql (its server binaries under /usr/lib/postgresql)"
    if _runner() == ["__no_user__"]:
        return "needs Debian's postgresql (the postgres user it creates: the server refuses to run as root)"
    return None


requires_postgres = pytest.mark.skipif(why_unavailable() is not None, reason=why_unavailable() or "")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    folder: Path
    port: int
    _names: Iterator[int]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database on the server; its URL."""
        import psycopg

        name = f"test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")  # a name of ours: digits after a prefix
        return self.url(name)

    def pg_ctl(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        folder = binaries()
        assert folder is not None
        return subprocess.run([*_runner(), str(folder / "pg_ctl"), "-D", str(self.folder / "data"), *arguments],
                              capture_output=True, text=True, check=False, timeout=60)


@contextlib.contextmanager
def running_server() -> Iterator[Server]:
    folder_bin = binaries()
    assert folder_bin is not None
    folder = Path(tempfile.mkdtemp(prefix="rapid-consult-pg-"))
    runner = _runner()
    if runner:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    server = Server(folder, port, itertools.count(1))
    try:
        subprocess.run([*runner, str(folder_bin / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", SUPERUSER,
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                       capture_output=True, text=True, check=True, timeout=120)
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        started = server.pg_ctl("-o", options, "-l", str(folder / "server.log"), "-w", "start")
        if started.returncode != 0:
            log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}{log[-2000:]}")
        yield server
    finally:
        server.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
