"""Files and directories that are owner-only from their first byte, and loose ones found loudly.

Everything the bot writes holds consultations, keys or their ciphertext: a file created with the
process's umask and narrowed afterwards is readable by others for as long as it is being written.
So files are opened with their final mode, and a mode found too wide at start is both fixed and
reported: an operator must learn that it was open, since by then it may have been read.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from bot.errors import LinkRefusedError

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700


def create_owner_only(path: Path) -> None:
    """Create an empty file, owner-only, refusing one that exists (it might be someone else's)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE))


def open_owner_only(path: Path, mode: str = "wb",
                    encoding: str | None = None) -> contextlib.AbstractContextManager[IO[Any]]:
    """Open `path` for writing, created or truncated, owner-only before anything is written."""
    return open_with_mode(path, FILE_MODE, mode, encoding)


@contextlib.contextmanager
def open_with_mode(path: Path, file_mode: int, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Open `path` for writing, created or truncated, with `file_mode` before anything is written
    (whatever the umask), never through a symbolic link."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, file_mode)
    except OSError as exc:
        if path.is_symlink():
            raise LinkRefusedError(f"{path} is a symbolic link; refusing to write through it "
                                   "(remove it, or choose another folder)") from exc
        raise
    try:
        os.fchmod(fd, file_mode)  # one that existed keeps its mode through O_CREAT
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, mode, encoding=encoding) as handle:
        yield handle


def write_owner_only(path: Path, content: bytes | str, *, durable: bool = False) -> None:
    """Write a whole file atomically: a staging file owner-only, renamed into place. A failure at
    any point leaves the previous file (or none) and no staging file behind."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    staging = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open_owner_only(staging) as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def make_private_dir(path: Path) -> None:
    """Create a directory (and its parents) owner-only; tighten and report one found loose."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    tighten(path, DIR_MODE)


def tighten(path: Path, wanted: int) -> bool:
    """Narrow `path` to `wanted` if group or others had any access; True (and a warning naming
    the path and the mode found) if it was loose. A missing path is left alone."""
    try:
        mode = stat.S_IMODE(path.lstat().st_mode)
    except FileNotFoundError:
        return False
    if not mode & 0o077:
        return False
    os.chmod(path, wanted)
    log.warning("%s had mode %04o (group or others could reach it); tightened to %04o. Find out who "
                "could have read it while it was open", path, mode, wanted, extra={"path": str(path)})
    return True
