"""«Có phải ý anh/chị là /remind?»: a typed command near one the bot has is named (issue 26, item 6)."""

from __future__ import annotations

import pytest

from bot.domain.commands import COMMAND_NAMES, near_command, parse_urgent
from bot.errors import DeadlineError, DeadlineMissingError, TitleMissingError, UsageError
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


@pytest.mark.parametrize(("arguments", "error", "params"), [
    ("2h aec:", TitleMissingError, {"usage": "urgent"}),
    ("2 giờ aec:   ", TitleMissingError, {"usage": "urgent"}),
    ("aec: Lập trường", DeadlineMissingError, {"usage": "urgent", "value": "aec"}),
    ("2 tuần aec: Lập trường", DeadlineError, {"value": "2 tuần"}),
])
def test_each_missing_part_of_urgent_is_named(arguments: str, error: type[UsageError],
                                              params: dict[str, str]) -> None:
    """An empty title, a missing deadline, an unknown unit: each its own answer (issue 26, item 6)."""
    with pytest.raises(error) as raised:
        parse_urgent(arguments)
    assert type(raised.value) is error and raised.value.params == params


@pytest.mark.parametrize("arguments", ["2h: Lập trường", "17:00 aec", "xyz", ""])
def test_what_cannot_be_placed_gets_the_usage(arguments: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_urgent(arguments)
    assert type(raised.value) is UsageError and raised.value.params == {"usage": "urgent"}


def test_a_time_of_day_keeps_its_colon() -> None:
    assert parse_urgent("17:00 aec: X").when == "17:00"
