"""A classification field typed over three messages with an emoji sent between its name and its
value (issue 24, item 6, round two of other hands): the reader sees «Độ mật:», «👍», «A» one under
the other, and the gate reads them so."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from bot.guard.engine import Guard
from bot.services.guarding.splits import Tails, judge_joined
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.ports import ON_A_THREAD
from bot.services.kernel.screening import Screened

CHAT, ALICE = -100123, 2001


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_policy_dir(Path(__file__).resolve().parents[4] / "policies", b"test-term-key-0123456789abcdef!!")


def typed(guard: Guard, bodies: list[str]) -> list[tuple[int, Screened, object]]:
    """Each message through the tails and the guard as the gate does; what each verdict covered."""
    ctx = cast(AppContext, SimpleNamespace(guard=guard, keys=SimpleNamespace(keyed_hash=lambda purpose, raw: "h"),
                                           file_checks=ON_A_THREAD))
    tails = Tails(clock=lambda: 0.0)
    seen = []
    for number, body in enumerate(bodies, start=1):
        message = Incoming(ALICE, CHAT, number, body, thread_id=7)
        earlier = tails.swap(message)
        alone = asyncio.run(screening.judge(ctx, message))
        split = asyncio.run(judge_joined(ctx, earlier, message, alone))
        if split is not None:
            seen.append((number, split.screened, (*split.others, split.earlier)))
        elif alone.action != "allow":
            tails.drop(message)
    return seen


@pytest.mark.parametrize(("bodies", "level"), [
    (["Độ mật:", "👍", "A"], "tuyet_mat"),
    (["Độ mật:", "...", "B"], "toi_mat"),
])
def test_an_emoji_between_a_field_and_its_value(guard: Guard, bodies: list[str], level: str) -> None:
    [(number, screened, covered)] = typed(guard, bodies)
    assert (number, screened.blocked, screened.level, covered) == (3, True, level, (1, 2))


def test_an_emoji_before_a_value_that_says_none_stays(guard: Guard) -> None:
    assert typed(guard, ["Độ mật:", "👍", "không có"]) == []
