"""Secret files (keys, the PDF certificate's private key): created owner-only from the first byte,
and refused when anyone but their owner can read or write them.

Its own module so that the key store and the certificate beside it share these without importing
each other.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.errors import KeyMissingError, KeyPermissionError


def check_owner_only(path: Path) -> None:
    """Refuse a key file (or key directory) that anyone but its owner can read or write."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError as exc:
        raise KeyMissingError(f"key file {path} does not exist; create keys with `consult keys init`") from exc
    if mode & 0o077:
        wanted = "700" if path.is_dir() else "600"
        raise KeyPermissionError(
            f"{path} is accessible to group or others (mode {mode:03o}); "
            f"refusing to use it. Fix with: chmod {wanted} {path}"
        )


def write_secret_file(path: Path, content: bytes) -> None:
    """Create a file owner-only from the first byte, never widening then narrowing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        try:
            os.write(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        path.unlink()  # a half-written key would pass for one that exists
        raise


def read_secret_file(path: Path) -> bytes:
    check_owner_only(path)
    return path.read_bytes()
