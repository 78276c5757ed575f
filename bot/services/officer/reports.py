"""«Báo chặn nhầm» / «Report a false positive»: the blocked sender reports their own case.

The button sits on the private notice of a block. Only the blocked person may report their case
(a forged or forwarded button is refused and logged). Pressing asks for an optional one-line reason
— the sender's next private message, judged by the guard like everything (a blocked reason becomes
a case of its own and is not stored) — with «Bỏ qua» to give none. The sender's agency officer and
the national officers are told at once, privately, with the case's metadata; the reason follows.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.domain.callbacks import CasePress, case_data
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.errors import CaseNotYoursError, StaleButtonError
from bot.i18n import t
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.screening import Screened
from bot.services.kernel.uow import UnitOfWork
from bot.services.officer import officers
from bot.store.db import Tx
from bot.store.repos import guard_cases, people
from bot.store.repos.guard_cases import Case

log = logging.getLogger(__name__)

REASON_WAIT = timedelta(minutes=15)  # how long the next private message counts as the reason
REASON_LIMIT = 300  # one line: longer is cut


async def notice_keyboard(tx: Tx, spec: dict[str, Any]) -> dict[str, Any] | None:
    """The report button of a private block notice, naming the sender's last unreported case;
    None for the group's notices and when there is nothing left to report."""
    if spec.get("kind") != "private":
        return None
    case_id = await guard_cases.latest_unreported(tx, int(spec["chat_id"]))
    if case_id is None:
        return None
    button = {"text": t(str(spec["language"]), "officer.report_button"), "callback_data": case_data(case_id, "report")}
    return {"inline_keyboard": [[button]]}


async def report(uow: UnitOfWork, press: CasePress, callback_id: str, user_id: int) -> None:
    """The sender pressed «Báo chặn nhầm» on their own case."""
    case = await _own_case(uow, press.case_id, user_id)
    sender = await people.person_by_telegram_id(uow.tx, user_id)
    language = language_for(sender.person if sender is not None else None, uow.ctx.language)
    if case.reported_at is not None or case.decision is not None:
        await uow.answer_press(callback_id, user_id, t(language, "officer.reported_already", case=case.id))
        return
    await guard_cases.report(uow.tx, await uow.data_key(0), case.id, uow.now, "")
    await guard_cases.want_reason(uow.tx, case.id, uow.now + REASON_WAIT * uow.ctx.clock.speed)
    await uow.event("case_reported", actor=case.case.actor, data={"case": case.id})
    await uow.answer_press(callback_id, user_id, t(language, "officer.reported", case=case.id))
    skip = {"text": t(language, "officer.skip_button"), "callback_data": case_data(case.id, "skip")}
    await uow.send(Outgoing.to(MessageKind.GUARD_DESK, ("ask", case.id), user_id, "sendMessage", {
        "text": t(language, "officer.ask_reason", case=case.id),
        "reply_markup": {"inline_keyboard": [[skip]]}}, person_key=case.case.actor))
    reported = await guard_cases.case_by_id(uow.tx, case.id)
    assert reported is not None
    await officers.tell(uow, reported, "report", lambda lang: t(lang, "officer.told_report", case=case.id))


async def skip(uow: UnitOfWork, press: CasePress, callback_id: str, user_id: int) -> None:
    """The sender gives no reason."""
    case = await _own_case(uow, press.case_id, user_id)
    await guard_cases.want_reason(uow.tx, case.id, None)
    sender = await people.person_by_telegram_id(uow.tx, user_id)
    language = language_for(sender.person if sender is not None else None, uow.ctx.language)
    await uow.answer_press(callback_id, user_id, t(language, "officer.reason_skipped", case=case.id))


async def take_reason(uow: UnitOfWork, message: Incoming, screened: Screened) -> bool:
    """A private text from a sender whose report waits for its reason is that reason (as the guard
    allowed it); False when none waits."""
    if message.chat_id != message.user_id or message.attachment is not None or message.edited \
            or message.text.startswith("/") or message.reply_to_message_id is not None:
        return False  # a reply (to an invitation, a reminder) is a comment, not the reason
    case_id = await guard_cases.reason_wanted(uow.tx, message.user_id, uow.now)
    if case_id is None or screened.blocked or screened.text is None:
        return False
    reason = " ".join(screened.text.split())[:REASON_LIMIT]
    await guard_cases.set_reason(uow.tx, await uow.data_key(0), case_id, reason)
    await guard_cases.want_reason(uow.tx, case_id, None)
    case = await guard_cases.case_by_id(uow.tx, case_id)
    assert case is not None
    await uow.event("case_reason", actor=case.case.actor,
                    data={"case": case_id, "redacted": screened.action != "allow"})
    sender = await people.person_by_telegram_id(uow.tx, message.user_id)
    language = language_for(sender.person if sender is not None else None, uow.ctx.language)
    await uow.reply(message.chat_id, t(language, "officer.reason_thanks", case=case_id))
    await officers.tell(uow, case, "reason", lambda lang: t(lang, "officer.told_reason", case=case_id, reason=reason),
                        summary_too=False)
    return True


async def _own_case(uow: UnitOfWork, case_id: int, user_id: int) -> Case:
    case = await guard_cases.case_by_id(uow.tx, case_id)
    if case is None:
        raise StaleButtonError(f"no case {case_id}")
    if case.case.user_id != user_id:
        # The button is on the blocked sender's private notice: anyone else pressing it forged it.
        log.warning("report of case %s pressed by telegram user %s, who is not its sender; refused", case_id, user_id)
        raise CaseNotYoursError(f"case {case_id} is not this user's", case=case_id)
    return case
