"""CLI command modules; each registers its commands on the apps in `bot.commands.apps` when
imported, so importing this package gives the whole `consult` command."""

from bot.commands import (  # noqa: F401
    audit_commands,
    db_commands,
    doctor_commands,
    guard_commands,
    keys_commands,
    policy_commands,
    retention_commands,
    roster_commands,
    run_commands,
    sandbox_commands,
    updates_commands,
)
from bot.commands.apps import app

__all__ = ["app"]
