"""`consult guard scan` (the contract in DESIGN.md) and `consult policy add-term`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import typer

from bot.commands.apps import friendly_errors, guard_app, policy_app
from bot.config import load_settings
from bot.guard.engine import TERMS_KEY_PURPOSE, Guard
from bot.guard.policy import add_term
from bot.guard.terms import term_digest
from bot.guard.verdict import Level
from bot.store.keys import KeyStore


def _guard(policy_dir: Path | None) -> Guard:
    """The guard of the configured (or named) policy directory, with the terms key if there is one."""
    from bot.composition import default_guard

    return default_guard(load_settings(), policy_dir)


def _emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def _scan_lines(guard: Guard, lines: list[str]) -> None:
    """One verdict per JSON line. Split on newlines only: str.splitlines would also cut at
    U+2028 and other separators that JSON leaves raw inside strings."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError("each line must be an object with a string 'text'")
        except ValueError as exc:
            # Fail closed: an input that cannot be read is reported as blocked, with why.
            _emit({"id": None, "action": "block", "level": None, "text": None, "findings": [],
                   "error": f"line {number}: {exc}"})
            continue
        _emit(guard.scan_text(item["text"]).to_contract_json(item.get("id")))


@guard_app.command("scan")
@friendly_errors
def scan(
    source: str = typer.Argument("-", help="A FILE to judge as a document, or - for standard input"),
    jsonl: bool = typer.Option(False, "--jsonl", help='Input is JSON lines {"id": ..., "text": ...}'),
    policy_dir: Path = typer.Option(None, "--policy-dir", help="Policy directory (default: the configured one)"),
    text: str = typer.Option(None, "--text", help="Judge this text instead of reading input"),
) -> None:
    """Run the guard and print its verdict as JSON (exit code 0 whatever the verdict)."""
    guard = _guard(policy_dir)
    if text is not None:
        _emit(guard.scan_text(text).to_contract_json(None))
        return
    if source == "-":
        data = sys.stdin.read()
        if jsonl:
            _scan_lines(guard, data.split("\n"))
        else:
            # `echo "..." | consult guard scan` judges the text, not the newline echo added.
            _emit(guard.scan_text(data.removesuffix("\n").removesuffix("\r")).to_contract_json(None))
        return
    path = Path(source)
    if not path.is_file():
        raise typer.BadParameter(f"{path} is not a file")
    if jsonl:
        _scan_lines(guard, path.read_text(encoding="utf-8").split("\n"))
        return
    _emit(guard.scan_document(path.name, path.read_bytes()).to_contract_json(str(path)))


@policy_app.command("add-term")
@friendly_errors
def add_term_command(
    term: str = typer.Argument(..., help="The codeword or reference number (it is stored only as an HMAC)"),
    level: Level = typer.Option(..., "--level", help="mat, toi_mat or tuyet_mat"),
    note: str = typer.Option(None, "--note", help="Who registered it and why (never the term itself)"),
    policy_dir: Path = typer.Option(None, "--policy-dir"),
) -> None:
    """Register a term the guard redacts wherever it occurs; the policy keeps only its keyed hash."""
    settings = load_settings()
    try:
        digest = term_digest(KeyStore(settings.keys_dir).hmac_key(TERMS_KEY_PURPOSE), term)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    count = add_term(policy_dir or settings.policy_dir, digest.hmac, digest.words, level, note, digest.first,
                     compact=digest.compact, chars=digest.chars, head=digest.head)
    typer.echo(f"registered a {digest.words}-word term at level {level.value}; "
               f"the policy now holds {count} terms")


@guard_app.command("cases")
@friendly_errors
def cases(
    since: str = typer.Option("7d", "--since", help="How far back: 7d, 30d, 12h"),
    jsonl: bool = typer.Option(False, "--jsonl", help="One JSON object per case (metadata only, never content)"),
    stats: bool = typer.Option(False, "--stats", help="Precision by rule as the officers judged it"),
) -> None:
    """List the guard's cases and the officers' decisions (#29); no content is ever printed."""
    import asyncio
    from datetime import timedelta

    from bot.composition import open_context
    from bot.services.officer import export

    settings = load_settings()
    match = re.fullmatch(r"([1-9]\d{0,3})([dh])", since.strip().lower())
    if match is None:
        raise typer.BadParameter("--since takes a number of days or hours: 7d, 30d, 12h")
    period = timedelta(days=int(match[1])) if match[2] == "d" else timedelta(hours=int(match[1]))

    async def run() -> list[Any]:
        async with open_context(settings) as ctx:
            return await export.cases_since(ctx, ctx.clock.now() - period)

    found = asyncio.run(run())
    if stats:
        for line in export.precision_lines(found):
            if jsonl:
                _emit(line)
            else:
                shown = "—" if line["precision"] is None else f"{line['precision']:.0%}"
                typer.echo(f"{line['rule']}: precision {shown} (upheld {line['upheld']}, released {line['released']})")
        return
    for case in found:
        line = export.case_line(case)
        if jsonl:
            _emit(line)
        else:
            typer.echo(f"#{line['case']} {line['at']} {line['actor']} {line['agency'] or '-'} {line['place']}"
                       f" {line['rule']} {line['level'] or '-'} {line['source']} {line['decision'] or '-'}")
    if not jsonl:
        typer.echo(f"{len(found)} case(s) since {since}")
