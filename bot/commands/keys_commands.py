"""`consult keys ...`"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import typer

from bot.commands.apps import friendly_errors, keys_app
from bot.composition import open_context
from bot.config import load_settings
from bot.errors import UsageError
from bot.store.datakeys import rewrap_all
from bot.store.keys import CURRENT_POINTER, KeyStore


@keys_app.command("init")
@friendly_errors
def init() -> None:
    """Create the master key, the Ed25519 signing key, the HMAC key and a self-signed certificate for
    transcript PDFs (owner-only files)."""
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
    written = [path, settings.keys_dir / CURRENT_POINTER, *_database_files(settings.db_path)]
    _keep_folder_owner(settings.data_dir, written)
    typer.echo(f"master key {old_id} -> {new_id} ({path}); re-wrapped {count} data keys")
    typer.echo(f"keep {old_id} in custody until every backup made before now has expired, then destroy it")


def _database_files(db_path: Path) -> list[Path]:
    return [db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")]


def _keep_folder_owner(folder: Path, paths: list[Path]) -> None:
    """Run as root (sudo), rotation would leave root-owned keys (and a root-owned WAL) that the
    service's user cannot read at its next start: what it wrote goes to the data folder's owner."""
    if os.geteuid() != 0:
        return
    owner = folder.stat()
    if owner.st_uid == 0:
        return
    for path in paths:
        if path.exists() and not path.is_symlink():
            os.chown(path, owner.st_uid, owner.st_gid)


@keys_app.command("show-public")
@friendly_errors
def show_public() -> None:
    """Print the transcript signing key as an allowed_signers line, to publish out of band: auditors
    verify with it (`consult verify DIR --allowed-signers FILE`, or `ssh-keygen -Y verify`)."""
    from bot.audit.sshsig import fingerprint, public_key_blob
    from bot.audit.transcript import allowed_signers_line

    settings = load_settings()
    public = KeyStore(settings.keys_dir).signing_key().public_key()
    typer.echo(allowed_signers_line(public))
    typer.echo(f"# fingerprint {fingerprint(public_key_blob(public))}", err=True)


@keys_app.command("import-certificate")
@friendly_errors
def import_certificate(
    file: Path = typer.Argument(..., help="A PKCS#12 file (.p12/.pfx) with the private key, its certificate and "
                                          "the chain"),
    password_file: Path = typer.Option(None, "--password-file",
                                       help="Read the file's password from here (otherwise asked for)"),
) -> None:
    """Sign transcript PDFs from now on with an organisation's certificate instead of the
    self-signed one `consult keys init` made."""
    from bot.store import certificates

    settings = load_settings()
    settings.ensure_data_dir()
    if not file.is_file():
        raise UsageError(f"{file}: no such file")
    if password_file is not None:
        password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
    else:
        password = typer.prompt(f"Password of {file.name} (empty if none)", default="", hide_input=True,
                                show_default=False)
    signer = certificates.import_pkcs12(settings.keys_dir, file.read_bytes(), password.encode() or None)
    typer.echo(f"transcript PDFs are now signed by {signer.subject}")
    until = signer.certificate.not_valid_after_utc
    typer.echo(f"certificate SHA-256 {signer.fingerprint}; valid until {until:%Y-%m-%d}")


@keys_app.command("show-certificate")
@friendly_errors
def show_certificate() -> None:
    """Print the certificate that signs transcript PDFs (PEM), to give to auditors and PDF readers."""
    from bot.store import certificates

    signer = certificates.load(load_settings().keys_dir)
    typer.echo(signer.cert_path.read_text(encoding="ascii").strip())
    typer.echo(f"# {signer.subject}; SHA-256 {signer.fingerprint}"
               + ("; self-signed" if signer.self_signed else ""), err=True)
