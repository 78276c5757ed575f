"""The `consult` command's typer apps, one per noun, and how a command turns an expected error
into one line. Command modules register on these apps as they are imported (see __init__)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from bot.errors import ConsultError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="rapid-consult: urgent consultations over Telegram.")
db_app = typer.Typer(no_args_is_help=True, help="The database.")
keys_app = typer.Typer(no_args_is_help=True, help="Encryption and signing keys.")
roster_app = typer.Typer(no_args_is_help=True, help="Agencies, people, roles and enrollment.")
policy_app = typer.Typer(no_args_is_help=True, help="Policy files (routing, deadlines, guard).")
guard_app = typer.Typer(no_args_is_help=True, help="The secrets guard.")
retention_app = typer.Typer(no_args_is_help=True, help="Destroying old content as policies/retention.yaml says.")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(roster_app, name="roster")
app.add_typer(policy_app, name="policy")
app.add_typer(guard_app, name="guard")
updates_app = typer.Typer(no_args_is_help=True, help="Telegram updates the bot set aside.")
app.add_typer(retention_app, name="retention")
app.add_typer(updates_app, name="updates")

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn an expected error into one line and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConsultError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]
