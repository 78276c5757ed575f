"""What the bot sends, as a record: the kind of message, whom and what it concerns, and what it
waits for. Meaning lives in these fields, never in the de-duplication key: the key only says
"this message and no other", so a message queued twice (a redelivered update, a re-fired step)
is sent once. Services build `Outgoing` records; the outbox stores their fields as columns; the
delivery service (bot/services/sending/delivery.py) reads the kind to decide what a delivered or refused
call means. Adding a kind is adding a member here (and, if its delivery means something, a line in
the delivery service's tables).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any


class MessageKind(StrEnum):
    """Every kind of outgoing message. The value is stored in `outbox.kind`, and (unless `PREFIX`
    says otherwise) opens the message's de-duplication key."""

    TOPIC = "topic"                            # the consultation's forum topic
    CARD = "card"                              # its pinned status card, rendered when it leaves
    PIN = "pin"                                # pinning that card
    CARD_EDIT = "card-edit"                    # the card brought up to date (coalesced)
    INVITE = "invite"                          # a private invitation with answer buttons
    INVITE_EDIT = "invite-edit"                # that invitation redrawn: the deadline moved
    STAND_IN = "stand-in"                      # an away invitee's invitation or reminder to their alternate
    UNCOVERED = "uncovered"                    # the coordinator told nobody stands in for an away invitee
    UNREACHABLE = "unreachable"                # a mention in the topic of an invitee the bot cannot write to
    ESCALATE = "escalate"                      # the deadline passed: an alternate asked to answer, with buttons
    ESCALATE_NOTICE = "escalate-notice"        # the deadline passed: the coordinator told who has not answered
    EXTEND = "extend"                          # an invitee told of a new deadline
    REMIND = "remind"                          # a reminder, by schedule or by /remind
    OBJECTION = "objection"                    # the coordinator told of objections (coalesced, rendered when it leaves)
    REPORT = "report"                          # the outcome report in the topic
    REPORT_COORDINATOR = "report-coordinator"  # the outcome report, privately, in the coordinator's language
    TOPIC_CLOSE = "topic-close"                # closing the topic
    CLOSE_NOTICE = "close"                     # an invitee told the consultation closed
    CANCEL_NOTICE = "cancel"                   # an invitee told it was cancelled
    MEMBER_CHECK = "member"                    # asking Telegram whether an invitee is in the group
    JOIN_LINK = "link"                         # creating an invitee's own join-request link
    JOIN_LINK_MESSAGE = "joinlink"             # sending that link
    JOIN_DECLINE = "join-decline"              # refusing a join request
    JOIN_APPROVE = "join-approve"              # approving one
    DELETE = "delete"                          # removing a post the guard blocked or redacted
    BLOCKED_NOTICE = "blocked-notice"          # how many posts were blocked (coalesced, rendered when it leaves)
    BLOCKED_EPHEMERAL = "blocked-ephemeral"    # the sender of a blocked post told in place, seen by them alone
    REDACTED_TELL = "redacted-tell"            # a sender told what became of a redacted post
    GUARD_DESK = "guard-desk"                  # the officer's desk (#29): reports, decisions, digests, their notices
    COMMENT_ACK = "comment-ack"                # a private comment acknowledged
    RELAY = "relay"                            # a comment posted into the topic under its author's name
    REPLY = "reply"                            # the answer to an update
    CALLBACK_ANSWER = "cbq"                    # a button's spinner stopped (without a running bot)
    CALLBACK_FULL = "cbq-full"                 # a pop-up too long for one, in full as a message
    FORM = "form"                              # the guided /urgent form's first question
    FORM_EDIT = "form-edit"                    # the form's scope buttons redrawn
    REBOUND = "rebound"                        # an old account told its person moved to another
    EXPORT = "export"                          # a transcript bundle sent to an auditor
    PM_REPORT = "pmreport"                     # the draft report to the Prime Minister, as a DOCX
    STATS_CHART = "stats-chart"                # the /stats chart, as a photo
    AWAY_TOLD = "away-told"                    # a person told of an absence set for them from the command line
    SPENT = "spent"                            # an ended consultation's answer buttons drawn disabled
    PART = "part"                              # one of the leading parts of a text too long for one message
    EXPOSED = "exposed"                        # coordinators told a marking showed where no message holds it
    CHECKPOINT = "checkpoint"                  # a signed checkpoint (C2SP note) posted to the auditors' chat
    MORE_TIME_ASK = "more-time-ask"            # «how much more time?» after «⏳ Cần thêm thời gian», with amounts
    REASON_ASK = "reason-ask"                  # «the reason for the objection?» after «Phản đối»: its reply is it
    OVERRIDE_ASK = "override-ask"              # an away invitee asked before his press replaces his alternate's answer
    RELIEVED = "relieved"                      # an alternate told the invitee answered himself

    @property
    def prefix(self) -> str:
        """What opens this kind's de-duplication keys."""
        return PREFIX.get(self, self.value)


# Kinds whose keys open with another kind's word: keys queued before kinds were recorded keep
# their meaning (an upgraded database must not send them twice).
PREFIX: Mapping[MessageKind, str] = {MessageKind.ESCALATE_NOTICE: "escalate"}


class Dependency(StrEnum):
    """What of its consultation a message needs before it can leave, and what it fills in."""

    TOPIC = "topic"  # the forum topic: the message goes into it (message_thread_id)
    CARD = "card"    # the pinned card: the message acts on it (message_id)

    @property
    def producer(self) -> MessageKind:
        """The kind of message that produces it."""
        return MessageKind(self.value)


def dedup_key(kind: MessageKind, *ident: str | int) -> str:
    """The exactly-once key of a message: its kind, then what makes it this message and no other."""
    return ":".join((kind.prefix, *(str(part) for part in ident)))


def producer_key(dependency: Dependency, consultation_id: int) -> str:
    """The key of the message that produces what `dependency` names for this consultation."""
    return dedup_key(dependency.producer, consultation_id)


class Policy(Enum):
    """How `send` treats a message whose key was queued before."""

    KEEP = "keep"          # the one queued before stays; nothing waits to be told which happened
    IF_NEW = "if_new"      # the same, and `send` says whether this one was new (a trip to the database)
    COALESCE = "coalesce"  # a new number under the key, unless one under it still waits to leave


@dataclass(frozen=True)
class Outgoing:
    """One message (one Bot API call) the bot means to send."""

    kind: MessageKind
    ident: tuple[str | int, ...]   # with the kind, names this message and no other
    chat_id: int
    method: str
    payload: Mapping[str, Any]    # the Bot API parameters (and inputs of a text rendered when it leaves)
    consultation_id: int = 0      # what it concerns; also whose data key seals it (0: the deployment's)
    person_key: str | None = None  # whom it is for or about (an invitee, the alternate asked, a sender)
    for_person_key: str | None = None  # the invitee an alternate is asked to answer for
    attempt: int | None = None     # which attempt at this message (an invitation held back, then sent)
    depends_on: Dependency | None = None
    not_before: datetime | None = field(default=None, compare=False)
    upload: Upload | None = None  # a file uploaded with it: the photo of a sendPhoto, the document otherwise
    render: Mapping[str, Any] | None = None  # what a text rendered when it leaves is rendered from

    @property
    def dedup_key(self) -> str:
        return dedup_key(self.kind, *self.ident)

    @classmethod
    def to(cls, kind: MessageKind, ident: tuple[str | int, ...], chat_id: int, method: str,
           params: Mapping[str, Any] | None = None, **fields: Any) -> Outgoing:
        """A call to `chat_id`, which is written once: the parameters get it from here."""
        return cls(kind, ident, chat_id, method, {"chat_id": chat_id, **(params or {})}, **fields)

    @classmethod
    def text(cls, kind: MessageKind, ident: tuple[str | int, ...], chat_id: int, text: str, *,
             reply_markup: Mapping[str, Any] | None = None, params: Mapping[str, Any] | None = None,
             **fields: Any) -> Outgoing:
        """A text message (sendMessage), with its buttons if it has any."""
        extra = {**(params or {}), **({"reply_markup": reply_markup} if reply_markup is not None else {})}
        return cls.to(kind, ident, chat_id, "sendMessage", {"text": text, **extra}, **fields)

    @classmethod
    def file(cls, kind: MessageKind, ident: tuple[str | int, ...], chat_id: int, upload: Upload, *,
             photo: bool = False, params: Mapping[str, Any] | None = None, **fields: Any) -> Outgoing:
        """A file uploaded as a document, or as a photo shown inline (a chart)."""
        return cls.to(kind, ident, chat_id, "sendPhoto" if photo else "sendDocument", params, upload=upload, **fields)

    def stored(self) -> dict[str, Any]:
        """The payload the outbox seals: the Bot API parameters, with the upload and the render
        inputs under keys no Bot API parameter has. The one place those keys are written; `opened`
        is the one place they are read."""
        stored = dict(self.payload)
        if self.upload is not None:
            stored[UPLOAD] = base64.b64encode(self.upload.content).decode()
            stored[UPLOAD_NAME] = self.upload.name
        if self.render is not None:
            stored[RENDER] = dict(self.render)
        return stored


@dataclass(frozen=True)
class Upload:
    """A file the bot uploads (rather than one Telegram already holds): an export, a report, a chart."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Opened:
    """A row's sealed payload taken apart again: what `Outgoing.stored` put together."""

    params: dict[str, Any]
    upload: Upload | None = None
    render: dict[str, Any] | None = None


# Where `Outgoing.stored` keeps what is not a Bot API parameter; nothing else names these keys.
UPLOAD = "$upload"
UPLOAD_NAME = "$file_name"
RENDER = "$render_from"
# Rows queued by earlier versions kept render inputs under "$notice" (a block notice) and "language"
# (an objection notice), read below; placeholders of a still older scheme are dropped.
LEGACY_PLACEHOLDERS = ("$thread", "$status_message", "$message_id", "$render")


def opened(stored: Mapping[str, Any]) -> Opened:
    """The parameters, the upload and the render inputs of a stored payload."""
    params = dict(stored)
    for legacy in LEGACY_PLACEHOLDERS:
        params.pop(legacy, None)
    upload = None
    if UPLOAD in params:
        upload = Upload(str(params.pop(UPLOAD_NAME, "file")), base64.b64decode(params.pop(UPLOAD)))
    render = params.pop(RENDER, None)
    if "$notice" in params:
        render = params.pop("$notice")
    if "language" in params:  # an objection notice's language (no Bot API call we make has one)
        render = {"language": params.pop("language")}
    return Opened(params, upload, render)
