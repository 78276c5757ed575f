"""The officer decides, on the record: `/guard` lists open reports and recent cases, each with
«Đúng (giữ chặn)» (upheld: the report is closed) and «Cho phép một lần» (released: exactly that
file, by SHA-256, or that text, by its keyed hash, may be sent once more by that person within the
release window). Every decision is an event with the officer's key and a reason.

A case whose rule found a level marking in the text layer, or a stamp read by OCR with high
confidence, is not released by a button: the officer must type the level and a reason
(`/guardrelease <case> <level> <reason>`), and the national officers are told so.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.domain.callbacks import CasePress, case_data, parse_case
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.errors import CaseDecidedError, NotOfficerError, PrivateOnlyError, StaleButtonError, UsageError
from bot.i18n import t
from bot.services.kernel.access import identify
from bot.services.kernel.uow import UnitOfWork
from bot.services.officer import officers, reports
from bot.store.repos import guard_cases, people
from bot.store.repos.guard_cases import Case
from bot.store.repos.people import PersonRecord

log = logging.getLogger(__name__)

RECENT = timedelta(days=1)  # the recent cases /guard lists besides the open reports
LISTED = 10  # at most this many cases in one /guard answer
SURE_OCR = 85.0  # OCR's confidence in a stamp above which it counts as a marking read, not guessed
LEVELS = {"mat": "mat", "mật": "mat", "toi_mat": "toi_mat", "tối mật": "toi_mat", "tuyet_mat": "tuyet_mat",
          "tuyệt mật": "tuyet_mat"}
UPHELD, RELEASED = "upheld", "released"


def needs_two_steps(case: Case) -> bool:
    """A marking the guard found in the text layer, or a stamp OCR read with high confidence, is
    released only by an officer who types its level and a reason; a fail-closed block (nothing
    read) or a doubtful OCR reading may be released with the button."""
    if case.case.level is None:
        return False
    return case.case.ocr_confidence is None or case.case.ocr_confidence >= SURE_OCR


async def press(uow: UnitOfWork, callback_id: str, user_id: int, data: str | None) -> None:
    """A button of the officer's desk: untrusted data, checked against who pressed."""
    parsed = parse_case(data)
    if parsed is None:
        raise StaleButtonError("malformed case button")
    if parsed.action == "report":
        await reports.report(uow, parsed, callback_id, user_id)
    elif parsed.action == "skip":
        await reports.skip(uow, parsed, callback_id, user_id)
    else:
        await _decide_by_button(uow, parsed, callback_id, user_id)


async def _decide_by_button(uow: UnitOfWork, parsed: CasePress, callback_id: str, user_id: int) -> None:
    officer = await identify(uow.tx, user_id)
    case = await _case_for(uow, officer, parsed.case_id, "button")
    language = language_for(officer.person, uow.ctx.language)
    if parsed.action == "uphold":
        await decide(uow, officer, case, UPHELD, "upheld with the button")
        await uow.answer_press(callback_id, user_id, t(language, "officer.upheld", case=case.id))
        return
    if needs_two_steps(case):
        await uow.answer_press(callback_id, user_id, t(language, "officer.two_steps", case=case.id), show_alert=True)
        return
    await decide(uow, officer, case, RELEASED, "released with the button")
    await uow.answer_press(callback_id, user_id, t(language, "officer.released", case=case.id))


async def _case_for(uow: UnitOfWork, officer: PersonRecord, case_id: int, command: str) -> Case:
    officers.require_officer(officer, command)
    case = await guard_cases.case_by_id(uow.tx, case_id)
    if case is None:
        raise StaleButtonError(f"no case {case_id}")
    if not officers.covers(officer, case.case.agency):
        # An agency officer's buttons name only their agency's cases: another's was forged.
        log.warning("officer %s refused case %s of another agency", officer.key, case_id)
        raise NotOfficerError(f"{officer.key} does not cover case {case_id}", command=command)
    if case.decision is not None:
        raise CaseDecidedError(f"case {case_id} decided already", case=case_id)
    return case


async def decide(uow: UnitOfWork, officer: PersonRecord, case: Case, decision: str, reason: str,
                 typed_level: str | None = None) -> None:
    """Record the decision, once, as an event; a release lets that content through once and tells
    its sender; a typed release of a marked case is told to the national officers."""
    if not await guard_cases.decide(uow.tx, case.id, decision, uow.now, officer.key, reason):
        raise CaseDecidedError(f"case {case.id} decided already", case=case.id)
    data: dict[str, Any] = {"case": case.id, "decision": decision, "reason": reason}
    if decision == RELEASED:
        hours = uow.ctx.settings.guard_release_hours
        expires = uow.now + timedelta(hours=hours) * uow.ctx.clock.speed
        await guard_cases.release(uow.tx, case, expires)
        data["expires_at"] = expires.isoformat()
        if typed_level is not None:
            data["typed_level"] = typed_level
    await uow.event("case_decided", actor=officer.key, data=data)
    decided = await guard_cases.case_by_id(uow.tx, case.id)
    assert decided is not None
    if decision == RELEASED:
        await _tell_sender(uow, decided, hours=uow.ctx.settings.guard_release_hours)
    others = [o for o in await officers.officers_for(uow.tx, case.case.agency) if o.key != officer.key]
    for other in others:
        await _tell_officer(uow, other, decided, officer, marked=typed_level is not None and needs_two_steps(case))


async def _tell_sender(uow: UnitOfWork, case: Case, hours: float) -> None:
    sender = await people.person_by_telegram_id(uow.tx, case.case.user_id)
    if case.case.user_id == 0:
        return
    language = language_for(sender.person if sender is not None else None, uow.ctx.language)
    what = t(language, "officer.the_file" if case.case.file_sha256 else "officer.the_text")
    await uow.send(Outgoing.to(MessageKind.GUARD_DESK, ("released", case.id), case.case.user_id, "sendMessage", {
        "text": t(language, "officer.may_resend", case=case.id, what=what,
                                                hours=f"{hours:g}")}, person_key=case.case.actor))


async def _tell_officer(uow: UnitOfWork, other: PersonRecord, case: Case, officer: PersonRecord,
                        marked: bool) -> None:
    user_id = other.person.telegram_user_id
    assert user_id is not None
    language = language_for(other.person, uow.ctx.language)
    key = "officer.told_released_marked" if marked else f"officer.told_{case.decision}"
    text = t(language, key, case=case.id, officer=officer.person.name, reason=case.decision_reason or "")
    text += "\n" + await officers.summary(uow.tx, case, language, uow.ctx.zone)
    await uow.send(Outgoing.to(MessageKind.GUARD_DESK, ("decided", case.id, other.key), user_id, "sendMessage",
                               {"text": text}, person_key=other.key))


# -- /guard and /guardrelease ----------------------------------------------------------------------------


async def guard(uow: UnitOfWork, officer: PersonRecord, arguments: str, chat_id: int) -> None:
    """/guard: open reports first, then the day's other cases, each with its two buttons."""
    officers.require_officer(officer, "/guard")
    if chat_id != officer.person.telegram_user_id:
        raise PrivateOnlyError("/guard outside the private chat", command="/guard")
    agency = officers.scope_of(officer)
    language = language_for(officer.person, uow.ctx.language)
    reported = await guard_cases.open_reports(uow.tx, agency)
    recent = [c for c in await guard_cases.cases_since(uow.tx, uow.now - RECENT, agency)
              if c.decision is None and c.reported_at is None]
    listed = (reported + list(reversed(recent)))[:LISTED]
    if not listed:
        await uow.reply(chat_id, t(language, "officer.nothing_open"))
        return
    await uow.reply(chat_id, t(language, "officer.desk_header", reports=len(reported), recent=len(recent)))
    for case in listed:
        head = t(language, "officer.reported_tag") if case.reported_at else ""
        reason = await guard_cases.report_reason(uow.tx, await uow.data_key(0), case.id) if case.reported_at else ""
        text = head + await officers.summary(uow.tx, case, language, uow.ctx.zone)
        if reason:
            text += "\n" + t(language, "officer.reason_line", reason=reason)
        if needs_two_steps(case):
            text += "\n" + t(language, "officer.two_steps_note", case=case.id)
        await uow.reply(chat_id, text, reply_markup=decision_keyboard(case.id, language))


def decision_keyboard(case_id: int, language: str) -> dict[str, Any]:
    return {"inline_keyboard": [[
        {"text": t(language, "officer.uphold_button"), "callback_data": case_data(case_id, "uphold")},
        {"text": t(language, "officer.release_button"), "callback_data": case_data(case_id, "release")}]]}


async def guardrelease(uow: UnitOfWork, officer: PersonRecord, arguments: str, chat_id: int) -> None:
    """/guardrelease <case> <level> <reason>: the second step of releasing a marked case."""
    officers.require_officer(officer, "/guardrelease")
    if chat_id != officer.person.telegram_user_id:
        raise PrivateOnlyError("/guardrelease outside the private chat", command="/guardrelease")
    parts = arguments.split(maxsplit=1)
    case_id = int(parts[0]) if parts and parts[0].isdigit() and len(parts[0]) <= 10 else None
    rest = parts[1] if len(parts) > 1 else ""
    level = next((LEVELS[typed] for typed in sorted(LEVELS, key=len, reverse=True)
                  if rest.lower().startswith(typed + " ")), None)
    if case_id is None or level is None:
        raise UsageError("usage: /guardrelease <case> <level> <reason>", usage="guardrelease")
    typed = next(typed for typed in sorted(LEVELS, key=len, reverse=True) if rest.lower().startswith(typed + " "))
    reason = " ".join(rest[len(typed):].split())
    if not reason:
        raise UsageError("no reason given", usage="guardrelease")
    case = await _case_for(uow, officer, case_id, "/guardrelease")
    language = language_for(officer.person, uow.ctx.language)
    if case.case.level is not None and level != case.case.level:
        await uow.reply(chat_id, t(language, "officer.level_mismatch", case=case.id))
        return
    await decide(uow, officer, case, RELEASED, reason, typed_level=level)
    await uow.reply(chat_id, t(language, "officer.released", case=case.id))
