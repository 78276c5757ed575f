"""Shredding the content of consultations ended longer ago than the retention policy allows.

Destroying a consultation's data key is enough: every ciphertext under it (title, messages,
outcome, outbox texts) in this database becomes unreadable at once, without rewriting rows.
Backups taken earlier still hold the wrapped key; only backup lifetime shorter than retention, or
a master-key rotation that destroys the old key, reaches them (deploy/README.md says so). Events
carry no content, so the hash chain, and transcripts exported before, stay verifiable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.clock import from_iso
from bot.domain.retention import RetentionPolicy
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import unit_of_work
from bot.store.datakeys import shred
from bot.store.repos import outbox, retention, steps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shredded:
    consultation_id: int
    closed_at: str


async def due(ctx: AppContext, policy: RetentionPolicy) -> list[Shredded]:
    cutoff = policy.cutoff(ctx.clock.now())
    if cutoff is None:
        return []
    async with ctx.db.reading() as tx:
        ended = await retention.ended_before(tx, cutoff)
    return [Shredded(e.consultation_id, e.closed_at) for e in ended]


async def apply(ctx: AppContext, policy: RetentionPolicy, *, dry_run: bool = False) -> list[Shredded]:
    """Shred what is due, each consultation in its own transaction, each an event."""
    found = await due(ctx, policy)
    if dry_run:
        return found
    done = []
    for item in found:
        async with unit_of_work(ctx) as uow:
            if not await shred(uow.tx, ctx.clock, item.consultation_id):
                continue  # shredded meanwhile
            # Nothing queued under the destroyed key can be sent any more; say so rather than retry.
            await outbox.fail_pending(uow.tx, item.consultation_id, "content shredded by retention")
            await steps.drop_pending(uow.tx, item.consultation_id)
            age = (ctx.clock.now() - from_iso(item.closed_at)).days
            await uow.event("shredded", consultation_id=item.consultation_id, data={
                "closed_at": item.closed_at, "retention_days": policy.closed_content_days, "age_days": age,
            })
        done.append(item)
        log.info("retention: shredded the content of #%d (ended %s)", item.consultation_id, item.closed_at,
                 extra={"consultation": item.consultation_id, "event": "shredded"})
    if done and not await ctx.db.checkpoint():
        log.warning("retention: the WAL could not be truncated now (a reader holds it); "
                    "old copies of the destroyed keys stay in it until the next checkpoint")
    return done
