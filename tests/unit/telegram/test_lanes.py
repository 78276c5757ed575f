"""The lanes' decisions, without a bot: what is retried and what set aside, who reads a file first,
what a webhook body must look like, and the private call polling depends on."""

from __future__ import annotations

import asyncio
import errno
import inspect
import sqlite3

import httpx
import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.lanes import Lanes, Slots, _place, transient
from bot.telegram.webhook import check_update


@pytest.mark.parametrize("error", [
    sqlite3.OperationalError("database is locked"),
    sqlite3.OperationalError("database or disk is full"),
    sqlite3.OperationalError("disk I/O error"),
    NetworkError("connection reset"), TimedOut(), RetryAfter(3),
    httpx.ConnectError("refused"), ConnectionResetError(), TimeoutError(),
    OSError(errno.ENOSPC, "No space left on device"),
])
def test_the_database_or_the_network_unwell_is_retried_for_as_long_as_it_lasts(error: BaseException) -> None:
    assert transient(error)


@pytest.mark.parametrize("error", [
    OverflowError("date value out of range"), KeyError("x"), ValueError("x"), RuntimeError("x"),
    sqlite3.IntegrityError("UNIQUE constraint failed"), sqlite3.OperationalError("no such column: x"),
    BadRequest("Message text is empty"), Forbidden("bot was blocked by the user"),
    OSError(errno.ENOENT, "No such file"), MemoryError(),
])
def test_anything_else_is_a_defect_or_a_poison_input_and_is_set_aside(error: BaseException) -> None:
    assert not transient(error)


async def test_members_files_are_read_before_strangers_files() -> None:
    slots = Slots(1)
    order: list[str] = []
    await slots.acquire(0)  # a file being read

    async def read(name: str, priority: int) -> None:
        async with slots.held(priority):
            order.append(name)

    waiting = [asyncio.create_task(read("stranger", 1)), asyncio.create_task(read("member-1", 0)),
               asyncio.create_task(read("member-2", 0))]
    await asyncio.sleep(0)
    slots.release()
    await asyncio.gather(*waiting)
    assert order == ["member-1", "member-2", "stranger"]
    assert slots.free == 1


async def test_a_slot_given_to_a_cancelled_waiter_is_passed_on() -> None:
    slots = Slots(1)
    await slots.acquire(0)
    cancelled = asyncio.create_task(slots.acquire(0))
    other = asyncio.create_task(slots.acquire(0))
    await asyncio.sleep(0)
    slots.release()
    cancelled.cancel()
    await asyncio.wait_for(other, 1)
    assert slots.free == 0


@pytest.mark.parametrize("body", [
    [], None, 3, {"update_id": True}, {"update_id": "1"},
    {"update_id": 1 << 63}, {"update_id": 1, "message": {"message_id": 1, "chat": {"id": -(1 << 63) - 1}}},
    {"update_id": 1, "message": {"message_id": 1, "date": 0}},
    {"update_id": 1, "edited_message": {"chat": {"id": 1}}},
    {"update_id": 1, "message": "text"},
])
def test_a_body_that_is_not_an_update_is_refused(body: object) -> None:
    with pytest.raises(ValueError):
        check_update(body)


def test_nesting_deeper_than_updates_ever_go_is_refused_without_recursion() -> None:
    deep: dict[str, object] = {"update_id": 1}
    node = deep
    for _ in range(100_000):
        node["x"] = {}
        node = node["x"]  # type: ignore[assignment]
    with pytest.raises(ValueError, match="deep"):
        check_update(deep)


def test_an_ordinary_update_passes() -> None:
    check_update({"update_id": (1 << 63) - 1, "message": {
        "message_id": 1, "date": 0, "chat": {"id": -1001234567890, "type": "supergroup"},
        "reply_to_message": {"message_id": 2, "date": 0, "chat": {"id": -1001234567890, "type": "supergroup"}}}})


def test_where_an_unparseable_update_was_posted_is_read_from_its_raw_fields() -> None:
    assert _place({"update_id": 1, "message": {"message_id": 7, "chat": {"id": -100, "type": "supergroup"},
                                               "from": {"id": 5}, "poll": {}}}) == (-100, 7, 5, True)
    assert _place({"update_id": 1, "message": {"message_id": 7, "chat": {"id": 5, "type": "private"}}}) == (
        5, 7, None, False)
    assert _place({"update_id": 1, "message": {"message_id": "7", "chat": {"id": True}}}) == (
        None, None, None, False)
    assert _place({"update_id": 1, "callback_query": {}}) == (None, None, None, False)


def test_the_private_call_polling_fetches_raw_updates_with_is_still_there() -> None:
    """bot/telegram/polling.py fetches getUpdates with `Bot._post` (python-telegram-bot's get_updates
    parses a whole batch at once). If a release renames it, this fails before polling does."""
    post = inspect.signature(Bot._post)
    assert {"endpoint", "data", "read_timeout"} <= set(post.parameters)
    assert "_post" in inspect.getsource(Bot.get_updates)


async def test_a_sender_at_their_limit_is_passed_over_without_blocking_others() -> None:
    slots = Slots(2, per_key=1)
    order: list[str] = []
    await slots.acquire(0, "alice")  # alice's first file is read

    async def read(name: str, key: str) -> None:
        await slots.acquire(0, key)
        order.append(name)

    second = asyncio.create_task(read("alice-2", "alice"))
    bob = asyncio.create_task(read("bob", "bob"))
    await asyncio.wait_for(bob, 1)  # the free slot goes to bob, though alice asked first
    assert order == ["bob"] and not second.done()
    slots.release("alice")
    await asyncio.wait_for(second, 1)
    assert order == ["bob", "alice-2"] and slots.in_use == {"alice": 1, "bob": 1}


class _Application:
    """What the lanes ask of python-telegram-bot's Application: process an update, keep bot_data."""

    def __init__(self, hold: set[int]) -> None:
        self.bot_data: dict[str, object] = {}
        self.hold = hold
        self.release = asyncio.Event()
        self.done: list[int] = []

    async def process_update(self, update: Update) -> None:
        if update.update_id in self.hold:
            await self.release.wait()
        self.done.append(update.update_id)


def _text(update_id: int, chat: int, text: str) -> Update:
    kind = "supergroup" if chat < 0 else "private"
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text, "chat": {"id": chat, "type": kind},
        "from": {"id": 7, "is_bot": False, "first_name": "A"}}}, None)


async def test_a_command_sees_every_text_received_before_it_in_any_chat() -> None:
    """`/close` typed in private a moment after a comment in the topic: the comment is handled first,
    so the report holds what the topic shows (the lanes used to run them side by side)."""
    application = _Application(hold={1})
    lanes = Lanes(application)  # type: ignore[arg-type]
    comment = lanes.submit(_text(1, -100, "Góp ý cuối"))
    close = lanes.submit(_text(2, 7, "/close 1"))
    other = lanes.submit(_text(3, -200, "a text in another chat, after the command"))
    await asyncio.wait_for(other, 5)  # texts never wait for commands
    for _ in range(20):  # give the command every chance to run ahead (it must not)
        await asyncio.sleep(0)
    assert application.done == [3] and not close.done()
    application.release.set()
    await asyncio.wait_for(asyncio.gather(comment, close), 5)
    assert application.done == [3, 1, 2]
