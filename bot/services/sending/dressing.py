"""What every call the bot makes carries beyond its words, decided in one place as it leaves.

* `protect_content` on what carries a consultation's content (invitations, reminders, relayed
  comments, reports, transcripts, the card): Telegram then offers no forward or save, so the text
  stays in the chats the consultation was sent to. A setting turns it off.
* a `date_time` entity over every moment the bot wrote (`bot.domain.moments`): each reader's
  client shows it in their own zone.

Done when a queued call leaves (after it is rendered), not when it is queued, because texts
rendered as they leave (the card, notices) are only known then, and rows queued before this
existed get the same treatment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.moments import date_time_entities, merged
from bot.domain.outbox import MessageKind

# Kinds that carry what a consultation is about (its title, positions, comments, files).
CONSULTATION_CONTENT = frozenset({
    MessageKind.CARD, MessageKind.INVITE, MessageKind.STAND_IN, MessageKind.ESCALATE,
    MessageKind.ESCALATE_NOTICE, MessageKind.EXTEND, MessageKind.REMIND, MessageKind.OBJECTION,
    MessageKind.REPORT, MessageKind.REPORT_COORDINATOR, MessageKind.CLOSE_NOTICE, MessageKind.CANCEL_NOTICE,
    MessageKind.RELAY, MessageKind.COMMENT_ACK, MessageKind.REPLY, MessageKind.PART, MessageKind.EXPORT,
    MessageKind.PM_REPORT, MessageKind.STATS_CHART, MessageKind.UNCOVERED, MessageKind.UNREACHABLE,
})
# Methods that take protect_content (edits keep what the message was sent with).
PROTECTABLE = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
# Where a method's text and its entities travel.
TEXT_FIELDS = {"sendMessage": ("text", "entities"), "editMessageText": ("text", "entities"),
               "sendDocument": ("caption", "caption_entities"), "sendPhoto": ("caption", "caption_entities"),
               "editMessageCaption": ("caption", "caption_entities")}
# Someone else's words: never annotated, they may hold a time the bot did not write.
OTHERS_WORDS = frozenset({MessageKind.RELAY})


def dress(kind: MessageKind | None, method: str, params: dict[str, Any], *, protect: bool, zone: str,
          now: datetime) -> None:
    """Add to `params` what the call should carry beyond its words (in place)."""
    if protect and kind in CONSULTATION_CONTENT and method in PROTECTABLE:
        params.setdefault("protect_content", True)
    fields = TEXT_FIELDS.get(method)
    if fields is None or kind in OTHERS_WORDS or params.get("parse_mode"):
        return  # with a parse_mode, entities come from the markup, not from a list
    text_field, entities_field = fields
    text = params.get(text_field)
    if not isinstance(text, str):
        return
    found = date_time_entities(text, zone, now)
    if found:
        params[entities_field] = merged(params.get(entities_field), found)
