"""`consult export` and `consult verify`: the transcript bundle of DESIGN.md."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bot.cli import app, friendly_errors
from bot.config import load_settings
from bot.context import open_context


@app.command("export")
@friendly_errors
def export(
    consultation: int = typer.Argument(..., help="The consultation's number (#N)"),
    out: Path = typer.Option(..., "--out", help="Directory to write the bundle into"),
    by: str = typer.Option("cli", "--by", help="Who is exporting (recorded in the transcript and the log)"),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write transcript.pdf"),
) -> None:
    """Write the signed transcript bundle of consultation ID."""
    from bot.services.exporting import export_bundle

    settings = load_settings()

    async def run() -> str:
        async with open_context(settings) as ctx:
            summary = await export_bundle(ctx, consultation, out, by, pdf=pdf)
        names = ", ".join(p.name for p in summary.files)
        return (f"#{consultation}: {summary.messages} messages, {summary.events} events -> {out} ({names})\n"
                f"sha256 {summary.transcript_sha256}")

    typer.echo(asyncio.run(run()))


@app.command("verify")
def verify(
    directory: Path = typer.Argument(..., help="A transcript bundle directory"),
    allowed_signers: Path = typer.Option(None, "--allowed-signers",
                                         help="Trust this key file (from `consult keys show-public`) "
                                              "rather than the bundle's own copy"),
) -> None:
    """Verify a transcript bundle: signature, hash chain, completeness. Exit 0 only if all hold."""
    from bot.audit.verify import verify_bundle

    checks = verify_bundle(directory, allowed_signers)
    for check in checks:
        typer.secho(str(check), fg=None if check.ok else typer.colors.RED)
    if allowed_signers is None:
        typer.echo("note: the key was taken from the bundle itself; pass --allowed-signers with the key "
                   "published by `consult keys show-public` to prove who signed")
    raise typer.Exit(0 if all(c.ok for c in checks) else 1)
