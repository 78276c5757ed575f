"""Every piece of content passes the guard before it is stored or relayed.

The guard may allow, redact or block. Blocked content is never stored, relayed or logged: what
remains is who, when, which rule, which level and a keyed hash of the content. Reaching a verdict
is itself guarded: a missing or unusable key, a guard that is absent or raises, a file that cannot
be fetched, a verdict that takes too long — each is a block under its own rule (the bot fails
closed), and the log says why without the content.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.language import language_for
from bot.domain.outbox import Dependency, MessageKind, Outgoing
from bot.domain.relay import Notice, relay_plan
from bot.domain.textparts import CAPTION_LIMIT, TEXT_LIMIT, Chunk, fits, with_headers
from bot.errors import ClassifiedContentError, ConsultError
from bot.guard.policy import LEVEL_NAMES_VI
from bot.guard.verdict import Verdict
from bot.i18n import t
from bot.services.kernel.context import AppContext
from bot.services.kernel.file_checks import SlowNote
from bot.services.kernel.incoming import Attachment, Incoming
from bot.services.kernel.ports import GuardPort
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos.consultations import ConsultationRecord
from bot.store.repos.people import PersonRecord

log = logging.getLogger(__name__)

CONTENT_HASH_PURPOSE = "content"
# The rules under which content is blocked because no verdict could be reached.
GUARD_UNAVAILABLE = "guard-unavailable"  # no guard, or its key cannot be used
GUARD_ERROR = "guard-error"  # the guard raised
GUARD_TIMEOUT = "guard-timeout"  # no verdict within VERDICT_SECONDS
DOWNLOAD_FAILED = "download-failed"  # the file could not be fetched from Telegram
UNREADABLE_MEDIA = "unreadable-media"  # voice, audio, video, stickers: nothing the guard can read
FAIL_CLOSED_RULES = (GUARD_UNAVAILABLE, GUARD_ERROR, GUARD_TIMEOUT, DOWNLOAD_FAILED)
# A backstop above the guard policy's own limits: a message whose verdict takes longer is blocked.
VERDICT_SECONDS = 120.0
# A text the guard must block at this level; a guard that does not is not working.
CANARY = ("TỐI MẬT", "toi_mat")
DEFAULT_PLACEHOLDER = "[đã lược bỏ: {level}]"
# A relayed comment shows no link preview: the page's title and picture would be shown in the topic
# by the bot itself, and nothing of them was judged.
NO_PREVIEW = {"link_preview_options": {"is_disabled": True}}


@dataclass(frozen=True)
class Screened:
    action: str  # allow | redact | block
    level: str | None
    text: str | None  # what may be stored and relayed; None when blocked
    rule: str | None
    content_hmac: str | None  # None only when the key to compute it could not be used
    reason: str | None = None  # for the log and the operator: why no verdict was reached
    reason_key: str | None = None  # why a file was blocked unread (a catalogue key), for its sender
    # What the officer's case keeps (issue #29), never content: the policy that judged, what part was
    # judged (text, caption, file, photo, file-name), finer where the guard tells it (a PDF's page, a
    # DOCX's header) and OCR's confidence where there was OCR.
    policy_hash: str | None = None
    source: str | None = None
    detail: str | None = None
    ocr_confidence: float | None = None

    @property
    def blocked(self) -> bool:
        return self.action == "block"


# What the sender of a message blocked for want of a verdict can do, in their language.
REASON_KEYS = {GUARD_UNAVAILABLE: "guard.reason.guard_error", GUARD_ERROR: "guard.reason.guard_error",
               GUARD_TIMEOUT: "guard.reason.too_slow", DOWNLOAD_FAILED: "guard.reason.download_failed",
               UNREADABLE_MEDIA: "guard.reason.media"}


def failed(rule: str, reason: str, content_hmac: str | None = None) -> Screened:
    """A block for want of a verdict. `reason` (English) is for the log; its sender is told
    `REASON_KEYS[rule]` in their language."""
    return Screened("block", None, None, rule, content_hmac, reason, REASON_KEYS.get(rule))


# -- texts, inside a use case (titles, summaries) ---------------------------------------------------


def screen_text(uow: UnitOfWork, text: str) -> Screened:
    return _screen(uow.ctx, lambda guard: guard.scan_text(text), text.encode("utf-8"))


def screen_document(uow: UnitOfWork, file_name: str, content: bytes, mime_type: str | None) -> Screened:
    return _screen(uow.ctx, lambda guard: guard.scan_document(file_name, content, mime_type), content)


def screen_message(uow: UnitOfWork, message: Incoming) -> Screened:
    """A message's text or caption and its document, judged together (see `combine`)."""
    text = screen_text(uow, message.text) if message.text or message.attachment is None else None
    if message.unchecked_media is not None:
        return _unreadable_media(uow.ctx, message)
    if message.attachment is None:
        assert text is not None
        return text
    attachment = message.attachment
    return combine(text, screen_document(uow, attachment.file_name, attachment.content, attachment.mime_type),
                   attachment)


def combine(text: Screened | None, document: Screened, attachment: Attachment) -> Screened:
    """The stricter verdict wins; what is stored for a document is its caption (as allowed) and
    its name."""
    if document.blocked:
        part = "file-name" if (document.rule or "").startswith("file-name:") else \
            ("photo" if attachment.photo else "file")
        return replace(document, source=document.source or part)
    if text is not None and text.blocked:
        return replace(text, source="caption")
    caption = text.text if text is not None else ""
    stored = f"{caption}\n📎 {attachment.file_name}".strip()
    action = text.action if text is not None else "allow"
    return Screened(action, text.level if text else None, stored, text.rule if text else None,
                    document.content_hmac)


def _screen(ctx: AppContext, scan: Callable[[GuardPort], Any], raw: bytes) -> Screened:
    """One verdict, failing closed: the keyed hash and the guard's call are both inside."""
    try:
        content_hmac = ctx.keys.keyed_hash(CONTENT_HASH_PURPOSE, raw)
    except Exception as error:
        reason = f"the content hash key cannot be used: {_describe(error)}"
        log.error("guard unavailable (%s); content blocked", reason)
        return failed(GUARD_UNAVAILABLE, reason)
    guard = ctx.guard
    if guard is None:
        log.error("guard unavailable (no guard configured); content blocked")
        return failed(GUARD_UNAVAILABLE, "no guard configured", content_hmac)
    try:
        return _from_verdict(scan(guard), content_hmac)
    except Exception as error:
        log.exception("guard failed (%s); content blocked", type(error).__name__)  # no content in it
        return failed(GUARD_ERROR, f"the guard raised {type(error).__name__}", content_hmac)


def _hash_or_none(ctx: AppContext, raw: bytes) -> str | None:
    try:
        return ctx.keys.keyed_hash(CONTENT_HASH_PURPOSE, raw)
    except Exception:
        return None


def _from_verdict(verdict: Verdict, content_hmac: str) -> Screened:
    action, level = str(verdict.action), verdict.level
    if action not in ("allow", "redact", "block"):
        raise ValueError(f"the guard answered an unknown action {action!r}")
    extra = verdict.extra
    confidence = extra.get("ocr_confidence")
    detail = extra.get("detail") or extra.get("where")
    if detail is None and isinstance(extra.get("page"), int):  # a PDF's page, where the guard tells it
        detail = f"page {extra['page']}"
    return Screened(action, None if level is None else str(level), None if action == "block" else verdict.text,
                    verdict.rule, content_hmac, verdict.reason, verdict.reason_key,
                    policy_hash=verdict.policy_hash or None,
                    source=extra.get("source") if isinstance(extra.get("source"), str) else None,
                    detail=detail if isinstance(detail, str) else None,
                    ocr_confidence=float(confidence) if isinstance(confidence, (int, float)) else None)


def _describe(error: Exception) -> str:
    # Key errors name the file and what to do, never key material; anything else only by its type.
    return str(error) if isinstance(error, ConsultError) else type(error).__name__


def _unreadable_media(ctx: AppContext, message: Incoming) -> Screened:
    try:
        content_hmac: str | None = ctx.keys.keyed_hash(CONTENT_HASH_PURPOSE, message.text.encode("utf-8"))
    except Exception:
        content_hmac = None
    return Screened("block", None, None, UNREADABLE_MEDIA, content_hmac,
                    f"{message.unchecked_media} cannot be checked for secrecy markings", REASON_KEYS[UNREADABLE_MEDIA])


# -- a whole message, before anything else happens to it ---------------------------------------------


async def judge(ctx: AppContext, message: Incoming, on_slow: SlowNote | None = None) -> Screened:
    """The verdict on an incoming message, reached off the event loop for its file and within
    VERDICT_SECONDS; anything else is a block (fail closed). `on_slow` shows a "checking the
    file…" note while a file takes long, and returns what removes it."""
    try:
        return await asyncio.wait_for(_judge(ctx, message, on_slow), VERDICT_SECONDS)
    except TimeoutError:
        log.error("guard timeout: no verdict within %.0f s; content blocked", VERDICT_SECONDS)
        return failed(GUARD_TIMEOUT, f"no verdict within {VERDICT_SECONDS:.0f} s")
    except Exception as error:
        log.exception("guard failed (%s); content blocked", type(error).__name__)
        return failed(GUARD_ERROR, f"judging raised {type(error).__name__}")


async def _judge(ctx: AppContext, message: Incoming, on_slow: SlowNote | None) -> Screened:
    if message.unchecked_media is not None:
        return _unreadable_media(ctx, message)
    text = None
    if message.text or message.attachment is None:
        text = _screen(ctx, lambda guard: guard.scan_text(message.text), message.text.encode("utf-8"))
    attachment = message.attachment
    if attachment is None:
        assert text is not None
        return text
    document = await _judge_document(ctx, message.chat_id, attachment.file_name, attachment.content,
                                     attachment.mime_type, on_slow)
    return combine(text, document, attachment)


async def _judge_document(ctx: AppContext, chat_id: int, file_name: str, content: bytes, mime_type: str | None,
                          on_slow: SlowNote | None = None) -> Screened:
    # A file's verdict may take seconds (PDF, DOCX, OCR): it is awaited, and meanwhile the bot
    # keeps sending (deletions above all). With the guard's worker processes running, the file is
    # read there, one at a time per chat; otherwise (stand-in guards, no pool) on a thread.
    guard = ctx.guard
    if guard is None:
        return _screen(ctx, lambda guard: guard.scan_document(file_name, content, mime_type), content)
    try:
        verdict = await ctx.file_checks.verdict(guard, chat_id, file_name, content, mime_type, on_slow=on_slow)
    except Exception as error:
        log.exception("guard failed (%s); content blocked", type(error).__name__)  # no content in it
        return failed(GUARD_ERROR, f"the guard raised {type(error).__name__}", _hash_or_none(ctx, content))
    return _screen(ctx, lambda guard: verdict, content)


async def judge_file(ctx: AppContext, chat_id: int, file_name: str, content: bytes, mime_type: str | None) -> Screened:
    """A file the bot made from what it was sent (an album's pictures stitched together), judged in
    the chat's turn as a file sent to it."""
    return await _judge_document(ctx, chat_id, file_name, content, mime_type)


async def judge_outgoing_file(ctx: AppContext, chat_id: int, file_name: str, content: bytes,
                              mime_type: str | None) -> Screened:
    """A file the bot made and is about to send (the report to the Prime Minister) judged as any
    file sent to it, off the event loop and failing closed: what the bot sends passes the guard
    like what it receives."""
    try:
        return await asyncio.wait_for(_judge_document(ctx, chat_id, file_name, content, mime_type), VERDICT_SECONDS)
    except TimeoutError:
        log.error("guard timeout on an outgoing file: no verdict within %.0f s; not sent", VERDICT_SECONDS)
        return failed(GUARD_TIMEOUT, f"no verdict within {VERDICT_SECONDS:.0f} s")
    except Exception as error:
        log.exception("guard failed on an outgoing file (%s); not sent", type(error).__name__)
        return failed(GUARD_ERROR, f"judging raised {type(error).__name__}")


# -- is the guard working? ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardStatus:
    ok: bool
    detail: str


def guard_status(ctx: AppContext) -> GuardStatus:
    """Whether a verdict can be reached now: the key that hashes blocked content is usable and the
    guard blocks its canary. Read by /healthz and the metrics; carries no content."""
    text, level = CANARY
    screened = _screen(ctx, lambda guard: guard.scan_text(text), text.encode("utf-8"))
    if screened.rule in FAIL_CLOSED_RULES:
        return GuardStatus(False, f"{screened.rule}: {screened.reason}")
    if not screened.blocked or screened.level != level:
        return GuardStatus(False, "the guard does not block its canary")
    return GuardStatus(True, "ok")


# -- what happens after the guard ----------------------------------------------------------------------


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
    """What happens to an allowed or redacted comment, as `bot.domain.relay.relay_plan` decides:
    relayed, relayed redacted, or (redacted to nothing but placeholders) relayed nowhere, its
    sender told. In the topic a redacted original is deleted at once (the gate has done so
    already for a running bot). A comment too long for one message with its author's name goes
    in parts, each naming him.
    """
    ctx = uow.ctx
    cid = record.consultation.id
    group = record.chat_id or ctx.group_chat_id
    private = message.chat_id == message.user_id
    sender_language = language_for(sender.person, ctx.language)
    key = message_key(uow, message)
    assert screened.text is not None
    plan = relay_plan(screened.action, private=private, already_deleted=message.deleted, has_group=group is not None,
                      nothing_left=screened.action == "redact" and nothing_left(ctx, screened.text))
    if plan.delete_original:
        await uow.send(Outgoing.to(MessageKind.DELETE, (key,), message.chat_id, "deleteMessage",
                                   {"message_id": message.message_id}, consultation_id=cid))
    parts = 1
    if plan.post_to_topic:
        assert group is not None
        parts = await _post_comment(uow, cid, group, sender, message, screened.text, key)
    if plan.notice in (Notice.NOTHING_LEFT, Notice.REDACTED):
        said = "guard.redacted_nothing_left" if plan.notice is Notice.NOTHING_LEFT else "guard.redacted_private"
        await uow.send(Outgoing.to(MessageKind.REDACTED_TELL, (key,), message.user_id, "sendMessage", {
            "text": t(sender_language, said, consultation=cid),
        }, consultation_id=cid, person_key=sender.key))
    elif plan.notice is Notice.RECEIVED:
        ack = t(sender_language, "comment.ack", consultation=cid) if parts == 1 else \
            t(sender_language, "comment.ack_parts", consultation=cid, count=parts)
        await uow.send(Outgoing.to(MessageKind.COMMENT_ACK, (key,), message.user_id, "sendMessage", {
            "text": ack}, consultation_id=cid, person_key=sender.key))


async def _post_comment(uow: UnitOfWork, cid: int, group: int, sender: PersonRecord, message: Incoming,
                        text: str, key: str) -> int:
    """Post a comment into the topic under its author's name; how many messages it took."""
    language = uow.ctx.language
    name, agency = sender.person.name, sender.agency_name
    whole = t(language, "comment.relayed", name=name, agency=agency, text=text)

    def header(index: int, count: int) -> str:
        return t(language, "comment.relayed_part", name=name, agency=agency, index=index, count=count)

    def relayed(ident: tuple[str | int, ...], method: str, params: dict[str, Any]) -> Outgoing:
        return Outgoing.to(MessageKind.RELAY, ident, group, method, {**params}, consultation_id=cid,
                           person_key=sender.key, depends_on=Dependency.TOPIC)

    attachment = message.attachment
    limit = CAPTION_LIMIT if attachment is not None else TEXT_LIMIT
    chunks = [Chunk(whole)] if fits(whole, limit) else with_headers(text, header, first_limit=limit, force=True)
    if attachment is not None:
        kind = "photo" if attachment.photo else "document"
        await uow.send(relayed((key,), "sendPhoto" if attachment.photo else "sendDocument",
                               {kind: attachment.file_id, "caption": chunks[0].text}))
    else:
        await uow.send(relayed((key,), "sendMessage", {"text": chunks[0].text, **NO_PREVIEW}))
    for index, chunk in enumerate(chunks[1:], start=2):
        await uow.send(relayed((key, index), "sendMessage", {"text": chunk.text, **NO_PREVIEW}))
    return len(chunks)


def message_key(uow: UnitOfWork, message: Incoming) -> str:
    """What names one incoming message (one edit of it) in de-duplication keys."""
    return f"{message.chat_id}:{message.message_id}" + (f":e{uow.update_id}" if message.edited else "")


def nothing_left(ctx: AppContext, text: str) -> bool:
    """Whether a redacted text holds nothing but the guard's placeholders (and punctuation)."""
    template = ctx.guard.placeholder if ctx.guard is not None else DEFAULT_PLACEHOLDER
    return only_placeholders(text, str(template))


def only_placeholders(text: str, template: str) -> bool:
    levels = "|".join(re.escape(name) for name in LEVEL_NAMES_VI.values())
    pattern = re.escape(template).replace(re.escape("{level}"), f"(?:{levels})")
    return not re.sub(r"[\W_]+", "", re.sub(pattern, "", text))


def level_name(level: str | None, language: str) -> str:
    return t(language, f"level.{level}") if level in ("mat", "toi_mat", "tuyet_mat") else "?"
