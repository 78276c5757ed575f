"""A message as it reaches the use cases (text, caption or file; new, edited or forwarded), and
the consultation it belongs to.

Kept in the kernel because every use case that reads a message takes it: the guard's verdict
(screening), the record of a block (blocking), the comment (comments).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import consultations, invitations, prompts
from bot.store.repos.people import PersonRecord


@dataclass(frozen=True)
class Attachment:
    file_name: str
    content: bytes
    mime_type: str | None
    file_id: str
    photo: bool = False  # a Telegram photo (relayed with sendPhoto), not a document


@dataclass(frozen=True)
class Incoming:
    """A message from a person (text, caption, document; new, edited or forwarded), in their private
    chat or in a topic of the group."""

    user_id: int
    chat_id: int
    message_id: int
    text: str
    thread_id: int | None = None
    reply_to_message_id: int | None = None
    attachment: Attachment | None = None
    edited: bool = False
    # A kind of media the guard cannot read (voice, video...): the message is blocked unread.
    unchecked_media: str | None = None
    # The bot has already deleted it from the group (the gate does so for anything not allowed).
    deleted: bool = False


async def consultation_of(uow: UnitOfWork, message: Incoming, person: PersonRecord) -> int | None:
    if message.chat_id == message.user_id:
        if message.reply_to_message_id is None:
            return None
        cid = await invitations.by_invitation_message(uow.tx, message.reply_to_message_id, person.key)
        if cid is None:  # a reply to an escalation or to a stand-in's invitation
            return await prompts.consultation_of(uow.tx, message.chat_id, message.reply_to_message_id, person.key)
        return cid
    if message.thread_id is None:
        return None
    return await consultations.by_thread(uow.tx, message.chat_id, message.thread_id)
