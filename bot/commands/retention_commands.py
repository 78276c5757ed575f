"""`consult retention apply`: shred the content of consultations ended too long ago."""

from __future__ import annotations

import asyncio

import typer

from bot.commands.apps import friendly_errors, retention_app
from bot.composition import open_context
from bot.config import load_settings
from bot.policy.files import load_retention_policy
from bot.services import retention


@retention_app.command("apply")
@friendly_errors
def apply(dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be shredded")) -> None:
    """Destroy the data keys of consultations ended more than `closed_content_days` ago."""
    settings = load_settings()
    policy = load_retention_policy(settings.policy_dir)
    if policy.closed_content_days is None:
        typer.echo("retention: closed_content_days is null; content is kept forever, nothing to do")
        return

    async def run() -> list[retention.Shredded]:
        async with open_context(settings) as ctx:
            return await retention.apply(ctx, policy, dry_run=dry_run)

    shredded = asyncio.run(run())
    verb = "would shred" if dry_run else "shredded"
    for item in shredded:
        typer.echo(f"{verb} #{item.consultation_id} (ended {item.closed_at})")
    typer.echo(f"retention ({policy.closed_content_days} days): {verb} {len(shredded)} consultation(s)")
