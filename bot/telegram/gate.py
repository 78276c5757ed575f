"""The gate: every message the bot can see is judged before anything else happens to it.

It runs in the handler group before the command table (see `app.wire`), for every
message and edit in every chat — any topic of the group, the General topic included, private
chats — whoever sent it, and before the sender is identified or a command parsed: a command is
content too. A blocked post is deleted in the group at once, by a direct call that waits behind
nothing, then put on record and told about (`services.blocking`), and routing stops there: a
blocked command is never executed. Anything the gate cannot judge is blocked (fail closed).
What passes goes on to the handler table with its verdict, so it is not judged twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from telegram import Bot, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackContext, ContextTypes, ExtBot

from bot.services.dispatch import Origin, perform
from bot.services.guarding import albums, blocking, exposure, splits
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Attachment, Incoming
from bot.services.kernel.screening import Screened
from bot.services.kernel.uow import UnitOfWork
from bot.services.officer import releases
from bot.telegram import failures, progress, remedies, visible
from bot.telegram.attached import context_of

log = logging.getLogger(__name__)

# What the guard cannot read, by the Message attribute that carries it: blocked unread.
UNCHECKED_MEDIA = ("voice", "audio", "video", "video_note", "animation", "sticker", "paid_media", "story")
GONE = ("message to delete not found", "message_id_invalid")

Download = Callable[[Message, ContextTypes.DEFAULT_TYPE], Awaitable[Attachment]]


@dataclass(frozen=True)
class Passed:
    """A message the gate let through, with its verdict (allow, or redact for a comment)."""

    message: Incoming
    screened: Screened


class GatedContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context of one update, shared by its handlers: it carries the gate's verdict on."""

    passed: Passed | None = None


def passed(context: object) -> Passed | None:
    return context.passed if isinstance(context, GatedContext) else None


async def screen(update: Update, context: ContextTypes.DEFAULT_TYPE, download: Download) -> None:
    message = update.effective_message
    incoming = message_of(update)
    seen = visible.read(message) if message is not None else visible.Seen()
    if message is None or (incoming is None and seen.empty):
        return  # nothing to judge: a location, a pinned message
    if incoming is None:  # a service message: nothing typed, only what it shows (a topic's name...)
        incoming = _carrier(update, message)
    ctx = context_of(context.application)
    try:
        incoming, screened = await _judge(ctx, message, incoming, context, download)
        screened = await releases.spend(ctx, incoming, screened)  # an officer's one-time release (#29)
        if not screened.blocked:  # what else the message shows: names, headers, keyboards, a topic's name
            screened = _stricter(screened, await remedies.judge_seen(ctx, context, incoming, seen))
    except Exception as error:  # nothing may get past the gate unjudged
        log.exception("the gate failed (%s); the message is blocked", type(error).__name__)
        screened = screening.failed(screening.GUARD_ERROR, f"the gate raised {type(error).__name__}")
    if screened.action == "redact" and incoming.text.startswith("/"):
        # A command is not run with parts cut out of it: it is refused whole.
        screened = replace(screened, action="block", text=None)
    if screened.action != "allow" and message.chat.type != "private":
        # A topic's first message goes only with the topic: the topic is renamed instead (below).
        removed = seen.change is visible.Change.TOPIC_CREATED or \
            await delete_now(context.bot, incoming.chat_id, incoming.message_id)
        incoming = replace(incoming, deleted=removed)
    if not screened.blocked:
        if isinstance(context, GatedContext):
            context.passed = Passed(incoming, screened)
        await remedies.note_title(ctx, context, message)
        return
    exposed = await _undo(ctx, context, message, incoming, seen)
    if screened.reason and screened.rule in (*screening.FAIL_CLOSED_RULES, screening.UNREADABLE_MEDIA):
        log.warning("message %s in chat %s blocked unjudged: %s (%s)", incoming.message_id, incoming.chat_id,
                    screened.rule, screened.reason)
    origin = Origin(update.update_id, incoming.user_id, incoming.chat_id, incoming.thread_id,
                    message.from_user.language_code if message.from_user else None, "blocked")
    async def act(uow: UnitOfWork) -> None:
        await blocking.record(uow, incoming, screened, kind=seen.change.value if seen.change else None)
        if exposed is not None:
            await exposure.tell_officers(uow, incoming.chat_id, *exposed)

    try:
        await perform(ctx, origin, act)
    except Exception as error:  # the post is gone; the record is retried with the update (bot/telegram/lanes.py)
        log.error("recording blocked update %s failed (%s); it will be retried", update.update_id,
                  type(error).__name__, exc_info=error)
        failures.note(context.application, update.update_id, error)
    raise ApplicationHandlerStop


async def _judge(ctx: AppContext, message: Message, incoming: Incoming, context: ContextTypes.DEFAULT_TYPE,
                 download: Download) -> tuple[Incoming, Screened]:
    """The message's verdict alone, then read under the sender's previous text (a marking typed
    over two messages); the previous one is taken before anything is awaited."""
    tails = _tails(context)
    earlier = tails.swap(incoming) if splits.joinable(incoming) else None
    incoming, screened = await _judge_alone(ctx, message, incoming, context, download)
    split = await splits.judge_joined(ctx, earlier, incoming, screened)
    if split is not None:
        if message.chat.type != "private":
            for earlier_id in (*split.others, split.earlier):
                await delete_now(context.bot, incoming.chat_id, earlier_id)
        screened = split.screened
    if screened.action != "allow":
        tails.drop(incoming)
    return incoming, screened


async def _judge_alone(ctx: AppContext, message: Message, incoming: Incoming, context: ContextTypes.DEFAULT_TYPE,
                       download: Download) -> tuple[Incoming, Screened]:
    if incoming.unchecked_media is None and (message.document is not None or message.photo):
        if incoming.text:  # a stamped caption is judged and removed at once, not after the file's read
            caption = await screening.judge(ctx, incoming)
            if caption.blocked:
                return incoming, replace(caption, source="caption")
        try:
            incoming = replace(incoming, attachment=await download(message, context))
        except Exception as error:  # a file that cannot be fetched cannot be checked
            failed = screening.failed(screening.DOWNLOAD_FAILED,
                                      f"the file could not be fetched: {type(error).__name__}")
            return incoming, replace(failed, source="photo" if message.photo else "file")
    screened = await screening.judge(ctx, incoming, on_slow=progress.note(context.bot, message, ctx))
    if message.media_group_id and incoming.attachment is not None and not screened.blocked:
        pair = await albums.judge_with_album(ctx, _albums(context), incoming, message.media_group_id)
        if pair is not None:  # this picture with an earlier one of its album: both go
            if message.chat.type == "private":  # an earlier one may already be in the topic
                await albums.withdraw_relayed(ctx, incoming.chat_id, pair.others)
            for other in pair.others:
                if message.chat.type != "private":
                    await delete_now(context.bot, incoming.chat_id, other)
            return incoming, pair.screened
    return incoming, screened


def _tails(context: ContextTypes.DEFAULT_TYPE) -> splits.Tails:
    """Each sender's latest line, one memory per running bot."""
    kept = context.application.bot_data.get("tails")
    if not isinstance(kept, splits.Tails):
        kept = context.application.bot_data["tails"] = splits.Tails()
    return kept


def _albums(context: ContextTypes.DEFAULT_TYPE) -> albums.Albums:
    """The albums' recent pictures, one memory per running bot."""
    kept = context.application.bot_data.get("albums")
    if not isinstance(kept, albums.Albums):
        kept = context.application.bot_data["albums"] = albums.Albums()
    return kept


def _stricter(text: Screened, seen: Screened) -> Screened:
    return seen if seen.blocked else text


def _carrier(update: Update, message: Message) -> Incoming:
    """A service message as the gate judges it: by its sender and place, with no text of its own."""
    thread = message.message_thread_id if message.is_topic_message or message.forum_topic_created else None
    return Incoming(message.from_user.id if message.from_user else 0, message.chat_id, message.message_id, "",
                    thread_id=thread, edited=update.edited_message is not None)


async def _undo(ctx: AppContext, context: ContextTypes.DEFAULT_TYPE, message: Message, incoming: Incoming,
                seen: visible.Seen) -> tuple[str, bool, int] | None:
    """Reverse a marked change to the group (a topic's name, its title or photo); what the
    coordinators must be told — (the part, whether the bot undid it, whose account) — or None."""
    if message.chat.type == "private":
        return None
    who = message.new_chat_members[0].id if message.new_chat_members else incoming.user_id
    try:
        if seen.change is not None:
            return seen.change.value, await remedies.undo(context.bot, ctx, message, seen.change), who
        if await remedies.names_marked(ctx, context, incoming, seen):
            return visible.Change.MEMBERS.value, False, who
    except Exception as error:  # the message is gone already; the officers are told it was not undone
        log.error("undoing a marked change in chat %s failed (%s)", incoming.chat_id, type(error).__name__)
        return (seen.change or visible.Change.MEMBERS).value, False, who
    return None


def message_of(update: Update) -> Incoming | None:
    """What a message says, with nothing fetched yet; None when it carries nothing to judge."""
    message = update.effective_message
    if message is None:
        return None
    user = message.from_user
    text = "\n".join(visible.typed(message))
    unchecked = next((kind for kind in UNCHECKED_MEDIA if getattr(message, kind, None)), None)
    if not text and unchecked is None and message.document is None and not message.photo:
        return None
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    return Incoming(
        user.id if user is not None else 0, message.chat_id, message.message_id, text,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to_message_id=reply_to, edited=update.edited_message is not None, unchecked_media=unchecked,
    )


async def delete_now(bot: Bot, chat_id: int, message_id: int) -> bool:
    """Remove a post at once, waiting behind nothing; False if it could not be (the outbox's
    deletion lane then retries it)."""
    try:
        await bot.delete_message(chat_id, message_id)
    except BadRequest as error:
        if any(gone in error.message.lower() for gone in GONE):
            return True
        log.error("a blocked message in chat %s could not be deleted: %s (does the bot still have the right "
                  "to delete messages?)", chat_id, error.message)
        return False
    except TelegramError as error:  # 429, 5xx, a dropped connection
        log.warning("deleting a blocked message in chat %s failed (%s); queued to retry", chat_id,
                    type(error).__name__)
        return False
    return True
