from __future__ import annotations

import dataclasses
import itertools

import pytest

from bot.domain.chain import check_consultation_chain
from bot.services.kernel.context import AppContext
from bot.store.events import all_events, append_event, consultation_events

pytestmark = pytest.mark.both_engines


async def _log(ctx: AppContext) -> None:
    async with ctx.db.transaction() as tx:
        for index in range(3):
            await append_event(tx, ctx.clock, "answered", consultation_id=1, actor=f"p{index}", data={"n": index})
            await append_event(tx, ctx.clock, "refused", actor="someone", data={"command": "close"})
            await append_event(tx, ctx.clock, "opened", consultation_id=2, actor="c")


async def test_chains_link_per_consultation_and_across_the_log(context: AppContext) -> None:
    await _log(context)
    async with context.db.reading() as tx:
        first = await consultation_events(tx, 1)
        everything = await all_events(tx)
    assert [e.seq for e in first] == [1, 4, 7]
    assert check_consultation_chain(first, 1) == []
    for earlier, later in itertools.pairwise(everything):
        assert later.log_prev_hash == earlier.hash


async def test_alteration_removal_and_swap_are_named(context: AppContext) -> None:
    await _log(context)
    async with context.db.reading() as tx:
        events = await consultation_events(tx, 1)
    altered = [events[0], dataclasses.replace(events[1], actor="mallory"), events[2]]
    assert [(f.seq, f.field) for f in check_consultation_chain(altered, 1)] == [(4, "hash")]
    removed = [events[0], events[2]]
    assert [(f.seq, f.field) for f in check_consultation_chain(removed, 1)] == [(7, "prev_hash")]
    swapped = [events[1], events[0], events[2]]
    faults = {(f.seq, f.field) for f in check_consultation_chain(swapped, 1)}
    assert (4, "prev_hash") in faults and (1, "seq") in faults


async def test_the_whole_log_verifies_and_a_removed_event_is_found(context: AppContext) -> None:
    from dataclasses import replace

    from bot.domain.chain import check_log
    from bot.store.events import all_events

    async with context.db.transaction() as tx:
        for index in range(6):
            await append_event(tx, context.clock, "note", consultation_id=(index % 3) or None, data={"i": index})
        events = await all_events(tx)
    assert check_log(events) == []
    assert {f.field for f in check_log(events[:2] + events[3:])} == {"log_prev_hash", "prev_hash"}
    assert [f.field for f in check_log([*events[:-1], replace(events[-1], data={"i": 99})])] == ["hash"]
