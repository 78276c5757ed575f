"""What happens to a message once the guard has judged it: the relay decision table.

A message in the group or in a private chat is blocked, or it is a comment on a consultation, or
it belongs to none. A comment from private chat is posted into the consultation's topic; one in
the topic stays where it is unless it was redacted, when the original goes and the redacted text
is posted under its author's name. Redacted to nothing but placeholders, it says nothing: it is
posted nowhere and its sender is told. The use cases (services/comments.py, screening.relay)
carry out what these two functions decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Route(StrEnum):
    BLOCK = "block"  # removed, on record (who, when, rule, level, keyed hash), told; never stored
    COMMENT = "comment"  # stored as a comment on its consultation, then relayed (`relay_plan`)
    NO_CONSULTATION = "no_consultation"  # a private message that answers nothing: its sender is told
    REMOVE_REDACTED = "remove_redacted"  # redacted in the group outside any topic: removed, sender told
    LEAVE = "leave"  # allowed talk in the group outside any consultation: not the bot's business


def route(action: str, *, private: bool, in_consultation: bool) -> Route:
    """Where a judged message goes. `action` is the guard's: allow, redact or block. A block is
    decided first, before its sender is even looked up (they may not be enrolled)."""
    if action == "block":
        return Route.BLOCK
    if in_consultation:
        return Route.COMMENT
    if private:
        return Route.NO_CONSULTATION
    return Route.REMOVE_REDACTED if action == "redact" else Route.LEAVE


class Notice(StrEnum):
    """What the sender of a comment is told privately."""

    NOTHING_LEFT = "nothing_left"  # redacted to placeholders only: relayed nowhere
    REDACTED = "redacted"  # relayed with the classified parts removed
    RECEIVED = "received"  # from private chat, relayed as written (in how many parts)


@dataclass(frozen=True)
class RelayPlan:
    delete_original: bool  # the topic shows the original, which must go
    post_to_topic: bool  # posted into the topic under its author's name
    notice: Notice | None  # None: a comment written in the topic, allowed: it stands as it is


def relay_plan(action: str, *, private: bool, already_deleted: bool, nothing_left: bool,
               has_group: bool) -> RelayPlan:
    """For a comment (`route` said COMMENT). `nothing_left`: the redacted text holds only the
    guard's placeholders; `already_deleted`: the gate removed the original from the group already."""
    if action not in ("allow", "redact"):
        raise ValueError(f"a {action!r} message is no comment to relay")
    redacted = action == "redact"
    delete_original = not private and redacted and not already_deleted
    if redacted and nothing_left:
        return RelayPlan(delete_original, post_to_topic=False, notice=Notice.NOTHING_LEFT)
    post = (private or redacted) and has_group
    if redacted:
        return RelayPlan(delete_original, post, Notice.REDACTED)
    return RelayPlan(delete_original, post, Notice.RECEIVED if private else None)
