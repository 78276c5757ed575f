"""What a queued message needs before it leaves, and what its delivery or refusal means.

The sender (bot/telegram/sender.py) is transport only: it takes what is due, asks here for the call
to make, makes it under Telegram's limits and retries, and reports back. Everything that depends
on what a message *is* lives here, read from its kind (bot/domain/outbox.py), never from its key:

* before it leaves: what it depends on (the consultation's topic or card) is filled in, or it
  waits for it, or fails with it; a text rendered when it leaves (the card, the objection notice,
  the block notice) is rendered by the service that owns it, from what is committed then;
* once Telegram took it: what it produced is recorded (a topic, the card, an invitation's message
  and the answer prompt), and what follows is queued, in the transaction that marks it sent;
* when Telegram refuses it with 403: an invitation becomes "unreachable" — an event, a mention in
  the topic, the card — and waits for the person to start the bot.

A row is marked sent in the transaction that records what it produced. A call Telegram accepted
whose result cannot be written (disk full, database locked) is held and only recorded again, never
sent again, or a full disk would resend it every tick.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import real_seconds
from bot.domain.outbox import Dependency, MessageKind, Outgoing, opened, producer_key
from bot.services import answering
from bot.services.consultations import opening
from bot.services.guarding import blocking
from bot.services.kernel.context import AppContext
from bot.services.kernel.seats import load, refresh_card
from bot.services.kernel.uow import UnitOfWork, unit_of_work
from bot.services.officer import reports
from bot.services.people import membership
from bot.services.sending import rendering
from bot.services.sending.dressing import dress
from bot.services.sending.linking import link_topic
from bot.store import events
from bot.store.datakeys import load_data_key
from bot.store.db import Tx
from bot.store.repos import consultations, outbox, people, prompts
from bot.store.repos.outbox import OutboxItem

log = logging.getLogger(__name__)

# Fields a row queued before kinds were recorded (migration 0008) may carry, whose meaning is now
# in its columns: dropped from what is sent.
WAIT_FOR_DEPENDENCY = 0.5  # seconds before a row whose dependency has not left yet is looked at again


@dataclass(frozen=True)
class Call:
    """One Bot API call, ready to make."""

    method: str
    params: dict[str, Any]
    upload: tuple[str, bytes] | None = None  # (file name, content) to upload with it
    upload_field: str = "document"  # which parameter carries the upload: "photo" for a sendPhoto
    rendered: Any = None  # what its text was rendered from, for what its delivery means (see RENDERERS)


class _Unsupported(Exception):
    """The Bot API server does not offer what the row needs (an older server): it is dropped."""


class _Waiting(Exception):
    """What the row depends on has not been sent yet."""


class _DependencyFailed(Exception):
    """What the row depends on failed for good; this row cannot be sent either."""


class Delivery:
    """The outbox as the sender sees it: what is due, what to send, and what its answer means."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.sent = 0  # rows recorded as sent
        self._held: dict[int, tuple[OutboxItem, Any, Any]] = {}  # delivered, result not yet written
        # Learnt from the server's first answer to an ephemeral message (None: not yet known).
        # An older server ignores the parameter and posts the message for everyone.
        self.ephemeral_supported: bool | None = None
        # The same for disabled buttons (Bot API 10.3): an older server refuses them as a button
        # of no type, and spent buttons are then removed instead of drawn disabled.
        self.disabled_buttons_supported = True

    # -- what is due --------------------------------------------------------------------------------

    async def due(self, limit: int) -> tuple[list[OutboxItem], float]:
        """The rows due now, deletions first and then in id order; and how many real seconds until
        the next pending row falls due (1.0 when none is pending)."""
        async with self.ctx.db.committed() as tx:
            items = await outbox.due(tx, self.ctx.clock.now(), limit=limit)
            next_due = await outbox.next_due_at(tx)
        if next_due is None:
            return items, 1.0
        return items, max(0.0, real_seconds(self.ctx.clock, (next_due - self.ctx.clock.now()).total_seconds()))

    async def prepare(self, item: OutboxItem) -> Call | None:
        """The call to make for `item`, rendered from what is committed now; None when it cannot
        leave yet (postponed) or ever (failed)."""
        try:
            async with self.ctx.db.committed() as tx:
                return await self._call(tx, item)
        except _Waiting:
            await self.retry(item, WAIT_FOR_DEPENDENCY, "waiting for a dependency", count_attempt=False)
        except _Unsupported as exc:
            await self.failed(item, str(exc))
        except _DependencyFailed as exc:
            log.error("outbox row %s (%s to chat %s) failed for good: dependency failed: %s",
                      item.id, item.method, item.chat_id, exc)
            await self.failed(item, f"dependency failed: {exc}")
        return None

    async def _call(self, tx: Tx, item: OutboxItem) -> Call:
        if item.kind is MessageKind.BLOCKED_EPHEMERAL and self.ephemeral_supported is False:
            raise _Unsupported("this Bot API server has no ephemeral messages")
        if item.kind is MessageKind.SPENT and not self.disabled_buttons_supported:
            params = opened(item.payload(await load_data_key(tx, self.ctx.keys, item.key_owner))).params
            params.pop("reply_markup", None)  # no keyboard at all: nothing left to press
            return Call(item.method, params)
        sealed = opened(item.payload(await load_data_key(tx, self.ctx.keys, item.key_owner)))
        params = sealed.params
        if item.depends_on is not None:
            await self._fill(tx, item, item.depends_on, params)
        render = RENDERERS.get(item.kind) if item.kind is not None else None
        rendered = await render(self, tx, item, params, sealed.render or {}) if render is not None else None
        topic = await link_topic(self.ctx, tx, item, params, bool((sealed.render or {}).get("topic_link")))
        if topic is not None:
            raise _Waiting(topic)
        dress(item.kind, item.method, params, protect=self.ctx.settings.protect_content,
              zone=self.ctx.settings.timezone, now=self.ctx.clock.now())
        upload = (sealed.upload.name, sealed.upload.content) if sealed.upload is not None else None
        return Call(item.method, params, upload, "photo" if item.method == "sendPhoto" else "document", rendered)

    async def _fill(self, tx: Tx, item: OutboxItem, dependency: Dependency, params: dict[str, Any]) -> None:
        """Put in what the row depends on, or raise why it cannot leave now."""
        cid = int(item.consultation_id or 0)
        if dependency is Dependency.TOPIC:
            found, field = await consultations.thread_of(tx, cid), "message_thread_id"
        else:
            found, field = await consultations.status_message_of(tx, cid), "message_id"
        if found is None:
            producer = producer_key(dependency, cid)
            if await outbox.state_of(tx, producer) in ("failed", "sent", None):
                raise _DependencyFailed(producer)
            raise _Waiting(producer)
        params[field] = int(found)

    async def _render_card(self, tx: Tx, item: OutboxItem, params: dict[str, Any], inputs: dict[str, Any]) -> int:
        """The card as committed now; the newest event it shows, for the catch-up."""
        cid = int(item.consultation_id or 0)
        params.pop("consultation", None)
        upto = await events.newest_seq(tx, cid)
        params["text"], keyboard = await rendering.card(self.ctx, tx, cid)
        params.pop("reply_markup", None)
        if keyboard is not None:  # none: the edit takes the buttons away (a closed card keeps no actions)
            params["reply_markup"] = keyboard
        return upto

    async def _render_objections(self, tx: Tx, item: OutboxItem, params: dict[str, Any],
                                 inputs: dict[str, Any]) -> tuple[int, frozenset[str], str]:
        """Whose objections it tells, for the catch-up."""
        cid, language = int(item.consultation_id or 0), str(inputs["language"])
        params.pop("consultation", None)
        params["text"], told = await rendering.objections_text(self.ctx, tx, cid, language)
        return cid, told, language

    async def _render_notice(self, tx: Tx, item: OutboxItem, params: dict[str, Any],
                             inputs: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
        """What the notice counts, recorded once it is sent."""
        params["text"], upto = await blocking.render_notice(tx, inputs)
        keyboard = await reports.notice_keyboard(tx, inputs)  # «Báo chặn nhầm» (#29), in private only
        if keyboard is not None:
            params["reply_markup"] = keyboard
        return inputs, upto, item.key_owner

    # -- what an answer means -----------------------------------------------------------------------

    async def delivered(self, item: OutboxItem, result: Any, call: Call | None = None) -> None:
        """Telegram took the call (or had nothing to change): record it and what it produced. A
        result that cannot be written is held and written before anything else is sent."""
        rendered = call.rendered if call is not None else None
        try:
            await self._write_sent(item, result, rendered)
        except sqlite3.Error as exc:
            self._held[item.id] = (item, result, rendered)
            log.error("outbox row %s was delivered but cannot be recorded (%s); holding it, sending nothing "
                      "until the database accepts writes again", item.id, exc, extra={"outbox_id": item.id})

    async def record_held(self) -> bool:
        """Write the results held back; True once none is left."""
        for item_id, (item, result, rendered) in list(self._held.items()):
            try:
                await self._write_sent(item, result, rendered)
            except sqlite3.Error:
                return False
            del self._held[item_id]
            log.info("outbox row %s recorded after the database recovered", item_id, extra={"outbox_id": item_id})
        return True

    async def _write_sent(self, item: OutboxItem, result: Any, rendered: Any) -> None:
        message_id = result.get("message_id") if isinstance(result, dict) else None
        # Urgent: the recipient's reply to this message may already be on its way, and it must
        # find the message recorded, not overtake the recording and be taken for a stray.
        async with unit_of_work(self.ctx, urgent=True) as uow:
            await outbox.mark_sent(uow.tx, item.id, self.ctx.clock.now(), message_id)
            await self._record_result(uow, item, result, rendered)
        self.sent += 1

    async def _record_result(self, uow: UnitOfWork, item: OutboxItem, result: Any, rendered: Any) -> None:
        """What a call produced, kept in the transaction that marks it sent (and queues what follows)."""
        if item.kind is None:
            return
        after = AFTER_ANY_ANSWER.get(item.kind)  # "message is not modified" too: the card may still be behind
        if after is not None and rendered is not None:
            await after(self, uow, item, rendered)
        produced = ON_DELIVERED.get(item.kind)
        if produced is not None and isinstance(result, dict):
            await produced(self, uow, item, result)

    async def _card_catch_up(self, uow: UnitOfWork, item: OutboxItem, rendered: int) -> None:
        """A card edit is rendered from what was committed when it left; a change committed while
        it was on its way saw it still pending and queued no edit of its own. Queue one now, or
        the card would show that change only with the next one."""
        cid = int(item.consultation_id or 0)
        if await events.newest_seq(uow.tx, cid) > rendered:
            record, _ = await consultations.get(uow.tx, self.ctx.keys, cid)
            await refresh_card(uow, record)

    async def _objections_catch_up(self, uow: UnitOfWork, item: OutboxItem,
                                   rendered: tuple[int, frozenset[str], str]) -> None:
        """An objection committed while the notice was on its way found it still waiting and queued
        none of its own: tell it now."""
        cid, told, language = rendered
        _, now_objecting = await rendering.objections_text(self.ctx, uow.tx, cid, language)
        if now_objecting - told:
            coordinator = await people.person_by_telegram_id(uow.tx, item.chat_id)
            if coordinator is not None:
                await answering.tell_coordinator_of_objections(uow, cid, coordinator)

    async def _topic_made(self, uow: UnitOfWork, item: OutboxItem, result: dict[str, Any]) -> None:
        await consultations.set_thread(uow.tx, int(item.consultation_id or 0), item.chat_id,
                                       int(result["message_thread_id"]))

    async def _card_posted(self, uow: UnitOfWork, item: OutboxItem, result: dict[str, Any]) -> None:
        await consultations.set_status_message(uow.tx, int(item.consultation_id or 0), int(result["message_id"]))

    async def _invitation_delivered(self, uow: UnitOfWork, item: OutboxItem, result: dict[str, Any]) -> None:
        cid, person_key = int(item.consultation_id or 0), str(item.person_key)
        await consultations.set_invitation_message(uow.tx, cid, person_key, int(result["message_id"]))
        await self._prompt_delivered(uow, item, result)

    async def _prompt_delivered(self, uow: UnitOfWork, item: OutboxItem, result: dict[str, Any]) -> None:
        """A message with answer buttons: a press on it answers for `for_person_key` (an alternate
        for the invitee), or for the person it went to."""
        person_key = str(item.person_key)
        await prompts.record(uow.tx, item.chat_id, int(result["message_id"]), int(item.consultation_id or 0),
                             person_key, item.for_person_key or person_key)

    async def _ephemeral_delivered(self, uow: UnitOfWork, item: OutboxItem, result: dict[str, Any]) -> None:
        """An ephemeral message comes back with `ephemeral_message_id` (its message_id is 0). One
        that came back as an ordinary message was posted for everyone by a server older than Bot
        API 10.2: it is removed at once, and blocked senders are told privately only, as before
        (the notice they get in their private chat is the record in both cases)."""
        if result.get("ephemeral_message_id") is not None and not result.get("message_id"):
            self.ephemeral_supported = True
            return
        if self.ephemeral_supported is not False:
            log.warning("the Bot API server does not support ephemeral messages (Bot API 10.2): blocked senders "
                        "in the group are told privately only; upgrade the server to tell them in place")
        self.ephemeral_supported = False
        if result.get("message_id"):
            await uow.send(Outgoing.to(MessageKind.DELETE, ("ephemeral-fallback", item.id), item.chat_id,
                                       "deleteMessage", {"message_id": int(result["message_id"])},
                                       consultation_id=int(item.consultation_id or 0)))

    async def _membership_checked(self, uow: UnitOfWork, item: OutboxItem, result: dict[str, Any]) -> None:
        cid = int(item.consultation_id or 0)
        group = await consultations.chat_of(uow.tx, cid)
        await membership.member_checked(uow, cid, str(item.person_key), item.chat_id,
                                        int(group or self.ctx.group_chat_id or 0), result)

    async def _link_created(self, uow: UnitOfWork, item: OutboxItem, result: dict[str, Any]) -> None:
        await membership.link_created(uow, int(item.consultation_id or 0), str(item.person_key), item.chat_id, result)

    async def forbidden(self, item: OutboxItem, reason: str) -> None:
        """403: the person never started the bot, or blocked it. An invitation says so in the
        topic and waits for them to start the bot; anything else just fails."""
        async with unit_of_work(self.ctx) as uow:
            await outbox.mark_failed(uow.tx, item.id, reason)
            if item.kind is MessageKind.INVITE and item.person_key is not None:
                await self._unreachable(uow, int(item.consultation_id or 0), item.person_key)

    async def _unreachable(self, uow: UnitOfWork, cid: int, person_key: str) -> None:
        await consultations.set_reachable(uow.tx, cid, person_key, False)
        await uow.event("unreachable", consultation_id=cid, actor=person_key, data={"reason": "forbidden"})
        record, _ = await load(uow, cid)
        person = await people.person_by_key(uow.tx, person_key)
        if person is not None:
            await opening.mention_unreachable(uow, record, person, enrolled=True)
        await refresh_card(uow, record)

    # -- bookkeeping --------------------------------------------------------------------------------

    async def retry(self, item: OutboxItem, seconds: float, reason: str, *, count_attempt: bool = True) -> None:
        """Try the row again in `seconds` of real time (Telegram's retry_after, a backoff); rows
        are timed on the clock. A 429 or a dependency not sent yet counts no attempt."""
        not_before = self.ctx.clock.now() + timedelta(seconds=seconds * self.ctx.clock.speed)
        async with self.ctx.db.transaction() as tx:
            if count_attempt:
                await outbox.mark_retry(tx, item.id, not_before, reason)
            else:
                await outbox.postpone(tx, item.id, not_before, reason)

    async def retry_after_error(self, item: OutboxItem, seconds: float) -> None:
        with contextlib.suppress(sqlite3.Error):  # unwritable: still pending, the next tick tries it again
            await self.retry(item, seconds, "internal error")

    async def failed(self, item: OutboxItem, reason: str) -> None:
        async with unit_of_work(self.ctx) as uow:
            await outbox.mark_failed(uow.tx, item.id, reason)
            if item.kind is MessageKind.SPENT and "button" in reason.lower() and self.disabled_buttons_supported:
                await self._remove_spent_buttons(uow, item)

    async def _remove_spent_buttons(self, uow: UnitOfWork, item: OutboxItem) -> None:
        """A server older than Bot API 10.3 refused a disabled button: spent buttons are removed
        from now on, this one included."""
        log.warning("the Bot API server does not support disabled buttons (Bot API 10.3): the buttons of ended "
                    "consultations are removed instead")
        self.disabled_buttons_supported = False
        params = opened(item.payload(await load_data_key(uow.tx, self.ctx.keys, item.key_owner))).params
        await uow.send(Outgoing(MessageKind.SPENT, ("removed", item.id), item.chat_id, item.method,
                                {"chat_id": params["chat_id"], "message_id": params["message_id"]},
                                consultation_id=int(item.consultation_id or 0), person_key=item.person_key))

    async def _notice_sent(self, uow: UnitOfWork, item: OutboxItem,
                           rendered: tuple[dict[str, Any], int, int]) -> None:
        await blocking.notice_sent(uow, *rendered)


# A renderer fills in the text from what is committed when the row leaves, and returns what it was
# rendered from: the call carries it to what its answer means (AFTER_ANY_ANSWER).
_Render = Callable[[Delivery, Tx, OutboxItem, dict[str, Any], dict[str, Any]], Awaitable[Any]]
_After = Callable[[Delivery, UnitOfWork, OutboxItem, Any], Awaitable[None]]
_Produced = Callable[[Delivery, UnitOfWork, OutboxItem, dict[str, Any]], Awaitable[None]]

# Texts rendered when they leave, by the service that owns them.
RENDERERS: Mapping[MessageKind, _Render] = {
    MessageKind.CARD: Delivery._render_card,
    MessageKind.CARD_EDIT: Delivery._render_card,
    MessageKind.OBJECTION: Delivery._render_objections,
    MessageKind.BLOCKED_NOTICE: Delivery._render_notice,
}
# What any answer (a result, or Telegram's "nothing to change") means.
AFTER_ANY_ANSWER: Mapping[MessageKind, _After] = {
    MessageKind.CARD_EDIT: Delivery._card_catch_up,
    MessageKind.OBJECTION: Delivery._objections_catch_up,
    MessageKind.BLOCKED_NOTICE: Delivery._notice_sent,
}
# What a message's result means.
ON_DELIVERED: Mapping[MessageKind, _Produced] = {
    MessageKind.TOPIC: Delivery._topic_made,
    MessageKind.CARD: Delivery._card_posted,
    MessageKind.INVITE: Delivery._invitation_delivered,
    MessageKind.ESCALATE: Delivery._prompt_delivered,
    MessageKind.STAND_IN: Delivery._prompt_delivered,
    MessageKind.OVERRIDE_ASK: Delivery._prompt_delivered,  # its confirming press answers for the invitee
    MessageKind.REMIND: Delivery._prompt_delivered,  # a reminder carries the answer buttons too
    MessageKind.MEMBER_CHECK: Delivery._membership_checked,
    MessageKind.JOIN_LINK: Delivery._link_created,
    MessageKind.BLOCKED_EPHEMERAL: Delivery._ephemeral_delivered,
}
