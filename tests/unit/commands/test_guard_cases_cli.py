"""`consult guard cases` (#29): the cases and decisions as JSON lines, with no content, and the
precision of each rule as the officers judged it."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from typer.testing import CliRunner

from bot.cli import app
from bot.commands import guard_commands  # noqa: F401 - registers the commands
from bot.composition import open_context
from bot.config import Settings
from bot.services import comments
from bot.services.kernel.incoming import Incoming
from bot.services.people.roster import import_roster_file
from bot.store.repos import guard_cases
from tests.support import KeywordGuard
from tests.support.flow import GROUP, NSV, run
from tests.support.paths import EXAMPLE_ROSTER

cli = CliRunner()
CANARY = "TỐI MẬT cli-canary-93"


def three_cases(settings: Settings) -> None:
    async def go() -> None:
        async with open_context(settings) as ctx:
            await import_roster_file(ctx, EXAMPLE_ROSTER)
            ctx = replace(ctx, group_chat_id=GROUP, guard=KeywordGuard())
            for message_id in (1, 2, 3):
                message = Incoming(NSV, GROUP, message_id, CANARY)
                await run(ctx, NSV, "comment", lambda uow, m=message: comments.comment(uow, m), chat_id=GROUP)
            async with ctx.db.transaction() as tx:
                await guard_cases.decide(tx, 1, "upheld", ctx.clock.now(), "sec-national", "a real stamp")
                await guard_cases.decide(tx, 2, "released", ctx.clock.now(), "sec-national", "a quotation")
    asyncio.run(go())


def test_cases_are_exported_as_json_lines_without_content(settings: Settings) -> None:
    three_cases(settings)
    result = cli.invoke(app, ["guard", "cases", "--since", "7d", "--jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(line["case"], line["decision"]) for line in lines] == [(1, "upheld"), (2, "released"), (3, None)]
    assert all(line["actor"] == "nsv-1" and line["level"] == "toi_mat" and line["content_hmac"] for line in lines)
    assert "cli-canary" not in result.output
    listed = cli.invoke(app, ["guard", "cases"])
    assert listed.exit_code == 0 and "3 case(s) since 7d" in listed.output


def test_stats_print_precision_by_rule(settings: Settings) -> None:
    three_cases(settings)
    result = cli.invoke(app, ["guard", "cases", "--stats"])
    assert result.exit_code == 0, result.output
    assert "test: precision 50% (upheld 1, released 1)" in result.output
    bad = cli.invoke(app, ["guard", "cases", "--since", "forever"])
    assert bad.exit_code != 0
