"""What deadline steps do when they fire: remind, escalate to alternates and tell the
coordinator, auto-close. The plan they come from is made and dropped in deadlines.py."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.absence import is_away
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing, Policy
from bot.domain.plan import StepKind
from bot.i18n import t
from bot.scheduling.engine import StepHandler
from bot.services.consultations.managing import close_by_schedule, remind_pending
from bot.services.kernel.context import AppContext
from bot.services.kernel.seats import load, refresh_card
from bot.services.kernel.uow import UnitOfWork, within
from bot.services.presentation.formatting import local_time
from bot.services.presentation.keyboards import answer_keyboard, coordinator_keyboard
from bot.services.presentation.texts import for_kind
from bot.store.db import Tx
from bot.store.repos import people
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.steps import Step


async def fire(uow: UnitOfWork, step: Step) -> None:
    record, seats = await load(uow, step.consultation_id)
    if not record.consultation.accepts_answers():
        return
    if step.kind is StepKind.REMINDER:
        count = await remind_pending(uow, record, seats, f"step{step.id}", tone=step.tone.value)
        await uow.event("reminded", consultation_id=record.consultation.id, actor="scheduler",
                        data={"step": step.id, "tone": step.tone.value, "count": count})
    elif step.kind is StepKind.ESCALATION:
        await escalate(uow, record, step)
    else:
        await close_by_schedule(uow, record)


async def escalate(uow: UnitOfWork, record: ConsultationRecord, step: Step) -> None:
    """At the deadline: each late invitee's alternate may answer for the agency; the coordinator
    learns who has not answered; the card shows them overdue."""
    ctx = uow.ctx
    c = record.consultation
    _, seats = await load(uow, c.id)
    late = [s for s in seats if s.participant.position is None]
    escalated = 0
    # What became of each late invitee's issue, for the coordinator (issue 26, item 5): whom it
    # went to, or which alternate the bot cannot reach and why.
    went: dict[str, tuple[str, str, str]] = {}
    stand_ins: dict[str, str] = {}  # invitee → the alternate asked to answer for them (for the auditor)
    for seat in late:
        if seat.record.person.alternate is None:
            continue
        alternate = await people.person_by_key(uow.tx, seat.record.person.alternate)
        if alternate is None or not alternate.can_receive or is_away(alternate.away_until, uow.now):
            if alternate is not None:  # an alternate away too (or gone) is listed with the rest
                why = ("not_enrolled" if alternate.person.telegram_user_id is None
                       else "away" if is_away(alternate.away_until, uow.now) else "inactive")
                went[seat.record.key] = ("escalate.alternate_unreachable", alternate.person.name, why)
            continue
        went[seat.record.key] = ("escalate.went_to", alternate.person.name, "")
        stand_ins[seat.record.key] = alternate.key
        language = language_for(alternate.person, ctx.language)
        chat = alternate.person.telegram_user_id
        assert chat is not None  # can_receive
        text = t(language, for_kind(c, "escalate.alternate"), consultation=c.id, title=c.title,
                 name=seat.record.person.name, agency=seat.record.agency_name,
                 deadline=local_time(c.deadline_at, ctx.zone))
        if await uow.send(Outgoing.to(MessageKind.ESCALATE, (c.id, seat.record.key, alternate.key), chat, "sendMessage",
                                      {"text": text,
                                    "reply_markup": answer_keyboard(c.id, language, c.kind)},
                                      consultation_id=c.id, person_key=alternate.key, for_person_key=seat.record.key),
                          Policy.IF_NEW):
            escalated += 1
    coordinator = await people.person_by_key(uow.tx, c.opened_by)
    if coordinator is not None and coordinator.person.telegram_user_id is not None:
        language = language_for(coordinator.person, ctx.language)
        names = "\n".join(f"  • {s.label}{_fate(went.get(s.record.key), language)}" for s in late)
        key = for_kind(c, "escalate.coordinator" if late else "escalate.coordinator_all")
        chat = coordinator.person.telegram_user_id
        await uow.send(Outgoing.to(MessageKind.ESCALATE_NOTICE, (c.id, "coordinator", step.id), chat, "sendMessage", {
            "text": t(language, key, consultation=c.id, title=c.title, count=len(late), names=names),
            "reply_markup": coordinator_keyboard(c.id, language),  # remind, extend, close: one tap
        }, consultation_id=c.id, person_key=coordinator.key))
    await uow.event("escalated", consultation_id=c.id, actor="scheduler",
                    data={"late": len(late), "alternates": escalated, "stand_ins": stand_ins})
    await refresh_card(uow, record)


def _fate(fate: tuple[str, str, str] | None, language: str) -> str:
    """« — đã chuyển cho người thay X» or « — người thay X không liên lạc được (…)»; "" when the
    invitee has no alternate."""
    if fate is None:
        return ""
    key, name, why = fate
    reason = t(language, f"escalate.why.{why}") if why else ""
    return " — " + t(language, key, name=name, why=reason)


def step_handler(ctx: AppContext) -> StepHandler:
    """The engine's callback: a unit of work around the engine's own transaction, whose
    after-commit hooks (its log lines, a re-arming) run once the engine has committed — as every
    other unit of work's do (`bot.services.kernel.uow.unit_of_work`)."""

    async def handle(tx: Tx, step: Step) -> Callable[[], None]:
        uow, committed = within(ctx, tx)
        await fire(uow, step)
        return committed

    return handle
