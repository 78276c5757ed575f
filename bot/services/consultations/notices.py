"""Disseminating a leaders' decision or guideline: `/notify <deadline> <scopes>: <text>`.

Decision 47 asks the national coordinator to disseminate leaders' guidelines and decisions in time.
A notice is a consultation of kind `notice`: the same routing, numbering (#N), topic, pinned card,
reminders and escalation, but its one answer is the acknowledgement «Đã nhận» / «Received», and
its outcome lists who acknowledged and when. `/status`, `/extend`, `/remind`, `/close`, `/cancel`,
`/export` and `/report` work on it as on any consultation.

The text is content entering the bot: the gate has judged the whole command already, and it is
judged again here, so that only what the guard allows (or its redaction) is stored and sent.
"""

from __future__ import annotations

from bot.domain.commands import parse_urgent
from bot.domain.consultation import Kind
from bot.domain.deadline import parse_deadline
from bot.errors import ClassifiedContentError, NothingToNotifyError
from bot.services.consultations import opening
from bot.services.kernel import screening
from bot.services.kernel.access import require_role
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos.people import PersonRecord

MAX_TEXT = 1000  # a decision or guideline in brief; the card, the topic and every message carry it


async def notify(uow: UnitOfWork, coordinator: PersonRecord, arguments: str, reply_chat: int) -> None:
    """Open a notice and invite everyone the scopes call in to acknowledge it."""
    require_role(coordinator, "/notify", "coordinator")
    request = parse_urgent(arguments, usage="notify", max_title=MAX_TEXT)
    deadline_at = parse_deadline(request.when, uow.now, uow.ctx.zone)
    scopes = uow.ctx.routing.parse_scopes(request.scopes)
    screened = screening.screen_text(uow, request.title)
    if screened.blocked:
        raise ClassifiedContentError("classified notice", rule=screened.rule, level=screened.level,
                                     content_hmac=screened.content_hmac)
    assert screened.text is not None
    if screened.action == "redact" and screening.nothing_left(uow.ctx, screened.text):
        raise NothingToNotifyError("the notice was redacted to nothing")
    await opening.open_with(uow, coordinator, screened.text, scopes, deadline_at, reply_chat, Kind.NOTICE)
