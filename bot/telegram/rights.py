"""The one right the bot cannot run without in group mode: deleting messages."""

from __future__ import annotations

import asyncio

from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot.errors import GroupRightsError
from bot.telegram.ratelimit import seconds_of


async def require_delete_right(bot: Bot, group_chat_id: int, attempts: int = 4) -> None:
    """Refuse to run in group mode unless the bot may delete messages there: without that right a
    post the guard blocks would stay visible in the group. Transient failures are retried."""
    for attempt in range(attempts):
        try:
            member = await bot.get_chat_member(group_chat_id, bot.id)
            break
        except RetryAfter as exc:
            await asyncio.sleep(min(seconds_of(exc.retry_after), 5.0))
        except (TimedOut, NetworkError) as exc:
            if attempt == attempts - 1:
                raise GroupRightsError(f"cannot confirm the bot's rights in the coordination group {group_chat_id} "
                                       f"({type(exc).__name__}); check the network and start again") from exc
            await asyncio.sleep(0.5 * (attempt + 1))
        except TelegramError as exc:
            raise GroupRightsError(f"the coordination group {group_chat_id} cannot be checked ({exc.message}); add "
                                   "the bot to the group as an administrator allowed to delete messages") from exc
    else:
        raise GroupRightsError(f"cannot confirm the bot's rights in the coordination group {group_chat_id}; "
                               "start again")
    if member.status == "creator":
        return
    if member.status != "administrator" or not getattr(member, "can_delete_messages", False):
        raise GroupRightsError(
            f"the bot may not delete messages in the coordination group {group_chat_id} (it is {member.status}"
            f"{' without the right to delete messages' if member.status == 'administrator' else ''}): posts "
            "carrying a secrecy marking could not be removed. Make the bot an administrator with the right "
            "\"Delete messages\" and start it again (`consult doctor` checks every right)",
            group=group_chat_id)
