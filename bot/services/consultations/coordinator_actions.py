"""One-tap coordinator actions (issue 26, item 5): «Nhắc», «Gia hạn 30 phút», «Kết thúc» under
the objection and deadline notices do what /remind, /extend N 30m and /close N do («Gia hạn 1 giờ»
under a request for more time: /extend N 1h), for the
coordinator of that consultation only: the button's data is untrusted, whoever pressed is checked."""

from __future__ import annotations

from bot.domain.callbacks import parse_action
from bot.errors import NotAuthorisedError, NotFoundError, StaleButtonError
from bot.i18n import t
from bot.services.answering import Press
from bot.services.consultations import managing
from bot.services.kernel.access import identify, require_role
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import consultations

_COMMAND = {"remind": "/remind", "extend": "/extend", "close": "/close"}


async def act(uow: UnitOfWork, press: Press) -> None:
    parsed = parse_action(press.data)
    if parsed is None:
        raise StaleButtonError("malformed callback data")
    cid = parsed.consultation_id
    person = await identify(uow.tx, press.user_id)
    command = _COMMAND[parsed.action]
    require_role(person, command, "coordinator")
    try:
        record, data_key = await consultations.get(uow.tx, uow.ctx.keys, cid)
    except NotFoundError:
        raise StaleButtonError("callback for an unknown consultation", consultation=cid) from None
    uow.remember_key(data_key)
    if record.consultation.opened_by != person.key:  # a coordinator, but not of this consultation
        raise NotAuthorisedError(f"{person.key} does not coordinate #{cid}", command=command, person=person.key)
    if parsed.action == "remind":
        await managing.remind(uow, person, str(cid), press.user_id)
    elif parsed.action == "extend":
        await managing.extend(uow, person, f"{cid} {parsed.extend_by}", press.user_id)
    else:
        await managing.close(uow, person, str(cid), press.user_id)
    await uow.answer_press(press.callback_id, press.user_id, t(uow.ctx.language, "action.done"))
