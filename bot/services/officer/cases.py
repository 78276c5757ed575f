"""Every block becomes a case: a row the officer can look at and an event in the audit chain.

What is kept is what a ministry's security officer may see without the content: when, who, their
agency, where, the rule and level, what part of the message was judged (and finer where the guard
tells it), OCR's confidence, a file's type, size and SHA-256, the content's keyed hash, the policy's
hash. The SHA-256 of a file is what a one-time release names; the keyed hash, a text's.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from bot.services.kernel.incoming import Incoming
from bot.services.kernel.screening import DOWNLOAD_FAILED, Screened
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import guard_cases
from bot.store.repos.guard_cases import NewCase
from bot.store.repos.people import PersonRecord

CASE_EVENT = "guard_case"


def case_of(message: Incoming, screened: Screened, person: PersonRecord | None, *, at: datetime, place: str,
            consultation_id: int | None, kind: str) -> NewCase:
    """The case a block leaves, from the message and its verdict: metadata only."""
    attachment = message.attachment
    source = screened.source or ("media:" + message.unchecked_media if message.unchecked_media else
                                 "file" if screened.rule == DOWNLOAD_FAILED else "text")
    file_type = file_size = file_sha256 = None
    if attachment is not None and source != "caption":
        file_type = attachment.mime_type or ("image/jpeg" if attachment.photo else _extension(attachment.file_name))
        file_size = len(attachment.content)
        file_sha256 = hashlib.sha256(attachment.content).hexdigest()
    actor = person.key if person is not None else f"tg:{message.user_id}"
    return NewCase(
        at=at, actor=actor, user_id=message.user_id,
        agency=person.person.agency if person is not None else None, chat_id=message.chat_id,
        thread_id=message.thread_id, message_id=message.message_id, place=place, consultation_id=consultation_id,
        kind=kind, rule=screened.rule, level=screened.level, source=source, detail=screened.detail or _layer(screened),
        ocr_confidence=screened.ocr_confidence, file_type=file_type, file_size=file_size, file_sha256=file_sha256,
        content_hmac=screened.content_hmac, policy_hash=screened.policy_hash)


def _layer(screened: Screened) -> str | None:
    """Where in a file the marking was found, as far as the rule's name tells: its text layer, or
    a picture read by OCR."""
    rule = screened.rule or ""
    if rule.startswith("document:"):
        return "text-layer"
    if rule.startswith("image:"):
        return "ocr"
    return None


def _extension(file_name: str) -> str | None:
    """A file's type by its name's ending when Telegram gave none: never the name itself, which may
    carry the marking."""
    dot = file_name.rfind(".")
    ending = file_name[dot + 1:].lower() if dot >= 0 else ""
    return ending if ending.isalnum() and len(ending) <= 8 else None


async def open_case(uow: UnitOfWork, message: Incoming, screened: Screened, person: PersonRecord | None, *,
                    place: str, consultation_id: int | None, kind: str) -> int:
    """Put a block on the officer's desk and in the audit chain; the case's number."""
    case = case_of(message, screened, person, at=uow.now, place=place, consultation_id=consultation_id, kind=kind)
    case_id = await guard_cases.open_case(uow.tx, case)
    record = case.as_record()
    record.pop("at")
    await uow.event(CASE_EVENT, actor=case.actor, data={"case": case_id, **record})
    return case_id
