"""What one transaction learns (chain tails, ids, data keys) is reused by the next only while it
is still true: another process's write, a rollback or a shredding must each be seen."""

from __future__ import annotations

import pytest

from bot.domain.chain import check_log
from bot.services.kernel.context import AppContext
from bot.store.datakeys import DataKeyShreddedError, load_data_key, shred
from bot.store.db import Database
from bot.store.events import all_events, append_event
from bot.store.repos import outbox
from tests.support.store import write_consultation


async def chain_faults(ctx: AppContext) -> list[str]:
    async with ctx.db.reading() as tx:
        return check_log(await all_events(tx))


async def test_another_connection_writing_drops_what_was_remembered(rostered: AppContext) -> None:
    cid = await write_consultation(rostered)
    async with rostered.db.transaction() as tx:  # remembers the tails and the outbox id
        await append_event(tx, rostered.clock, "extended", consultation_id=cid, actor="coord-1")
        key = await load_data_key(tx, rostered.keys, cid)
        await outbox.enqueue(tx, key, dedup_key="a", chat_id=1, method="sendMessage", payload={},
                             not_before=rostered.clock.now())
    other = await Database.open(rostered.db.path)  # a CLI command, say, on the same file
    try:
        async with other.transaction() as tx:
            await append_event(tx, rostered.clock, "exported", consultation_id=cid, actor="auditor-1")
            await outbox.enqueue(tx, key, dedup_key="b", chat_id=1, method="sendMessage", payload={},
                                 not_before=rostered.clock.now())
            await shred(tx, rostered.clock, cid)
    finally:
        await other.close()
    async with rostered.db.transaction() as tx:
        await append_event(tx, rostered.clock, "note", consultation_id=cid, actor="coord-1")
        await outbox.enqueue(tx, key, dedup_key="c", chat_id=1, method="sendMessage", payload={},
                             not_before=rostered.clock.now())  # a stale id would collide with "b"
        with pytest.raises(DataKeyShreddedError):
            await load_data_key(tx, rostered.keys, cid)
    assert await chain_faults(rostered) == []


async def test_a_rolled_back_transaction_leaves_nothing_remembered(rostered: AppContext) -> None:
    cid = await write_consultation(rostered)
    with pytest.raises(RuntimeError):
        async with rostered.db.transaction() as tx:
            await append_event(tx, rostered.clock, "extended", consultation_id=cid, actor="coord-1")
            raise RuntimeError("the disk is full")
    async with rostered.db.transaction() as tx:
        await append_event(tx, rostered.clock, "extended", consultation_id=cid, actor="coord-1")
    assert await chain_faults(rostered) == []


async def test_a_shredded_key_is_forgotten_at_once(rostered: AppContext) -> None:
    cid = await write_consultation(rostered)
    async with rostered.db.reading() as tx:
        await load_data_key(tx, rostered.keys, cid)  # remembered now
    async with rostered.db.transaction() as tx:
        assert await shred(tx, rostered.clock, cid)
    async with rostered.db.reading() as tx:
        with pytest.raises(DataKeyShreddedError):
            await load_data_key(tx, rostered.keys, cid)
