"""Each sender's latest line kept for the next message's verdict (issue 24, item 6): per chat,
topic and sender, within the window, taken before the verdict is awaited, dropped when the message
did not pass; the join judged with the real guard, never lowering a level."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from bot.guard.engine import Guard
from bot.services.guarding.splits import MAX_SENDERS, TAIL_CHARACTERS, Tail, Tails, joinable, judge_joined, tail_of
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.ports import ON_A_THREAD
from bot.services.kernel.screening import Screened

CHAT, ALICE, BOB = -100123, 2001, 2002
ALLOWED = Screened("allow", None, "x", None, "h")


def text(message_id: int, body: str, user: int = ALICE, thread: int | None = 7) -> Incoming:
    return Incoming(user, CHAT, message_id, body, thread_id=thread)


def test_the_previous_line_is_given_once_per_sender_topic_and_window() -> None:
    now = [0.0]
    tails = Tails(window=120.0, clock=lambda: now[0])
    assert tails.swap(text(1, "Kính gửi\nĐộ mật:")) is None
    assert tails.swap(text(2, "TỐI", user=BOB)) is None  # another sender
    assert tails.swap(text(3, "TỐI", thread=8)) is None  # another topic
    earlier = tails.swap(text(4, "A"))
    assert earlier is not None and (earlier.message_id, earlier.text) == (1, "Độ mật:")  # the last line only
    now[0] = 121.0
    assert tails.swap(text(5, "MẬT")) is None  # the window passed


def test_a_message_that_did_not_pass_leaves_no_line_and_the_memory_is_bounded() -> None:
    tails = Tails()
    tails.swap(text(1, "TỐI"))
    tails.drop(text(1, "TỐI"))
    assert tails.swap(text(2, "MẬT")) is None
    for user in range(MAX_SENDERS + 10):
        tails.swap(text(10, "x", user=user))
    assert len(tails._kept) == MAX_SENDERS
    assert len(tail_of("a" * 500)) == TAIL_CHARACTERS


def test_edits_files_alone_and_empty_texts_are_not_joined() -> None:
    assert not joinable(Incoming(ALICE, CHAT, 1, "A", edited=True))
    assert not joinable(Incoming(ALICE, CHAT, 1, "  "))
    assert joinable(Incoming(ALICE, CHAT, 1, "A"))


@pytest.mark.parametrize(("earlier", "later", "level"), [
    ("Độ mật:", "A", "tuyet_mat"), ("Độ mật", "→ B", "toi_mat"), ("TUYỆT", "MẬT", "tuyet_mat")])
def test_two_lines_that_make_a_marking_together_are_blocked_at_its_level(guard: Guard, earlier: str, later: str,
                                                                         level: str) -> None:
    own = asyncio.run(judge_alone(guard, later))
    verdict = asyncio.run(judge_joined(context(guard), Tail(1, earlier, 0.0), text(2, later), own))
    assert verdict is not None and verdict.screened.blocked and verdict.screened.level == level
    assert verdict.earlier == 1 and verdict.screened.source == "text-split"


@pytest.mark.parametrize(("earlier", "later"), [("Kết luận:", "đồng ý"), ("Độ mật:", "không có"),
                                                ("tối", "mai họp nhé"), ("Tuyệt", "mật ong rừng ngon lắm"),
                                                ("Đồng ý", "Cảm ơn anh")])
def test_harmless_pairs_stay_allowed(guard: Guard, earlier: str, later: str) -> None:
    assert asyncio.run(judge_joined(context(guard), Tail(1, earlier, 0.0), text(2, later), ALLOWED)) is None


def test_a_join_no_stricter_than_the_message_alone_changes_nothing(guard: Guard) -> None:
    own = asyncio.run(judge_alone(guard, "TỐI MẬT: kế hoạch"))
    assert own.blocked
    joined = judge_joined(context(guard), Tail(1, "Kính gửi", 0.0), text(2, "TỐI MẬT: kế hoạch"), own)
    assert asyncio.run(joined) is None


async def judge_alone(guard: Guard, body: str) -> Screened:
    return await screening.judge(context(guard), text(2, body))


def context(guard: Guard) -> AppContext:
    keys = SimpleNamespace(keyed_hash=lambda purpose, raw: "h")
    return cast(AppContext, SimpleNamespace(guard=guard, keys=keys, file_checks=ON_A_THREAD))


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_policy_dir(Path(__file__).resolve().parents[4] / "policies", b"test-term-key-0123456789abcdef!!")
