"""Every piece of content passes the guard before it is stored or relayed.

The guard may allow, redact or block. Blocked content is never stored, relayed or logged: what
remains is who, when, which rule, which level and a keyed hash of the content. If the guard is
missing or fails, the content is blocked — the bot fails closed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import ConsultError
from bot.i18n import t
from bot.services.texts import clip
from bot.services.uow import UnitOfWork
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.people import PersonRecord

if TYPE_CHECKING:
    from bot.services.answering import Incoming

log = logging.getLogger(__name__)

CONTENT_HASH_PURPOSE = "content"


class ClassifiedContentError(ConsultError):
    """Raised where blocked content would abort the use case (a consultation's title)."""

    message_key = "error.classified"


@dataclass(frozen=True)
class Screened:
    action: str  # allow | redact | block
    level: str | None
    text: str | None  # what may be stored and relayed; None when blocked
    rule: str | None
    content_hmac: str
    reason_key: str | None = None  # why a file was blocked unread (a catalogue key), for its sender

    @property
    def blocked(self) -> bool:
        return self.action == "block"


def screen_text(uow: UnitOfWork, text: str) -> Screened:
    return _screen(uow, lambda guard: guard.scan_text(text), text.encode("utf-8"))


def screen_document(uow: UnitOfWork, file_name: str, content: bytes, mime_type: str | None,
                    verdict: object = None) -> Screened:
    """`verdict`: already reached off the event loop (bot/services/file_checks.py); else judged here."""
    if verdict is not None:
        return _screen(uow, lambda guard: verdict, content)
    return _screen(uow, lambda guard: guard.scan_document(file_name, content, mime_type), content)


def screen_message(uow: UnitOfWork, message: Incoming) -> Screened:
    """A message's text or caption and its document, judged together: the stricter verdict wins,
    and what is stored for a document is its caption (as allowed) and its name."""
    text = screen_text(uow, message.text) if message.text or message.attachment is None else None
    if message.attachment is None:
        assert text is not None
        return text
    attachment = message.attachment
    document = screen_document(uow, attachment.file_name, attachment.content, attachment.mime_type,
                               attachment.verdict)
    if document.blocked:
        return document
    if text is not None and text.blocked:
        return text
    caption = text.text if text is not None else ""
    stored = f"{caption}\n📎 {attachment.file_name}".strip()
    action = text.action if text is not None else "allow"
    return Screened(action, text.level if text else None, stored, text.rule if text else None,
                    document.content_hmac)


def _screen(uow: UnitOfWork, scan: object, raw: bytes) -> Screened:
    content_hmac = uow.ctx.keys.keyed_hash(CONTENT_HASH_PURPOSE, raw)
    guard = uow.ctx.guard
    if guard is None:
        return Screened("block", None, None, "guard-missing", content_hmac)
    try:
        verdict = scan(guard)  # type: ignore[operator]
        action = str(getattr(verdict.action, "value", verdict.action))
        level = getattr(verdict.level, "value", verdict.level)
        return Screened(action, None if level is None else str(level),
                        None if action == "block" else verdict.text, verdict.rule, content_hmac,
                        getattr(verdict, "reason_key", None))
    except Exception:  # the guard failing must never let content through
        log.exception("guard failed; content blocked")
        return Screened("block", None, None, "guard-error", content_hmac)


async def record_block(uow: UnitOfWork, sender: PersonRecord | None, screened: Screened, where: str,
                       consultation_id: int | None = None) -> None:
    await uow.event("blocked", consultation_id=consultation_id, actor=sender.key if sender else None, data={
        "where": where, "rule": screened.rule, "level": screened.level, "content_hmac": screened.content_hmac,
    })


async def require_clean_title(uow: UnitOfWork, opener: PersonRecord, title: str) -> str:
    screened = screen_text(uow, title)
    if screened.blocked:
        raise ClassifiedContentError(
            "classified title", rule=screened.rule, level=screened.level, content_hmac=screened.content_hmac
        )
    assert screened.text is not None
    return screened.text


async def relay(uow: UnitOfWork, record: ConsultationRecord, sender: PersonRecord, message: Incoming,
                screened: Screened) -> None:
    """What happens to a comment after the guard: relayed, relayed redacted, or stopped.

    In the topic the original is already visible, so a redacted or blocked one is deleted at
    once; a redacted one is re-posted redacted under the sender's name.
    """
    ctx = uow.ctx
    cid = record.consultation.id
    group = record.chat_id or ctx.group_chat_id
    private = message.chat_id == message.user_id
    sender_language = sender.person.language or ctx.language
    key = f"{message.chat_id}:{message.message_id}" + (f":e{uow.update_id}" if message.edited else "")
    if not private and screened.action != "allow":
        await uow.send(f"delete:{key}", message.chat_id, "deleteMessage",
                       {"chat_id": message.chat_id, "message_id": message.message_id}, consultation_id=cid)
    if screened.blocked:
        if not private and group is not None:
            await uow.send(f"blocked-notice:{key}", group, "sendMessage", {
                "chat_id": group, "$thread": cid,
                "text": t(ctx.language, "guard.blocked_topic", name=sender.person.name, agency=sender.agency_name),
            }, consultation_id=cid)
        if screened.level is None and screened.reason_key is not None:  # a file that could not be read
            told = t(sender_language, "guard.unread_private", consultation=cid,
                     reason=t(sender_language, screened.reason_key))
        else:
            told = t(sender_language, "guard.blocked_private", consultation=cid,
                     level=level_name(screened.level, sender_language))
        await uow.send(f"blocked-tell:{key}", message.user_id, "sendMessage", {
            "chat_id": message.user_id, "text": told}, consultation_id=cid)
        return
    assert screened.text is not None
    if (private or screened.action == "redact") and group is not None:
        relayed = t(ctx.language, "comment.relayed", name=sender.person.name, agency=sender.agency_name,
                    text=screened.text)
        if message.attachment is not None:
            kind = "photo" if message.attachment.photo else "document"
            await uow.send(f"relay:{key}", group, "sendPhoto" if message.attachment.photo else "sendDocument", {
                "chat_id": group, "$thread": cid, kind: message.attachment.file_id,
                "caption": clip(relayed, 1024)}, consultation_id=cid)
        else:
            await uow.send(f"relay:{key}", group, "sendMessage",
                           {"chat_id": group, "$thread": cid, "text": clip(relayed)}, consultation_id=cid)
    if screened.action == "redact":
        await uow.send(f"redacted-tell:{key}", message.user_id, "sendMessage", {
            "chat_id": message.user_id, "text": t(sender_language, "guard.redacted_private", consultation=cid),
        }, consultation_id=cid)
    elif private:
        await uow.send(f"comment-ack:{key}", message.user_id, "sendMessage", {
            "chat_id": message.user_id, "text": t(sender_language, "comment.ack", consultation=cid),
        }, consultation_id=cid)


def level_name(level: str | None, language: str) -> str:
    return t(language, f"level.{level}") if level in ("mat", "toi_mat", "tuyet_mat") else "?"
