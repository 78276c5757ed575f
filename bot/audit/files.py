"""Writing a bundle's files owner-only (or with the mode the exporter chose), whatever the umask.

A transcript holds a consultation's content: by default its files are 0600 in a 0700 folder. A
mode is applied from the first byte (os.open) and again with fchmod, so neither a loose umask nor
a file left by an earlier export widens it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

DEFAULT_FILE_MODE = 0o600


def folder_mode(file_mode: int) -> int:
    """The folder's mode for files of `file_mode`: whoever may read a file may enter (0640 -> 0750)."""
    return file_mode | ((file_mode & 0o444) >> 2)


def make_folder(path: Path, file_mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=folder_mode(file_mode))
    os.chmod(path, folder_mode(file_mode))


def open_file(path: Path, mode: int) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "wb")


def write_file(path: Path, content: bytes, mode: int) -> None:
    with open_file(path, mode) as handle:
        handle.write(content)
