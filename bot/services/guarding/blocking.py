"""A blocked message: removed from the group, put on record, told about — and never stored.

The record keeps who (the person, or the Telegram user id of someone not enrolled), when, the rule,
the level and a keyed hash; a message blocked in a consultation also keeps its place in the
transcript, with no text. Notices are coalesced per place and sender: at most one a minute, saying
how many posts were blocked, so a burst (a document pasted in parts) cannot queue a notice per
post behind Telegram's 20 messages a minute per group — nor hold up the deletions, which travel
in a lane of their own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing, Policy
from bot.i18n import t
from bot.services.kernel import records, screening
from bot.services.kernel.incoming import Incoming, consultation_of
from bot.services.kernel.screening import Screened, level_name, message_key
from bot.services.kernel.uow import UnitOfWork
from bot.services.officer import cases
from bot.store.db import Tx
from bot.store.repos import block_notices, consultations, people
from bot.store.repos.block_notices import NoticeKey
from bot.store.repos.people import PersonRecord

NOTICE_EVERY_SECONDS = 60.0  # one notice per place and sender a minute
UNCHECKED_SUFFIX = "/unchecked"  # the subject of the notices counting posts that could not be checked


async def record(uow: UnitOfWork, message: Incoming, screened: Screened, kind: str | None = None) -> None:
    """Everything that follows a block, in one unit of work: the post's removal (unless the gate
    already removed it), the events, the notice in the group and the private note. `kind` names
    what a service message showed marked (a topic's name, the group's title...)."""
    ctx = uow.ctx
    person = await people.person_by_telegram_id(uow.tx, message.user_id)
    private = message.chat_id == message.user_id
    actor = person.key if person is not None else f"tg:{message.user_id}"
    cid = await _consultation(uow, message, person)
    where = "private" if private else ("topic" if cid is not None else "group")
    if cid is not None and person is not None:  # its place in the transcript, without its text
        data_key = await uow.data_key(cid)
        _, recorded = await records.store_message(
            uow, data_key, consultation_id=cid, author=person, kind="edit" if message.edited else "comment",
            source="private" if private else "topic", screened=screened, telegram_chat_id=message.chat_id,
            telegram_message_id=message.message_id)
        await uow.event("commented", consultation_id=cid, actor=person.key, data=recorded)
    await uow.event("blocked", consultation_id=cid, actor=actor, data={
        "where": where, "kind": kind or _kind(message), "rule": screened.rule, "level": screened.level,
        "content_hmac": screened.content_hmac,
    })
    # The officer's case (#29): metadata only, and an event of its own in the audit chain.
    await cases.open_case(uow, message, screened, person, place=where, consultation_id=cid, kind=kind or _kind(message))
    owner = cid or 0
    # What could not be checked (a voice note, a sticker, a guard failing) is told apart from what
    # carried a marking: its own count under its own subject, so neither inflates the other.
    unchecked = screened.rule in (*screening.FAIL_CLOSED_RULES, screening.UNREADABLE_MEDIA)
    subject = actor + UNCHECKED_SUFFIX if unchecked else actor
    if not private:
        if not message.deleted:
            await uow.send(Outgoing.to(MessageKind.DELETE, (message_key(uow, message),), message.chat_id,
                                       "deleteMessage", {"message_id": message.message_id}, consultation_id=owner))
        place = {"chat_id": message.chat_id, "thread_id": message.thread_id or 0, "subject": subject}
        await _count_and_notify(uow, {**place, "kind": "topic", "language": ctx.language, "unchecked": unchecked},
                                screened.level, owner)
        if (await block_notices.untold(uow.tx, _key(place))).count == 1:  # the first of a burst
            await _tell_in_place(uow, message, screened, person, owner)
    if person is not None and person.person.telegram_user_id is not None:
        user_id = person.person.telegram_user_id
        await _count_and_notify(uow, {
            "chat_id": user_id, "thread_id": 0, "subject": subject, "kind": "private",
            "language": language_for(person.person, ctx.language), "unchecked": unchecked,
            **({"reason_key": screened.reason_key} if screened.reason_key else {})}, screened.level, owner)


async def _tell_in_place(uow: UnitOfWork, message: Incoming, screened: Screened, person: PersonRecord | None,
                         owner: int) -> None:
    """The sender sees, where the post vanished, why and what to do instead — and no one else sees
    it: an ephemeral message (Bot API 10.2). It reaches people who never started the bot too,
    whom a private message cannot reach. A burst is told once, at its first post: later blocks
    of the same sender and place, until the group's coalesced notice tells them, add none."""
    if not message.user_id:
        return  # posted as a channel or anonymously: there is no one to tell in place
    language = language_for(person.person, uow.ctx.language) if person is not None else uow.ctx.language
    if screened.level is not None:
        text = t(language, "guard.ephemeral_blocked", level=level_name(screened.level, language))
    else:
        text = t(language, "guard.ephemeral_unchecked")
    if screened.reason_key:
        text += "\n" + t(language, screened.reason_key)
    payload: dict[str, Any] = {"chat_id": message.chat_id, "text": text,
                               "ephemeral_message_parameters": {"receiver_user_id": message.user_id}}
    if message.thread_id:
        payload["message_thread_id"] = message.thread_id
    await uow.send(Outgoing(MessageKind.BLOCKED_EPHEMERAL, (message_key(uow, message),), message.chat_id,
                            "sendMessage", payload, consultation_id=owner))


async def redacted_outside_consultation(uow: UnitOfWork, message: Incoming, person: PersonRecord) -> None:
    """A post in the group, outside any consultation's topic, with classified portions: it cannot
    be re-posted anywhere, so it is removed and its sender told."""
    if not message.deleted:
        await uow.send(Outgoing.to(MessageKind.DELETE, (message_key(uow, message),), message.chat_id, "deleteMessage",
                                   {"message_id": message.message_id}))
    user_id = person.person.telegram_user_id
    if user_id is not None:
        await uow.send(Outgoing.to(MessageKind.REDACTED_TELL, (message_key(uow, message),), user_id, "sendMessage", {
            "text": t(language_for(person.person, uow.ctx.language), "guard.redacted_removed")},
            person_key=person.key))


async def _consultation(uow: UnitOfWork, message: Incoming, person: PersonRecord | None) -> int | None:
    if person is not None:
        return await consultation_of(uow, message, person)
    if message.chat_id != message.user_id and message.thread_id is not None:
        return await consultations.by_thread(uow.tx, message.chat_id, message.thread_id)
    return None


def _kind(message: Incoming) -> str:
    if message.text.startswith("/"):
        return "command"
    return "edit" if message.edited else "message"


# -- coalesced notices ---------------------------------------------------------------------------


def _key(spec: dict[str, Any]) -> NoticeKey:
    return NoticeKey(int(spec["chat_id"]), int(spec["thread_id"]), str(spec["subject"]))


async def _count_and_notify(uow: UnitOfWork, spec: dict[str, Any], level: str | None, owner: int) -> None:
    key = _key(spec)
    last_sent = await block_notices.count_block(uow.tx, key, level)
    every = timedelta(seconds=NOTICE_EVERY_SECONDS * uow.ctx.clock.speed)
    await _queue(uow, spec, None if last_sent is None else last_sent + every, owner)


async def _queue(uow: UnitOfWork, spec: dict[str, Any], not_before: Any, owner: int) -> None:
    """One notice for this place and sender, unless one still waits: that one is rendered when it
    goes and will count this block too."""
    key = _key(spec)
    place = {"message_thread_id": key.thread_id} if key.thread_id else {}
    await uow.send(Outgoing.to(MessageKind.BLOCKED_NOTICE, (key.chat_id, key.thread_id, key.subject), key.chat_id,
                               "sendMessage", place, render=spec,  # the text is rendered when it leaves
                               consultation_id=owner, not_before=not_before), Policy.COALESCE)


async def render_notice(tx: Tx, spec: dict[str, Any]) -> tuple[str, int]:
    """The notice's text as it leaves, counting every block not yet told; and how far it counts.
    `spec` is what the queued notice is rendered from."""
    untold = await block_notices.untold(tx, _key(spec))
    language = str(spec["language"])
    count = untold.count
    if spec["kind"] == "topic":
        # The group learns only that posts were removed under the secrets rules; the sender was
        # told in place (an ephemeral message) and in private, and the record names them.
        if _unchecked(spec, untold.level):
            text = t(language, "guard.removed_topic_unchecked", count=count)
        else:
            text = t(language, "guard.removed_topic" if count == 1 else "guard.removed_topic_many", count=count)
    elif _unchecked(spec, untold.level):
        text = t(language, "guard.blocked_private_unchecked", count=count)
    else:
        text = t(language, "guard.blocked_private" if count == 1 else "guard.blocked_private_many", count=count,
                 level=level_name(untold.level, language))
    if spec["kind"] == "private" and spec.get("reason_key"):  # what the sender of a file can do about it
        text += "\n" + t(language, str(spec["reason_key"]))
    return text, untold.blocked


def _unchecked(spec: dict[str, Any], level: str | None) -> bool:
    """Whether a notice tells of posts that could not be checked (notices queued before the two
    were told apart say so by their level alone)."""
    return bool(spec["unchecked"]) if "unchecked" in spec else level is None


async def notice_sent(uow: UnitOfWork, spec: dict[str, Any], upto: int, owner: int) -> None:
    """A notice went: what it counted is told. Blocks counted while it was on its way get the
    next one, a minute on."""
    if await block_notices.told(uow.tx, _key(spec), upto, uow.now):
        every = timedelta(seconds=NOTICE_EVERY_SECONDS * uow.ctx.clock.speed)
        await _queue(uow, spec, uow.now + every, owner)
