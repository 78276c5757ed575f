"""The sandbox numbers updates as Telegram does: from a random point, renumbered on request (as
Telegram does after a week without updates), and an offset from before the renumbering is
answered from the head of the queue."""

from __future__ import annotations

import pytest
from telegram import Bot

from bot.sandbox.client import SandboxClient, SandboxClientError
from bot.sandbox.server import SandboxServer
from bot.sandbox.state import FIRST_UPDATE_ID_RANGE
from tests.support.sandbox import ALICE


async def test_updates_are_not_numbered_from_one(server: SandboxServer, control: SandboxClient) -> None:
    low, high = FIRST_UPDATE_ID_RANGE
    assert low <= (await control.update_counter())["next_update_id"] <= high
    assert SandboxServer().state.next_update_id != SandboxServer().state.next_update_id or low == high


async def test_an_offset_from_before_a_renumbering_gets_the_new_updates(
        ptb: Bot, control: SandboxClient) -> None:
    await control.send_message(ALICE, text="một")
    [first] = await ptb.get_updates(timeout=0)
    confirmed = first.update_id + 1
    assert await ptb.get_updates(offset=confirmed, timeout=0) == ()
    await control.jump_update_counter(first.update_id - 50_000)
    await control.send_message(ALICE, text="hai")
    [renumbered] = await ptb.get_updates(offset=confirmed, timeout=0)  # the old offset is in the future
    assert renumbered.update_id == first.update_id - 50_000 and renumbered.message.text == "hai"
    assert await ptb.get_updates(offset=renumbered.update_id + 1, timeout=0) == ()


async def test_renumbering_waits_for_an_empty_queue(control: SandboxClient) -> None:
    await control.send_message(ALICE, text="chưa ai đọc")
    with pytest.raises(SandboxClientError) as refused:
        await control.jump_update_counter(1_000)
    assert refused.value.status == 409 and "empty queue" in refused.value.description
    with pytest.raises(SandboxClientError) as bad:
        await control.jump_update_counter(0)
    assert bad.value.status == 400
