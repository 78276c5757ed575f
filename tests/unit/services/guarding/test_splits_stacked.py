"""A marking typed over more than two messages (issue 24, item 6, by other hands): one letter or one
word a message is a column a reader reads down; the fewest messages that make it are removed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from bot.guard.engine import Guard
from bot.services.guarding.splits import STACKED_MESSAGES, Tails, judge_joined
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.ports import ON_A_THREAD
from bot.services.kernel.screening import Screened

CHAT, ALICE = -100123, 2001


def text(message_id: int, body: str) -> Incoming:
    return Incoming(ALICE, CHAT, message_id, body, thread_id=7)


def context(guard: Guard) -> AppContext:
    keys = SimpleNamespace(keyed_hash=lambda purpose, raw: "h")
    return cast(AppContext, SimpleNamespace(guard=guard, keys=keys, file_checks=ON_A_THREAD))


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_policy_dir(Path(__file__).resolve().parents[4] / "policies", b"test-term-key-0123456789abcdef!!")


def typed(guard: Guard, bodies: list[str]) -> list[tuple[int, Screened, object]]:
    """Each message through the tails and the guard as the gate does; what each verdict covered."""
    tails = Tails(clock=lambda: 0.0)
    seen = []
    for number, body in enumerate(bodies, start=1):
        message = text(number, body)
        earlier = tails.swap(message)
        alone = asyncio.run(screening.judge(context(guard), message))
        split = asyncio.run(judge_joined(context(guard), earlier, message, alone))
        if split is not None:
            seen.append((number, split.screened, (*split.others, split.earlier)))
        elif alone.action != "allow":
            tails.drop(message)
    return seen


@pytest.mark.parametrize(("bodies", "level", "covered"), [
    (["M", "Ậ", "T"], "mat", (1, 2)),
    (["Chào anh, em gửi:", "T", "Ố", "I", "M", "Ậ", "T"], "toi_mat", (2, 3, 4, 5, 6)),
    (["S", "E", "C", "R", "E", "T"], "toi_mat", (1, 2, 3, 4, 5)),
])
def test_a_marking_typed_a_letter_a_message_is_read_down_the_column(guard: Guard, bodies: list[str],
                                                                     level: str, covered: object) -> None:
    seen = typed(guard, bodies)
    assert seen, bodies
    _, screened, ids = seen[0]
    assert screened.blocked and screened.source == "text-split"
    assert (screened.level, ids) == (level, covered)


def test_a_greeting_before_the_column_is_not_removed(guard: Guard) -> None:
    seen = typed(guard, ["Chào anh", "M", "Ậ", "T"])
    assert seen and seen[0][2] == (2, 3)


def test_only_one_line_messages_pile_up_and_not_without_end() -> None:
    tails = Tails(clock=lambda: 0.0)
    tails.swap(text(1, "M"))
    tails.swap(text(2, "Kính gửi anh\nnội dung dài"))  # a longer message starts afresh
    earlier = tails.swap(text(3, "T"))
    assert earlier is not None and [line for _, line in earlier.lines()] == ["nội dung dài"]
    for number in range(4, 40):
        earlier = tails.swap(text(number, "x"))
    assert earlier is not None and len(earlier.lines()) == STACKED_MESSAGES


@pytest.mark.parametrize("bodies", [["Đồng ý", "Cảm ơn anh", "Hẹn mai"], ["tối", "mai", "họp"], ["A", "B", "C"]])
def test_harmless_messages_in_a_row_stay_allowed(guard: Guard, bodies: list[str]) -> None:
    assert typed(guard, bodies) == []
