"""`consult report ID --out FILE.docx` and `consult roster away PERSON --until DATE|off` as an
operator runs them: the real guard judges the report, the file is owner-only, an absence is set,
warned about when nobody stands in, listed, and ended."""

from __future__ import annotations

import asyncio
import io
import stat
from dataclasses import replace
from pathlib import Path

import docx
from typer.testing import CliRunner

from bot.cli import app
from bot.clock import FakeClock
from bot.commands import audit_commands, roster_commands  # noqa: F401 - registers the commands
from bot.composition import open_context
from bot.config import Settings
from bot.services.people.roster import import_roster_file
from tests.support import KeywordGuard
from tests.support.consultation import GROUP, run_consultation
from tests.support.paths import EXAMPLE_ROSTER
from tests.support.tools import requires_ocr

cli = CliRunner()


def with_roster(settings: Settings, consultation: bool = False) -> None:
    async def go() -> None:
        async with open_context(settings, FakeClock()) as ctx:
            await import_roster_file(ctx, EXAMPLE_ROSTER)
            if consultation:
                ctx = replace(ctx, group_chat_id=GROUP, guard=KeywordGuard())
                await run_consultation(ctx)
    asyncio.run(go())


@requires_ocr  # the report carries a chart, a picture the guard reads
def test_report_writes_an_owner_only_docx_the_real_guard_allowed(settings: Settings, tmp_path: Path) -> None:
    with_roster(settings, consultation=True)
    out = tmp_path / "bao-cao-1.docx"
    result = cli.invoke(app, ["report", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "#1: draft report written to" in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert "BÁO CÁO" in text and "phương án B" not in text


def test_report_refuses_a_wrong_name_and_an_unknown_consultation(settings: Settings, tmp_path: Path) -> None:
    with_roster(settings, consultation=True)
    wrong = cli.invoke(app, ["report", "1", "--out", str(tmp_path / "bao-cao.pdf")])
    assert wrong.exit_code == 2 and "is a .docx file" in wrong.output
    missing = cli.invoke(app, ["report", "9", "--out", str(tmp_path / "bao-cao.docx")])
    assert missing.exit_code != 0 and "#9" in missing.output and not (tmp_path / "bao-cao.docx").exists()


def test_roster_away_sets_warns_lists_and_ends_an_absence(settings: Settings) -> None:
    with_roster(settings)
    covered = cli.invoke(app, ["roster", "away", "moit-1", "--until", "3d", "--note", "Đi công tác"])
    assert covered.exit_code == 0, covered.output
    assert "moit-1 is away until" in covered.output and "moit-2 receives for them meanwhile" in covered.output
    listed = cli.invoke(app, ["roster", "list"])
    assert "away-until=" in next(line for line in listed.output.splitlines() if line.startswith("moit-1"))
    uncovered = cli.invoke(app, ["roster", "away", "moit-2", "--until", "12h"])
    assert uncovered.exit_code == 0, uncovered.output
    assert "warning: nobody stands in" in uncovered.output
    back = cli.invoke(app, ["roster", "away", "moit-1", "--until", "off"])
    assert back.exit_code == 0 and "moit-1 is back" in back.output
    listed = cli.invoke(app, ["roster", "list"])
    assert "away-until=" not in next(line for line in listed.output.splitlines() if line.startswith("moit-1"))
    unknown = cli.invoke(app, ["roster", "away", "nobody", "--until", "3d"])
    assert unknown.exit_code != 0 and "no active person 'nobody'" in unknown.output
    malformed = cli.invoke(app, ["roster", "away", "moit-1", "--until", "soon"])
    assert malformed.exit_code != 0
