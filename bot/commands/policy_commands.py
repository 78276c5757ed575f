"""`consult policy check [DIR]`: every policy file, each problem with file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from bot.commands.apps import friendly_errors, policy_app
from bot.config import load_settings
from bot.errors import PolicyError
from bot.policy.files import (
    DEADLINES_FILE,
    RETENTION_FILE,
    ROUTING_FILE,
    load_deadline_policy,
    load_retention_policy,
    load_routing,
)


def _checks() -> list[tuple[str, Callable[[Path], object]]]:
    """(file, loader) pairs; each room adds its policy file here."""
    from bot.guard.policy import GUARD_FILE, load_guard_policy

    return [(ROUTING_FILE, load_routing), (DEADLINES_FILE, load_deadline_policy), (GUARD_FILE, load_guard_policy),
            (RETENTION_FILE, load_retention_policy)]


@policy_app.command("check")
@friendly_errors
def check(directory: Path = typer.Argument(None, help="Policy directory (default: the configured one)")) -> None:
    """Validate a policy directory and say what is wrong, with file and line."""
    policy_dir = directory or load_settings().policy_dir
    failures = 0
    for name, loader in _checks():
        try:
            loader(policy_dir)
        except PolicyError as exc:
            failures += 1
            typer.secho(f"FAIL {name}", fg=typer.colors.RED)
            for line in str(exc).splitlines():
                typer.echo(f"  {line}")
        else:
            typer.echo(f"OK   {name}")
    if failures:
        raise typer.Exit(1)
