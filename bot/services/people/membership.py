"""Invitees outside the coordination group: a join link of their own, and approval only for them.

After each first invitation the bot asks Telegram whether the invitee is in the group. If not, it
creates a link that only files a join request (Telegram will not combine a member limit with
approval, so approval is the gate), names it after the consultation and person, and sends it
privately. A join request is approved only when the requester is an enrolled person invited to a
consultation still open in that group; anyone else is declined, and the refusal is an event.

Each step is an outbox row whose result queues the next in the same transaction, so a restart
resumes the chain; a kill just after Telegram created a link may create one more, never send two.
"""

from __future__ import annotations

from typing import Any

from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.i18n import t
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import invitations, people

ABSENT = ("left",)  # "kicked" means an administrator banned them: no link is offered


async def check_member(uow: UnitOfWork, consultation_id: int, person_key: str, user_id: int, group: int) -> None:
    """Queued after the invitation, in the invitee's own lane, so it never holds up the group."""
    await uow.send(Outgoing(MessageKind.MEMBER_CHECK, (consultation_id, person_key), user_id, "getChatMember",
                            {"chat_id": group, "user_id": user_id}, consultation_id=consultation_id,
                            person_key=person_key))


async def member_checked(uow: UnitOfWork, consultation_id: int, person_key: str, user_id: int, group: int,
                         result: dict[str, Any]) -> None:
    status = result.get("status")
    absent = status in ABSENT or (status == "restricted" and result.get("is_member") is False)
    if not absent:
        return
    await uow.send(Outgoing(MessageKind.JOIN_LINK, (consultation_id, person_key), user_id, "createChatInviteLink", {
        "chat_id": group, "name": f"#{consultation_id} {person_key}"[:32], "creates_join_request": True,
    }, consultation_id=consultation_id, person_key=person_key))


async def link_created(uow: UnitOfWork, consultation_id: int, person_key: str, user_id: int,
                       result: dict[str, Any]) -> None:
    link = result.get("invite_link")
    record = await people.person_by_key(uow.tx, person_key)
    if not isinstance(link, str) or record is None:
        return
    language = language_for(record.person, uow.ctx.language)
    await uow.send(Outgoing.to(MessageKind.JOIN_LINK_MESSAGE, (consultation_id, person_key), user_id, "sendMessage", {
        "text": t(language, "join.link", consultation=consultation_id),
        "reply_markup": {"inline_keyboard": [[{"text": t(language, "join.button"), "url": link}]]},
    }, consultation_id=consultation_id, person_key=person_key))
    await uow.event("join_link_sent", consultation_id=consultation_id, actor=person_key)


async def join_request(uow: UnitOfWork, user_id: int, chat_id: int) -> None:
    """Approve an enrolled invitee of an open consultation in this group; decline anyone else."""
    person = await people.person_by_telegram_id(uow.tx, user_id)
    invited = None
    if person is not None:
        invited = await invitations.latest_open_in_chat(uow.tx, chat_id, uow.ctx.group_chat_id, person.key)
    actor = person.key if person is not None else f"tg:{user_id}"
    tag = uow.update_id if uow.update_id is not None else "local"
    if invited is None:
        await uow.send(Outgoing.to(MessageKind.JOIN_DECLINE, (tag,), chat_id, "declineChatJoinRequest",
                                   {"user_id": user_id}))
        await uow.event("refused", actor=actor, data={"command": "join_request", "reason": "not_an_invitee"})
        return
    await uow.send(Outgoing.to(MessageKind.JOIN_APPROVE, (tag,), chat_id, "approveChatJoinRequest",
                               {"user_id": user_id}, consultation_id=int(invited),
                               person_key=None if person is None else person.key))
    await uow.event("joined_group", consultation_id=int(invited), actor=actor)
