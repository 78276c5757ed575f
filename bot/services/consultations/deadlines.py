"""The deadline plan's life: made at opening, re-made on extension, dropped at close.

What its steps do when they fire is in steps.py: they remind and close through managing.py,
which plans and drops through here."""

from __future__ import annotations

from bot.domain.plan import plan_steps
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import steps as step_repo
from bot.store.repos.consultations import ConsultationRecord


async def plan(uow: UnitOfWork, record: ConsultationRecord) -> None:
    """Plan the remaining steps of an open consultation (replacing any pending ones)."""
    c = record.consultation
    await step_repo.drop_pending(uow.tx, c.id)
    generation = await step_repo.generation_of(uow.tx, c.id) + 1
    planned = plan_steps(uow.ctx.deadline_policy, c.opened_at, c.deadline_at, uow.now)
    await step_repo.insert_plan(uow.tx, c.id, planned, generation)
    _arm_after_commit(uow, c.id)


async def drop(uow: UnitOfWork, record: ConsultationRecord) -> None:
    await step_repo.drop_pending(uow.tx, record.consultation.id)
    _arm_after_commit(uow, record.consultation.id)


def _arm_after_commit(uow: UnitOfWork, consultation_id: int) -> None:
    arming = uow.ctx.arming
    uow.after_commit.append(lambda: arming.arm(consultation_id))
