"""/urgent's errors say what is missing: the title, the deadline, a unit it does not know (issue 26, item 6)."""

from __future__ import annotations

import pytest

from bot.domain.commands import parse_urgent
from bot.errors import DeadlineError, DeadlineMissingError, TitleMissingError, UsageError


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
