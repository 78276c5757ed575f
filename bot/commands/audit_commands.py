"""`consult export`, `consult verify`, `consult checkpoint` and `consult report`: the transcript
bundle of DESIGN.md, the signed checkpoints of the event log, and the draft report to the Prime
Minister."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bot.commands.apps import app, friendly_errors
from bot.composition import open_context
from bot.config import load_settings
from bot.errors import ConfigError, UsageError


def _mode(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        mode = int(value, 8)
    except ValueError:
        raise UsageError(f"--mode {value!r}: an octal file mode such as 0600 or 0640") from None
    if not 0 <= mode <= 0o666 or not mode & 0o600 == 0o600:
        raise UsageError(f"--mode {value}: the owner must keep read and write (0600 at least), nothing executable")
    if mode & 0o022:  # a bundle others may rewrite is no longer evidence of what the bot recorded
        raise UsageError(f"--mode {value}: the group and others may read (0640, 0644) but never write")
    return mode


@app.command("export")
@friendly_errors
def export(
    consultation: int = typer.Argument(..., help="The consultation's number (#N)"),
    out: Path = typer.Option(..., "--out", help="Directory to write the bundle into"),
    by: str = typer.Option("cli", "--by", help="Who is exporting (recorded in the transcript and the log)"),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write transcript.pdf (signed, PAdES)"),
    lang: str = typer.Option(None, "--lang", help="Language of transcript.html and .pdf: vi or en "
                                                  "(default: CONSULT_LANGUAGE)"),
    mode: str = typer.Option(None, "--mode", help="File mode of the bundle's files, octal (default 0600; the "
                                                  "folder gets the matching 0700)"),
) -> None:
    """Write the signed transcript bundle of consultation ID (owner-only unless --mode)."""
    from bot.services.reports.exporting import export_bundle

    if lang is not None and lang not in ("vi", "en"):
        raise UsageError(f"--lang {lang!r}: vi or en")
    file_mode = _mode(mode)
    settings = load_settings()

    async def run() -> str:
        async with open_context(settings) as ctx:
            summary = await export_bundle(ctx, consultation, out, by, pdf=pdf, language=lang, file_mode=file_mode)
        names = ", ".join(p.name for p in summary.files)
        covered = f"; checkpoint #{summary.checkpoint}" if summary.checkpoint else "; no checkpoint"
        return (f"#{consultation}: {summary.messages} messages, {summary.events} events -> {out} ({names})\n"
                f"sha256 {summary.transcript_sha256}{covered}")

    typer.echo(asyncio.run(run()))


@app.command("verify")
@friendly_errors
def verify(
    directory: Path = typer.Argument(..., help="A transcript bundle directory"),
    allowed_signers: Path = typer.Option(None, "--allowed-signers",
                                         help="The deployment's published key: the line `consult keys show-public` "
                                              "prints, handed over out of band. Without it, the deployment's own "
                                              "key where its data folder is; never the bundle's copy"),
    ssh_keygen: bool = typer.Option(True, "--ssh-keygen/--no-ssh-keygen",
                                    help="Also check the signature with OpenSSH's ssh-keygen -Y verify when it is "
                                         "installed"),
    expect_id: int = typer.Option(None, "--expect-id",
                                  help="Refuse the bundle unless it is this consultation's (#N)"),
    witness: Path = typer.Option(None, "--witness",
                                 help="A file of published checkpoints (signed notes: checkpoints.log, or what the "
                                      "auditors' chat received); the bundle must be consistent with every one"),
    tsa_cert: Path = typer.Option(None, "--tsa-cert",
                                  help="The time-stamping authority's certificate (PEM or DER) the checkpoint's "
                                       "RFC 3161 time-stamp must chain to"),
) -> None:
    """Verify a transcript bundle against a trusted key: signature, canonical form, hash chain,
    checkpoint, every row against its event. Exit 0 only if all hold."""
    from bot.audit import trust as trusting
    from bot.audit.verify import verify_bundle
    from bot.store.keys import KeyStore

    if allowed_signers is not None:
        if not allowed_signers.is_file():
            raise UsageError(f"--allowed-signers {allowed_signers}: no such file")
        trust = trusting.from_file(allowed_signers)
    else:
        try:
            keys_dir = load_settings().keys_dir
        except ConfigError:
            keys_dir = None
        trust = trusting.from_deployment(KeyStore(keys_dir)) if keys_dir is not None and keys_dir.is_dir() else None
    if witness is not None and not witness.is_file():
        raise UsageError(f"--witness {witness}: no such file")
    checks = verify_bundle(directory, trust, ssh_keygen=ssh_keygen, expect_id=expect_id, witness=witness,
                           tsa_certs=() if tsa_cert is None else (_certificate_der(tsa_cert),))
    for check in checks:
        typer.secho(str(check), fg=None if check.ok else typer.colors.RED)
    if trust is not None and allowed_signers is None:
        typer.echo(f"note: trusted {trust.source}; an auditor elsewhere passes --allowed-signers with the key "
                   "published by `consult keys show-public`")
    raise typer.Exit(0 if all(c.ok for c in checks) else 1)


def _certificate_der(path: Path) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    if not path.is_file():
        raise UsageError(f"--tsa-cert {path}: no such file")
    raw = path.read_bytes()
    try:
        cert = x509.load_pem_x509_certificate(raw) if b"-----BEGIN" in raw else x509.load_der_x509_certificate(raw)
    except ValueError as exc:
        raise UsageError(f"--tsa-cert {path}: not a certificate ({exc})") from exc
    return cert.public_bytes(Encoding.DER)


@app.command("checkpoint")
@friendly_errors
def checkpoint() -> None:
    """Sign a checkpoint of the event log now (the bot makes one every CONSULT_CHECKPOINT_MINUTES);
    refuses (exit 2) if the log no longer matches the last checkpoint."""
    from bot.services.reports.checkpointing import Publishing, make_checkpoint

    settings = load_settings()

    async def run() -> tuple[str, str]:
        async with open_context(settings) as ctx:
            made = await make_checkpoint(ctx.db, ctx.keys, ctx.clock, publishing=Publishing.for_context(ctx))
        if made is None:
            return "", "the event log is empty; nothing to sign"
        body = made.body
        return made.note or "", (f"checkpoint #{body.number} at {body.at}: {body.log_size} events, head "
                                 f"{body.log_head}, {body.heads} chains, root {body.heads_root}")

    signed_note, summary = asyncio.run(run())
    if signed_note:  # stdout: the note alone, as the bot posts it, so it can be kept as a witness
        typer.echo(signed_note, nl=False)
    typer.echo(summary, err=True)


@app.command("report")
@friendly_errors
def report(
    consultation: int = typer.Argument(..., help="The consultation's number (#N)"),
    out: Path = typer.Option(..., "--out", help="The DOCX file to write (owner-only)"),
    lang: str = typer.Option(None, "--lang", help="vi or en (default: CONSULT_LANGUAGE)"),
    by: str = typer.Option("cli", "--by", help="Who draws the report (recorded in the log)"),
) -> None:
    """Write the draft report to the Prime Minister on consultation ID as a DOCX (Decree 30/2020/ND-CP
    format), judged by the guard first; the coordinator edits and signs it outside the bot."""
    from bot.composition import compose, default_guard
    from bot.services.reports.reporting import write_report
    from bot.stores import open_stores

    if lang is not None and lang not in ("vi", "en"):
        raise UsageError(f"--lang {lang!r}: vi or en")
    if out.suffix.lower() != ".docx":
        raise UsageError(f"--out {out}: the report is a .docx file")
    if out.parent and not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    settings = load_settings()

    async def run() -> str:
        async with open_stores(settings) as stores:
            ctx = compose(stores, guard=default_guard(settings))
            drawn = await write_report(ctx, consultation, out, lang or settings.language, by)
        return f"#{consultation}: draft report written to {out} ({len(drawn.content)} bytes, {drawn.language})"

    typer.echo(asyncio.run(run()))
