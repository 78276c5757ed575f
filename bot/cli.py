"""The `consult` command: one typer app, sub-apps per noun (bot/commands/).

Commands render `ConsultError`s as one clear line on stderr and exit 2; anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import os

# Importing the package registers every command module on the app, so `--help` lists all.
from bot.commands import app

__all__ = ["app", "main"]


def main() -> None:
    # Whatever this process creates — by our code, SQLite or a library — is its owner's only; the
    # files that must be readable by others (the public signing key) say so with their own mode.
    os.umask(0o077)
    app()
