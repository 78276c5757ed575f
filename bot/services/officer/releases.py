"""A one-time release, spent where the gate's verdict is made: a block whose content is exactly
what an officer released for this sender (the file by SHA-256, the text by its keyed hash), unused
and unexpired, is allowed this once; the release is spent and the event recorded. Nothing else is
let through: another file, another text, another sender, a second re-send, all stay blocked."""

from __future__ import annotations

import hashlib
import logging

from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.screening import Screened
from bot.services.kernel.uow import unit_of_work
from bot.store.repos import guard_cases, people

log = logging.getLogger(__name__)


async def spend(ctx: AppContext, message: Incoming, screened: Screened) -> Screened:
    """The verdict after any release: `screened` unchanged unless a release of this very content
    for this sender is spent now, and then an allow."""
    if not screened.blocked or not message.user_id or screened.source == "caption":
        return screened
    attachment = message.attachment
    file_sha256 = hashlib.sha256(attachment.content).hexdigest() if attachment is not None else None
    content_hmac = screened.content_hmac if attachment is None else None
    if file_sha256 is None and content_hmac is None:
        return screened
    async with unit_of_work(ctx, urgent=True) as uow:
        case_id = await guard_cases.use_release(uow.tx, message.user_id, file_sha256, content_hmac, uow.now)
        if case_id is None:
            return screened
        sender = await people.person_by_telegram_id(uow.tx, message.user_id)
        await uow.event("case_release_used", actor=sender.key if sender else f"tg:{message.user_id}",
                        data={"case": case_id})
    log.info("a release (case %s) let one message of telegram user %s through", case_id, message.user_id)
    if attachment is not None:
        caption = message.text
        stored = f"{caption}\n📎 {attachment.file_name}".strip()
        return Screened("allow", None, stored, "officer-release", screened.content_hmac)
    return Screened("allow", None, message.text, "officer-release", screened.content_hmac)
