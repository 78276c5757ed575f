"""One-tap coordinator actions (issue 26, item 5): «Nhắc», «Gia hạn 30 phút», «Kết thúc» on the
status card in the topic and under the objection and deadline notices do what /remind,
/extend N 30m and /close N do («Gia hạn 1 giờ» under a request for more time: /extend N 1h), for
the coordinator of that consultation only: the button's data is untrusted, whoever pressed is
checked (in the group anyone can press the card's)."""

from __future__ import annotations

from bot.domain.callbacks import parse_action
from bot.domain.language import language_for
from bot.errors import NotAuthorisedError, NotFoundError, StaleButtonError
from bot.i18n import t
from bot.services.answering import Press
from bot.services.consultations import managing
from bot.services.kernel.access import identify
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import consultations, people

_COMMAND = {"remind": "/remind", "extend": "/extend", "close": "/close"}


async def act(uow: UnitOfWork, press: Press) -> None:
    parsed = parse_action(press.data)
    if parsed is None:
        raise StaleButtonError("malformed callback data")
    cid = parsed.consultation_id
    person = await identify(uow.tx, press.user_id)
    command = _COMMAND[parsed.action]
    try:
        record, data_key = await consultations.get(uow.tx, uow.ctx.keys, cid)
    except NotFoundError:
        raise StaleButtonError("callback for an unknown consultation", consultation=cid) from None
    uow.remember_key(data_key)
    opener = record.consultation.opened_by
    if opener != person.key or not person.person.has_role("coordinator"):
        # The card is in the group, where anyone may press: the refusal (an alert to the presser
        # alone) says who may, so that they know whom to ask.
        coordinator = await people.person_by_key(uow.tx, opener)
        language = language_for(person.person, uow.ctx.language)
        who = t(language, "error.not_authorised.coordinator_of", consultation=cid,
                name=f"{coordinator.person.name} ({coordinator.agency_name})" if coordinator else opener)
        raise NotAuthorisedError(f"{person.key} does not coordinate #{cid}", command=command, person=person.key,
                                 who=who)
    if parsed.action == "remind":
        await managing.remind(uow, person, str(cid), press.user_id)
    elif parsed.action == "extend":
        await managing.extend(uow, person, f"{cid} {parsed.extend_by}", press.user_id)
    else:
        await managing.close(uow, person, str(cid), press.user_id)
    await uow.answer_press(press.callback_id, press.user_id, t(uow.ctx.language, "action.done"))
