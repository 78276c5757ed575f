"""«Có phải ý anh/chị là /remind?»: a typed command near one the bot has is named (issue 26, item 6)."""

from __future__ import annotations

import pytest

from bot.domain.commands import COMMAND_NAMES, near_command
from bot.telegram.app import COMMANDS


@pytest.mark.parametrize(("typed", "meant"), [
    ("/remnd", "remind"), ("/remidn", "remind"), ("/reminds", "remind"), ("/Remind2", "remind"),
    ("/sattus", "status"), ("/stat", "stats"), ("/urgnet", "urgent"), ("/extned@consult_bot", "extend"),
    ("/hlep", "help"),
    ("/clsoe", "close"), ("/reprot", "report"),
])
def test_a_typo_names_the_command_meant(typed: str, meant: str) -> None:
    assert near_command(typed) == meant


@pytest.mark.parametrize("typed", ["/foo", "/baocao", "/ok", "/", "/xyzxyzxyz", "/remind"])
def test_nothing_near_is_no_guess(typed: str) -> None:
    assert near_command(typed) is None


def test_a_tie_is_not_guessed() -> None:
    assert near_command("/stauts") is None  # one edit from /status (a swap) and from /stats
    assert near_command("/cloze", ("close", "clone")) is None


def test_the_names_are_the_command_tables() -> None:
    for commands in COMMANDS.values():
        assert {name for name, _ in commands} == set(COMMAND_NAMES)
