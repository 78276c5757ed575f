"""A data folder is a deployment's or a sandbox's, never both.

A sandbox imports the example roster (deactivating everyone else and making the example ids
coordinators and auditors), creates keys and fills the database with drills: on a deployment's
folder that is a takeover. So a sandbox runs only on a folder of its own — `<data dir>/sandbox`
unless one is named — marked by a file, and the bot refuses to run against Telegram on a folder
so marked, or against a sandbox on a folder that holds a deployment.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from bot.errors import ConfigError
from bot.files import make_private_dir, write_owner_only

MARKER = "SANDBOX"
SANDBOX_SUBDIR = "sandbox"
SANDBOX_STATE_FILE = "sandbox-state.json"
_MARKER_TEXT = (
    "This folder belongs to a rapid-consult sandbox (`consult run --sandbox`): its roster, keys and\n"
    "consultations are a drill's. `consult run` refuses to use it against Telegram.\n"
)


class FolderKind(StrEnum):
    EMPTY = "empty"  # nothing of a deployment in it yet
    SANDBOX = "sandbox"
    DEPLOYMENT = "deployment"


def kind_of(folder: Path) -> FolderKind:
    if (folder / MARKER).is_file():
        return FolderKind.SANDBOX
    if (folder / "consult.db").exists() or (folder / "keys" / "master.current").exists():
        return FolderKind.DEPLOYMENT
    return FolderKind.EMPTY


def sandbox_folder(data_dir: Path, chosen: Path | None = None) -> Path:
    """Where a sandbox keeps its data: the folder named, else the data folder if it is a
    sandbox's already, else `sandbox/` under it."""
    if chosen is not None:
        return chosen
    return data_dir if kind_of(data_dir) is FolderKind.SANDBOX else data_dir / SANDBOX_SUBDIR


def prepare_sandbox_folder(folder: Path) -> Path:
    """Make (or accept) `folder` as a sandbox's; refuse one holding a deployment."""
    kind = kind_of(folder)
    if kind is FolderKind.DEPLOYMENT:
        raise ConfigError(
            f"{folder} holds a deployment's data (a database or keys) and is not marked as a sandbox's; "
            f"a sandbox never runs on it. Name an empty folder with --data-dir, or leave the default "
            f"(`{SANDBOX_SUBDIR}/` under the data folder)")
    make_private_dir(folder)
    if kind is FolderKind.EMPTY:
        write_owner_only(folder / MARKER, _MARKER_TEXT)
    return folder


def check_deployment_folder(folder: Path) -> None:
    """Refuse to run against Telegram on a sandbox's folder."""
    if kind_of(folder) is FolderKind.SANDBOX:
        raise ConfigError(
            f"{folder} is a sandbox's data folder (it holds {MARKER}); refusing to run against Telegram with "
            "it: its roster and keys are a drill's. Point CONSULT_DATA_DIR (or --data-dir) at the "
            "deployment's folder")
