"""The append-only file of published checkpoints beside the database (`checkpoints.log`): one C2SP
signed note per record, records separated by a blank line, each fsync'd before the bot goes on.

It is a witness the bot keeps for itself: whoever rolls the database back or rewrites it must also
rewrite this file, and every copy auditors received from the chat and the journal. The bot refuses
to start on a log behind its last record (bot/services/reports/checkpointing.py)."""

from __future__ import annotations

import os
from pathlib import Path

from bot.domain import note
from bot.domain.note import SignedNote

FILE_NAME = "checkpoints.log"


def path_beside(db_path: Path) -> Path:
    return db_path.with_name(FILE_NAME)


def append(path: Path, signed: SignedNote) -> None:
    """Append one note and fsync the file (and, when it is new, its folder)."""
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, (signed.text() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def last(path: Path) -> tuple[int, SignedNote] | None:
    """The last note of the file and its line, None when there is no file or no note.
    NoteError when the file is damaged: that is for a person to look at, never to pass over."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    notes = note.parse_many(text)
    return notes[-1] if notes else None
