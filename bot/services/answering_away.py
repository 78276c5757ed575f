"""An invitee's own answer while his alternate stands in for him (issue 26, item 6).

A focal point who set /away still holds his old invitation, and its buttons still work: he is
the invitee, and he may be back. But once his alternate has answered for the agency, a press
on that old message would silently replace the alternate's answer — and the alternate, who
took the trouble, would never know. So such a press is asked first, in a private message with
two buttons (an alert vanishes; a message stays until it is answered), and only the confirming
press records the answer. Whenever the invitee's own answer replaces or comes before the
alternate's, the alternate is told, and the buttons the bot sent him for it are drawn spent.

`answering.answer` calls `check` before it records and `tell` after; the confirmation's buttons
come back through `confirm`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.domain.callbacks import answer_data, parse_override
from bot.domain.consultation import Position
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.errors import NotParticipantError, StaleButtonError
from bot.i18n import t
from bot.services.kernel.access import identify
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation.keyboards import override_keyboard, spent_keyboard
from bot.services.presentation.texts import for_kind
from bot.store.repos import people, prompts
from bot.store.repos.consultations import ConsultationRecord, Participant
from bot.store.repos.people import PersonRecord


class Press(Protocol):
    """A button press as `answering.Press` holds it (answering imports this module, not the reverse)."""

    @property
    def callback_id(self) -> str: ...
    @property
    def user_id(self) -> int: ...
    @property
    def data(self) -> str | None: ...
    @property
    def chat_id(self) -> int | None: ...
    @property
    def message_id(self) -> int | None: ...


# Records this press as if it carried the given answer data, the invitee's confirmation given
# (`answering.confirmed`: answering calls this module, so it is handed in, not imported).
AnswerWith = Callable[[UnitOfWork, str], Awaitable[None]]


@dataclass(frozen=True)
class OwnAnswer:
    """What an invitee's own press found before it is recorded: held (asked first), or which
    alternates to tell once it is recorded (none: nobody stood in, or he answered himself before)."""

    held: bool = False
    alternates: tuple[str, ...] = ()


NOTHING = OwnAnswer()


async def check(uow: UnitOfWork, record: ConsultationRecord, presser: PersonRecord, principals: list[str],
                seat: Participant | None, position: Position, press: Press, *, confirmed: bool = False) -> OwnAnswer:
    """Before an answer is recorded: whether the invitee's own press must be asked first (his
    alternate answered for him, with another answer), and whom to tell once it is recorded.
    `seat`: the presser's seat as read before this press (the caller reads it once, for both)."""
    if principals != [presser.key]:
        return NOTHING  # an alternate answering for the invitee, or nobody
    c = record.consultation
    if seat is None:
        return NOTHING
    if seat.position is not None and seat.responded_by in (None, presser.key):
        return NOTHING  # his own answer already: the alternate was told then
    alternates = {key for _, _, key in await prompts.stood_in_for(uow.tx, c.id, presser.key)}
    answered_by = seat.responded_by if seat.position is not None else None
    if answered_by is not None:
        alternates.add(answered_by)
    if answered_by is not None and seat.position is not position and not confirmed:
        await _ask(uow, record, presser, answered_by, seat.position, position, press)
        return OwnAnswer(held=True)
    return OwnAnswer(alternates=tuple(sorted(alternates)))


async def _ask(uow: UnitOfWork, record: ConsultationRecord, invitee: PersonRecord, alternate_key: str,
               given: Position | None, position: Position, press: Press) -> None:
    c = record.consultation
    alternate = await people.person_by_key(uow.tx, alternate_key)
    name = alternate.person.name if alternate is not None else alternate_key
    language = language_for(invitee.person, uow.ctx.language)
    chat = press.user_id
    text = t(language, "override.question", consultation=c.id, alternate=name,
             given=t(language, f"position.{given.value}") if given is not None else "?",
             position=t(language, f"position.{position.value}"))
    await uow.send(Outgoing.to(MessageKind.OVERRIDE_ASK, (c.id, invitee.key, uow.tag), chat, "sendMessage",
                               {"text": text,
                             "reply_markup": override_keyboard(c.id, position, name, language)},
                               consultation_id=c.id, person_key=invitee.key, for_person_key=invitee.key))
    await uow.event("answer_held", consultation_id=c.id, actor=invitee.key,
                    data={"person": invitee.key, "answered_by": alternate_key, "position": position.value})
    await uow.answer_press(press.callback_id, press.user_id, t(language, "override.asked", alternate=name))


async def tell(uow: UnitOfWork, record: ConsultationRecord, invitee: PersonRecord, found: OwnAnswer,
               position: Position) -> None:
    """After the invitee's own answer is recorded: each alternate who stood in for him hears it,
    and the buttons the bot sent him for it are drawn spent (he need not answer any more)."""
    if not found.alternates:
        return
    c = record.consultation
    sent = await prompts.stood_in_for(uow.tx, c.id, invitee.key)
    for key in found.alternates:
        alternate = await people.person_by_key(uow.tx, key)
        if alternate is None or alternate.person.telegram_user_id is None:
            continue
        chat = alternate.person.telegram_user_id
        language = language_for(alternate.person, uow.ctx.language)
        await uow.send(Outgoing.to(MessageKind.RELIEVED, (c.id, invitee.key, key, uow.tag), chat, "sendMessage", {
            "text": t(language, for_kind(c, "override.alternate_told"), name=invitee.person.name,
                                       consultation=c.id, position=t(language, f"position.{position.value}"))},
            consultation_id=c.id, person_key=key))
        for prompt_chat, message_id, to in sent:
            if to != key:
                continue
            await uow.send(Outgoing.to(MessageKind.SPENT, (c.id, prompt_chat, message_id, "relieved"), prompt_chat,
                                       "editMessageReplyMarkup", {
                                        "message_id": message_id,
                                        "reply_markup": spent_keyboard(language, c.kind)},
                                       consultation_id=c.id, person_key=key))


async def confirm(uow: UnitOfWork, press: Press, answer_with: AnswerWith) -> None:
    """«Thay câu trả lời của …» records the answer asked about, through the same checks as any
    press (the question is an answer prompt for the invitee himself); «Giữ nguyên» records nothing."""
    parsed = parse_override(press.data)
    if parsed is None:
        raise StaleButtonError("malformed callback data")
    cid = parsed.consultation_id
    person = await identify(uow.tx, press.user_id)
    private = press.chat_id == press.user_id and press.message_id is not None
    prompt = await prompts.prompt_of(uow.tx, press.user_id, press.message_id or 0, cid) if private else None
    if prompt is None or not prompt.sent_to == prompt.sent_for == person.key:  # the invitee himself, no one else
        raise NotParticipantError("not a question the bot asked this invitee", consultation=cid)
    if parsed.position is not None:
        await answer_with(uow, answer_data(cid, parsed.position))
        return
    language = language_for(person.person, uow.ctx.language)
    message_id = press.message_id or 0  # known: the prompt was found by it
    await uow.answer_press(press.callback_id, press.user_id, t(language, "override.kept"))
    await uow.send(Outgoing.to(MessageKind.SPENT, (cid, press.user_id, message_id, "kept"),
                               press.user_id, "editMessageReplyMarkup", {
                                "message_id": message_id,
                                "reply_markup": {"inline_keyboard": []}},
                               consultation_id=cid, person_key=person.key))
