"""A whole consultation, run through the use cases with a hand-moved clock, and its bundle.

Alternates answer for the people they stand in for (after the escalation), a comment carries an emoji, one is redacted
and one blocked, a reminder goes out, an answer comes late, and the coordinator closes it with a
summary: every kind of fact a transcript shows.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.audit import trust as trusting
from bot.services.kernel.context import AppContext
from bot.services.reports.exporting import export_bundle
from tests.support import KeywordGuard
from tests.support.consultation import (
    GROUP,
    published,
    run_consultation,
)


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


@pytest.fixture
async def bundle(ctx: AppContext, tmp_path: Path) -> Path:
    await run_consultation(ctx)
    out = tmp_path / "bundle"
    await export_bundle(ctx, 1, out, "auditor-1", pdf=False)
    return out


@pytest.fixture
def trusted(ctx: AppContext, tmp_path: Path) -> trusting.Trust:
    return trusting.from_file(published(ctx, tmp_path))
