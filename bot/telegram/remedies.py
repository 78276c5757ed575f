"""The gate's eyes beyond a message's text, and its hands beyond deleting it.

`judge_seen` judges what `visible.read` found (names, headers, keyboards, service texts, pictures);
`undo` reverses what a marked service message changed, by direct calls that wait behind nothing,
as the gate's deletion does: a topic renamed to a neutral name (closed if it cannot be renamed),
the group's last good title put back, a marked photo removed, a marked pinned message deleted
(unpinned if it cannot be). A member's name and a chat's background cannot be changed by a bot:
`undo` says so (False) and the coordinators are told. `note_title` keeps the group's title
each time an allowed message shows a new one.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.services.guarding import exposure
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Attachment, Incoming
from bot.services.kernel.screening import Screened
from bot.telegram.visible import Change, Seen

log = logging.getLogger(__name__)

ALLOWED_KEY = "visible_allowed"  # bot_data: the parts allowed before (display names above all)
TITLES_KEY = "visible_titles"  # bot_data: chat id -> the title last kept for it
NOT_MODIFIED = "not modified"
EMOJI = "emoji:"  # the allowed memo's prefix for a custom emoji's id


async def judge_seen(ctx: AppContext, context: ContextTypes.DEFAULT_TYPE, incoming: Incoming,
                     seen: Seen) -> Screened:
    """The verdict on the parts `seen` holds, failing closed (a picture that cannot be fetched is a
    block, as a file is)."""
    if seen.empty:
        return exposure.ALLOWED
    allowed: set[str] = context.application.bot_data.setdefault(ALLOWED_KEY, set())
    emoji = [f"{EMOJI}{emoji_id}" for emoji_id in seen.emoji if f"{EMOJI}{emoji_id}" not in allowed]
    pictures = []
    try:
        for file_id in (*seen.pictures, *await _emoji_pictures(context.bot, emoji)):
            pictures.append(await _fetch(context.bot, file_id, ctx.guard_file_limit))
    except Exception as error:  # a picture that cannot be fetched cannot be checked
        return screening.failed(screening.DOWNLOAD_FAILED, f"a picture could not be fetched: "
                                                          f"{type(error).__name__}")
    screened = await exposure.judge_parts(ctx, incoming, seen.text, pictures, allowed)
    if not screened.blocked and len(allowed) < exposure.ALLOWED_MEMO_SIZE:
        allowed.update(emoji)  # a custom emoji is the same picture wherever it is used
    return screened


async def _emoji_pictures(bot: Bot, emoji: list[str]) -> list[str]:
    """The pictures of custom emoji: a still one itself, an animated one by its thumbnail. An
    animated emoji without a thumbnail has no picture the guard can read: it is not judged."""
    if not emoji:
        return []
    stickers = await bot.get_custom_emoji_stickers([key.removeprefix(EMOJI) for key in emoji])
    return [sticker.thumbnail.file_id if sticker.thumbnail is not None else sticker.file_id
            for sticker in stickers if sticker.thumbnail is not None or not (sticker.is_animated or sticker.is_video)]


async def names_marked(ctx: AppContext, context: ContextTypes.DEFAULT_TYPE, incoming: Incoming, seen: Seen) -> bool:
    """Whether the marking is in who posted (a display name, a channel's title): a bot cannot
    change those, so the coordinators are told."""
    if not seen.names:
        return False
    screened = await exposure.judge_parts(ctx, incoming, "\n".join(seen.names), (), set())
    return screened.blocked


async def _fetch(bot: Bot, file_id: str, limit: int) -> Attachment:
    telegram_file = await bot.get_file(file_id)
    if (telegram_file.file_size or 0) > limit:
        content = b"\0" * (limit + 1)  # judged by its size alone, as handlers._download does
    else:
        content = bytes(await telegram_file.download_as_bytearray())
    return Attachment("photo.jpg", content, "image/jpeg", file_id, photo=True)


async def undo(bot: Bot, ctx: AppContext, message: Message, change: Change) -> bool:
    """Reverse what a marked service message changed; False where the Bot API offers no way."""
    chat_id = message.chat_id
    if change in (Change.TOPIC_CREATED, Change.TOPIC_EDITED):
        thread = message.message_thread_id
        if thread is None:
            return False
        name = t(ctx.language, "guard.neutral_topic_name")
        icon = (message.forum_topic_created or message.forum_topic_edited)
        cleared = {"icon_custom_emoji_id": ""} if icon is not None and icon.icon_custom_emoji_id else {}
        return await _try(bot.edit_forum_topic, chat_id, thread, name=name, **cleared) or \
            await _try(bot.close_forum_topic, chat_id, thread)
    if change is Change.TITLE:
        title = await exposure.last_good_title(ctx, chat_id) or t(ctx.language, "guard.neutral_chat_title")
        return await _try(bot.set_chat_title, chat_id, title)
    if change is Change.PHOTO:
        return await _try(bot.delete_chat_photo, chat_id)
    if change is Change.PINNED and isinstance(message.pinned_message, Message):
        pinned = message.pinned_message.message_id
        if await _try(bot.delete_message, chat_id, pinned):  # deleted, it is unpinned too
            return True
        await _try(bot.unpin_chat_message, chat_id, message_id=pinned)  # at least off the pin bar
        return False
    return False  # a member's name, a chat's background: the Bot API has no call to change them


async def _try(call: Any, *args: Any, **kwargs: Any) -> bool:
    try:
        await call(*args, **kwargs)
    except BadRequest as error:
        if NOT_MODIFIED in error.message.lower() or "_not_modified" in error.message.lower():
            return True
        log.error("%s refused in chat %s: %s (does the bot have the right?)", call.__name__, args[0], error.message)
        return False
    except TelegramError as error:
        log.error("%s failed in chat %s (%s)", call.__name__, args[0], type(error).__name__)
        return False
    return True


async def note_title(ctx: AppContext, context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
    """Keep the group's title whenever an allowed message shows a new one (a marked one is not kept)."""
    title = message.chat.title
    if message.chat.type == "private" or not title:
        return
    titles: dict[int, str] = context.application.bot_data.setdefault(TITLES_KEY, {})
    if titles.get(message.chat_id) == title:
        return
    try:
        if await exposure.remember_title(ctx, message.chat_id, title):
            titles[message.chat_id] = title
    except Exception as error:  # the title is only a fallback: the message itself has passed
        log.warning("the group's title could not be kept (%s)", type(error).__name__)
