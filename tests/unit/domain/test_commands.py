"""Slash-command arguments: what is read, and which usage a malformed one gets back."""

from __future__ import annotations

import pytest

from bot.domain.commands import (
    MAX_TITLE,
    UrgentRequest,
    addressed_command,
    clean_title,
    command_arguments,
    first_word,
    nearest,
    parse_close,
    parse_extend,
    parse_id,
    parse_urgent,
)
from bot.errors import UsageError


def _usage(error: pytest.ExceptionInfo[UsageError]) -> object:
    return error.value.params.get("usage")


def test_urgent_reads_its_three_parts() -> None:
    assert parse_urgent("2h aec+apsc: Góp ý  dự thảo\ntuyên bố ") == UrgentRequest(
        "2h", "aec+apsc", "Góp ý dự thảo tuyên bố")
    assert parse_urgent(" 17:00 cross :Họp") == UrgentRequest("17:00", "cross", "Họp")


@pytest.mark.parametrize("arguments", ["", "2h", "2h aec", "2h aec Title", "2h aec:", "2h aec:   ",
                                       "2h aec: " + "x" * (MAX_TITLE + 1)])
def test_a_malformed_urgent_gets_the_usage_of_urgent(arguments: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_urgent(arguments)
    assert _usage(error) == "urgent"


def test_another_command_of_the_same_form_gets_its_own_usage_and_limit() -> None:
    assert parse_urgent("1h aec: " + "x" * 300, usage="notify", max_title=400).title == "x" * 300
    with pytest.raises(UsageError) as error:
        parse_urgent("1h aec", usage="notify")
    assert _usage(error) == "notify"


def test_a_title_is_its_words_within_the_limit() -> None:
    assert clean_title("  a\n\tb  ") == "a b"
    assert clean_title("x" * MAX_TITLE) == "x" * MAX_TITLE
    assert clean_title("x" * (MAX_TITLE + 1)) is None
    assert clean_title(" \n ") is None


@pytest.mark.parametrize(("text", "expected"), [("7", 7), ("#7", 7), (" 12 ", 12), ("007", 7),
                                                ("999999999", 999_999_999)])
def test_consultation_numbers(text: str, expected: int) -> None:
    assert parse_id(text, "status") == expected


@pytest.mark.parametrize("text", ["", "#", "0", "000", "1000000000", "7a", "-3", "1.5",
                                  "²", "1" * 5000, "٣"])  # before: the first two crashed, the last read as 3
def test_anything_else_is_the_usage_of_the_command(text: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_id(text, "remind")
    assert _usage(error) == "remind"


def test_extend_close_and_the_first_word() -> None:
    assert first_word("  #4  later ") == "#4"
    assert first_word("   ") == ""
    assert parse_extend("#4 30m") == (4, "30m")
    assert parse_close("4") == (4, None)
    assert parse_close(" 4  Đồng ý với dự thảo ") == (4, "Đồng ý với dự thảo")
    for bad in ("4", "4 30m more", ""):
        with pytest.raises(UsageError) as error:
            parse_extend(bad)
        assert _usage(error) == "extend"
    with pytest.raises(UsageError) as error:
        parse_close("summary without a number")
    assert _usage(error) == "close"


def test_a_commands_arguments_and_addressee() -> None:
    assert command_arguments("/urgent 2h aec: X ") == "2h aec: X"
    assert command_arguments("/status") == ""
    assert addressed_command("/foo@other_bot x") == ("/foo", "other_bot")
    assert addressed_command("/foo") == ("/foo", "")
    assert addressed_command("") == ("/", "")


@pytest.mark.parametrize(("typed", "meant"), [
    ("/remid", ("remind",)), ("/remnid", ("remind",)), ("/urgnet", ("urgent",)), ("/stauts", ("stats", "status")),
    ("/clsoe", ("close",)), ("/extned", ("extend",)), ("/remind@rapid_consult_bot", ()), ("/xyz", ()),
    ("/hel", ("help",)), ("/stop", ()), ("/", ()),
])
def test_a_near_miss_names_the_command_meant(typed: str, meant: tuple[str, ...]) -> None:
    known = ["urgent", "notify", "status", "extend", "remind", "close", "cancel", "report", "stats", "away",
             "export", "whoami", "lang", "help", "guard", "guardrelease", "guardreport"]
    assert nearest(typed, known) == meant
