"""Markings that show outside any message's text: judged, and told to the group's coordinators.

A topic's name, the group's title and photo, a display name, a forward header, a keyboard: each is
seen by every member, and each is judged like a text or a photo (`judge_parts`). Any finding is a
block: a header or a name cannot be cut down to a redacted part, only removed with its message. What
a service message changed is undone where the Bot API allows (the transport does that); the group's
coordinators and administrators are told at once (`tell_officers`), without the content. The
group's last allowed title is kept (`remember_title`) so a marked one can be put back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.i18n import t
from bot.services.kernel import screening
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Attachment, Incoming
from bot.services.kernel.screening import Screened
from bot.services.kernel.uow import UnitOfWork
from bot.store.repos import chat_titles, people

log = logging.getLogger(__name__)

ALLOWED = Screened("allow", None, "", None, None)
ALLOWED_MEMO_SIZE = 4096  # display names and headers repeat on every message: judged once each
OFFICER_ROLES = ("coordinator", "admin")


async def judge_parts(ctx: AppContext, message: Incoming, text: str, pictures: Sequence[Attachment],
                      allowed: set[str]) -> Screened:
    """The verdict on what a message shows besides its text and file: a block if any part carries a
    marking or cannot be judged. `allowed` remembers texts allowed before (never a blocked one)."""
    if text and text not in allowed:
        screened = await screening.judge(ctx, replace(message, text=text, attachment=None, unchecked_media=None))
        if screened.action != "allow":
            return _as_block(screened)
        if len(allowed) >= ALLOWED_MEMO_SIZE:
            allowed.clear()
        allowed.add(text)
    for picture in pictures:
        screened = await screening.judge(ctx, replace(message, text="", attachment=picture, unchecked_media=None))
        if screened.action != "allow":
            return _as_block(screened)
    return ALLOWED


def _as_block(screened: Screened) -> Screened:
    return replace(screened, action="block", text=None)


async def remember_title(ctx: AppContext, chat_id: int, title: str) -> bool:
    """Keep `title` as the group's last good one if the guard allows it; whether it did."""
    screened = await screening.judge(ctx, Incoming(0, chat_id, 0, title))
    if screened.action != "allow":
        return False
    async with ctx.db.transaction() as tx:
        await chat_titles.remember(tx, chat_id, title, ctx.clock.now())
    return True


async def last_good_title(ctx: AppContext, chat_id: int) -> str | None:
    async with ctx.db.reading() as tx:
        return await chat_titles.last_good(tx, chat_id)


async def tell_officers(uow: UnitOfWork, chat_id: int, part: str, fixed: bool, user_id: int) -> None:
    """The group's coordinators and administrators told, in their language, that `part` (a
    `visible.Change` value) carried a marking and whether the bot could undo it. No content."""
    log.warning("a marking in %s in chat %s (by Telegram user %s); %s", part, chat_id, user_id,
                "undone by the bot" if fixed else "the bot cannot undo it: officers told")
    key = f"guard.exposed.{part}" + ("" if fixed or part == "member_name" else "_failed")
    for officer in await people.list_people(uow.tx):
        target = officer.person.telegram_user_id
        if target is None or not any(officer.person.has_role(role) for role in OFFICER_ROLES):
            continue
        language = language_for(officer.person, uow.ctx.language)
        ident = (chat_id, uow.update_id or 0, officer.key)
        await uow.send(Outgoing.to(MessageKind.EXPOSED, ident, target, "sendMessage", {
            "text": t(language, key, user_id=user_id)}, person_key=officer.key))
