"""The "checking the file…" note shown while a slow file is read, removed when its verdict is in.

Sent straight through the Bot API rather than the outbox: it exists only for the seconds the
reading takes, and it must not wait behind the outbox's queue. Failing to show or remove it
changes nothing about the verdict.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, Message, ReplyParameters

from bot.i18n import normalise_language, t
from bot.services.kernel.context import AppContext
from bot.services.kernel.file_checks import SlowNote

DEFAULT_MAX_PIXELS = 40_000_000


def max_pixels(ctx: AppContext) -> int:
    """The guard policy's pixel limit (a photo's largest size that fits it is the one read)."""
    return ctx.guard.image_limits.max_pixels if ctx.guard is not None else DEFAULT_MAX_PIXELS


def note(bot: Bot, message: Message, ctx: AppContext) -> SlowNote:
    async def show() -> Callable[[], Awaitable[None]]:
        private = message.chat.type == "private"
        sender = message.from_user.language_code if message.from_user is not None else None
        language = normalise_language(sender) if private else ctx.language
        sent = await bot.send_message(
            message.chat_id, t(language, "guard.checking"),
            message_thread_id=message.message_thread_id if message.is_topic_message else None,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True))

        async def remove() -> None:
            await bot.delete_message(message.chat_id, sent.message_id)

        return remove

    return show
