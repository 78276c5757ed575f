"""A button to the consultation's topic under what its people read privately (issue 26, item 5):
invitations and their redraws, reminders, the coordinator's notices, the closing notice and a
reply that asked for one (`uow.reply(..., topic_link=True)`, e.g. «Đã mở #N»).

Added when the call leaves rather than when it is queued, because the topic is created by a call
of its own: an invitation queued in the same breath as the topic only learns the topic's thread
once that call came back. One that would leave first waits for the topic's first try (a
fraction of a second); a topic that is failing or held back (flood limit) is not waited for —
the message goes without the button rather than late.
"""

from __future__ import annotations

from typing import Any

from bot.domain.language import language_for
from bot.domain.outbox import Dependency, MessageKind, producer_key
from bot.domain.tmelinks import topic_link
from bot.i18n import t
from bot.services.kernel.context import AppContext
from bot.services.presentation.keyboards import with_link
from bot.store.db import Tx
from bot.store.repos import consultations, outbox, people
from bot.store.repos.outbox import OutboxItem

# What a consultation's people read in private that should lead to its topic.
TOPIC_LINKED = frozenset({
    MessageKind.INVITE, MessageKind.INVITE_EDIT, MessageKind.STAND_IN, MessageKind.ESCALATE,
    MessageKind.ESCALATE_NOTICE, MessageKind.OBJECTION, MessageKind.REMIND, MessageKind.EXTEND,
    MessageKind.CLOSE_NOTICE, MessageKind.CANCEL_NOTICE, MessageKind.REPORT_COORDINATOR, MessageKind.SPENT,
    MessageKind.UNCOVERED,
})
# Calls whose reply_markup is an inline keyboard the reader sees.
KEYBOARD_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


async def link_topic(ctx: AppContext, tx: Tx, item: OutboxItem, params: dict[str, Any], asked: bool) -> str | None:
    """Add the topic's button to `params` (in place) if this call should carry it (its kind does,
    or the message `asked` for one). Returns the key of the topic's call when it is better to wait
    for it; None otherwise."""
    if not (asked or item.kind in TOPIC_LINKED) or item.consultation_id is None:
        return None
    if item.chat_id <= 0 or item.method not in KEYBOARD_METHODS:  # the group is the topic itself
        return None
    cid = int(item.consultation_id)
    url = topic_link(await consultations.chat_of(tx, cid), await consultations.thread_of(tx, cid))
    if url is None:
        producer = producer_key(Dependency.TOPIC, cid)
        return producer if await outbox.about_to_go(tx, producer, ctx.clock.now()) else None
    reader = await people.person_by_telegram_id(tx, item.chat_id)
    language = language_for(reader.person if reader is not None else None, ctx.language)
    params["reply_markup"] = with_link(params.get("reply_markup"), t(language, "link.topic", consultation=cid), url)
    return None
