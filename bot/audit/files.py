"""Writing a bundle's files owner-only (or with the mode the exporter chose), whatever the umask.

A transcript holds a consultation's content: by default its files are 0600 in a 0700 folder. A
mode is applied from the first byte and again with fchmod (bot.files.open_with_mode), so neither a
loose umask nor a file left by an earlier export widens it, and no file is written through a link.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Any

from bot.files import open_with_mode

DEFAULT_FILE_MODE = 0o600


def folder_mode(file_mode: int) -> int:
    """The folder's mode for files of `file_mode`: whoever may read a file may enter (0640 -> 0750)."""
    return file_mode | ((file_mode & 0o444) >> 2)


def make_folder(path: Path, file_mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=folder_mode(file_mode))
    os.chmod(path, folder_mode(file_mode))


def open_file(path: Path, mode: int) -> contextlib.AbstractContextManager[IO[Any]]:
    return open_with_mode(path, mode)


def write_file(path: Path, content: bytes, mode: int) -> None:
    with open_file(path, mode) as handle:
        handle.write(content)
