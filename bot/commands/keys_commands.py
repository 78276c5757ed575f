"""`consult keys ...`"""

from __future__ import annotations

import asyncio

import typer

from bot.cli import friendly_errors, keys_app
from bot.config import load_settings
from bot.context import open_context
from bot.store.datakeys import rewrap_all
from bot.store.keys import KeyStore


@keys_app.command("init")
@friendly_errors
def init() -> None:
    """Create the master key, the Ed25519 signing key and the HMAC key (owner-only files)."""
    settings = load_settings()
    settings.ensure_data_dir()
    created = KeyStore(settings.keys_dir).init()
    if not created:
        typer.echo(f"keys already exist in {settings.keys_dir}; nothing created")
    for path in created:
        typer.echo(f"created {path}")


@keys_app.command("rotate")
@friendly_errors
def rotate() -> None:
    """Add a new master key and re-wrap every data key under it; messages are not re-encrypted."""
    settings = load_settings()
    keys = KeyStore(settings.keys_dir)
    keys.check_all()
    old_id = keys.current_master_id()
    path = keys.add_master_key()
    new_id = keys.current_master_id()

    async def run() -> int:
        async with open_context(settings) as context, context.db.transaction() as tx:
            return await rewrap_all(tx, context.keys)

    count = asyncio.run(run())
    typer.echo(f"master key {old_id} -> {new_id} ({path}); re-wrapped {count} data keys")
    typer.echo(f"keep {old_id} in custody until every backup made before now has expired, then destroy it")


@keys_app.command("show-public")
@friendly_errors
def show_public() -> None:
    """Print the transcript signing key as an allowed_signers line, to publish out of band."""
    settings = load_settings()
    keys = KeyStore(settings.keys_dir)
    public = keys.signing_key().public_key()
    typer.echo(f"rapid-consult {KeyStore.public_key_line(public, '').strip()}")
