"""A consultation written straight through the repos, with a marker to look for in the files."""

from __future__ import annotations

from datetime import timedelta

from bot.services.kernel.context import AppContext
from bot.store.events import append_event
from bot.store.repos import consultations, outbox

MARKER = "ZQX-marker-Hội-nghị-7731"


async def write_consultation(ctx: AppContext) -> int:
    now = ctx.clock.now()
    async with ctx.db.transaction() as tx:
        record, data_key = await consultations.create(
            tx, ctx.keys, ctx.clock, title=f"Dự thảo {MARKER}", scopes=("aec",), opened_by="coord-1",
            deadline_at=now + timedelta(hours=2), invitees=["moit-1", "nsv-1"], description=f"mô tả {MARKER}",
        )
        cid = record.consultation.id
        await consultations.add_message(
            tx, data_key, consultation_id=cid, person_key="moit-1", at=now, kind="comment", source="private",
            text=f"ý kiến {MARKER}", guard_action="allow",
        )
        await outbox.enqueue(
            tx, data_key, dedup_key=f"invite:{cid}:moit-1", chat_id=2001, method="sendMessage",
            payload={"text": f"Mời cho ý kiến: {MARKER}"}, not_before=now,
        )
        await append_event(tx, ctx.clock, "opened", consultation_id=cid, actor="coord-1", data={"scopes": ["aec"]})
    return cid
