"""The outbox sender: the one door through which the bot calls Telegram.

Rows are sent in id order within each chat, so a topic exists before anything is posted into it
and a card before it is pinned; different chats proceed side by side, under the rate limiter.
Deletions have a lane of their own, ahead of everything in their chat: a post the guard blocked
is removed at once, never behind notices waiting out the group's 20 messages a minute (Telegram
does not count deletions against that), nor behind the in-flight bound on sends.
A row is marked sent in the transaction that records what the send produced (a topic id, a
message id). The one unavoidable window: a kill after Telegram accepted a call and before that
commit resends that single call once after restart.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import sqlite3
import time
import warnings
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NoReturn

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBUserWarning

from bot.clock import real_seconds
from bot.context import AppContext
from bot.services import answering, blocking, membership, opening, rendering
from bot.services.seats import load, refresh_card
from bot.services.uow import UnitOfWork, unit_of_work
from bot.store import events
from bot.store.datakeys import load_data_key
from bot.store.db import Tx
from bot.store.repos import consultations, outbox, people, prompts
from bot.store.repos.outbox import OutboxItem
from bot.telegram.ratelimit import RateLimiter, seconds_of

log = logging.getLogger(__name__)

# The outbox stores raw Bot API calls by design (a method name and its JSON parameters), so the
# generic do_api_request is the right door; python-telegram-bot would rather we used typed methods.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

MAX_ATTEMPTS = 12
DELETE = "deleteMessage"
HARMLESS = ("message is not modified", "message to delete not found", "topic_not_modified", "TOPIC_CLOSED")


class Unresolved(Exception):
    """A placeholder's value does not exist yet (its producer has not been sent)."""


class DependencyFailed(Exception):
    """A placeholder's producer failed for good; this row cannot be sent either."""


class OutboxSender:
    def __init__(self, ctx: AppContext, bot: Bot, limiter: RateLimiter | None = None, max_in_flight: int = 4) -> None:
        self.ctx = ctx
        self.bot = bot
        self.limiter = limiter or RateLimiter()
        self.max_in_flight = max_in_flight
        self._busy_lanes: set[tuple[int, bool]] = set()  # (chat, deletion lane)
        self._tasks: set[asyncio.Task[None]] = set()
        self._sends_in_flight = 0
        self._stopping = asyncio.Event()
        self.sent = 0
        self.rate_limited = 0
        # Calls Telegram accepted whose result could not be written (disk full, database locked):
        # never sent again, only recorded again, or a full disk would resend them every tick.
        self._unrecorded: dict[int, tuple[OutboxItem, Any]] = {}
        # When each row's send was last settled (its outcome committed). The scan reads a snapshot
        # on another connection, which may predate a settlement that finished while it ran; a row
        # settled after the scan began is left to the next scan rather than sent twice.
        self._settled: dict[int, float] = {}
        # The newest event of its consultation each card edit was rendered with (see _catch_up).
        self._rendered_upto: dict[int, int] = {}
        # What each block notice on its way counts (see blocking.notice_sent).
        self._notices: dict[int, tuple[dict[str, Any], int, int]] = {}
        # Whose objections each objection notice on its way tells: (consultation, invitees, language).
        self._objections: dict[int, tuple[int, frozenset[str], str]] = {}

    async def run(self) -> None:
        while not self._stopping.is_set():
            delay = await self.tick()
            self.ctx.outbox_wakeup.clear()
            if delay > 0:
                wakeup = asyncio.ensure_future(self.ctx.outbox_wakeup.wait())
                try:
                    await asyncio.wait({wakeup}, timeout=delay)
                finally:
                    wakeup.cancel()

    async def stop(self) -> None:
        self._stopping.set()
        self.ctx.poke_outbox()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def tick(self) -> float:
        """Start what may be sent now; return how long until something else may be due."""
        if self._unrecorded and not await self._record_pending():
            return 1.0
        began = time.monotonic()
        async with self.ctx.db.committed() as tx:
            items = await outbox.due(tx, self.ctx.clock.now(), limit=500)
            next_due = await outbox.next_due_at(tx)
        items = [item for item in items if self._settled.get(item.id, began - 1.0) < began]
        for item_id in [i for i, at in self._settled.items() if at < began - 60.0]:
            del self._settled[item_id]
        soonest = 1.0 if next_due is None else max(
            0.0, real_seconds(self.ctx.clock, (next_due - self.ctx.clock.now()).total_seconds()))
        seen: set[tuple[int, bool]] = set()
        items.sort(key=lambda item: item.method != DELETE)  # deletions first; id order otherwise (stable)
        for item in items:
            lane = (item.chat_id, item.method == DELETE)
            if lane in seen or lane in self._busy_lanes:
                seen.add(lane)
                continue
            seen.add(lane)
            deletion = lane[1]
            if not deletion and self._sends_in_flight >= self.max_in_flight:
                break  # a finished send pokes the wake-up event
            # A deletion is not counted by Telegram, and a pause earned by sends does not hold it.
            wait = 0.0 if deletion else self.limiter.try_acquire(item.chat_id, item.method)
            if wait > 0:
                soonest = min(soonest, wait)
                continue
            self._busy_lanes.add(lane)
            if not deletion:
                self._sends_in_flight += 1
            task = asyncio.create_task(self._send_one(item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # A finished send pokes the wake-up event, so waiting on busy chats costs no polling.
        return max(0.005, min(soonest, 1.0))

    async def _send_one(self, item: OutboxItem) -> None:
        released = False

        def release() -> None:
            """Free the item's place in the rate windows once, as soon as Telegram has answered."""
            nonlocal released
            if not released:
                released = True
                self.limiter.release(item.chat_id, item.method)
        try:
            await self._deliver(item, release)
        except Exception:
            log.exception("outbox row %s (%s) could not be processed; will retry", item.id, item.method)
            with contextlib.suppress(sqlite3.Error):  # still pending: the next tick tries it again
                await self._retry(item, 5.0, "internal error")
        finally:
            release()
            self._rendered_upto.pop(item.id, None)
            self._notices.pop(item.id, None)
            self._objections.pop(item.id, None)
            self._settled[item.id] = time.monotonic()
            self._busy_lanes.discard((item.chat_id, item.method == DELETE))
            if item.method != DELETE:
                self._sends_in_flight -= 1
            self.ctx.poke_outbox()

    async def _deliver(self, item: OutboxItem, release: Callable[[], None]) -> None:
        try:
            async with self.ctx.db.committed() as tx:
                params = await self._resolve(tx, item)
        except Unresolved:
            await self._retry(item, 0.5, "waiting for a dependency", count_attempt=False)
            return
        except DependencyFailed as exc:
            await self._fail(item, f"dependency failed: {exc}")
            return
        try:
            try:
                result = await self.bot.do_api_request(item.method, api_kwargs=params)
            finally:
                release()
        except RetryAfter as exc:
            seconds = seconds_of(exc.retry_after)
            self.rate_limited += 1
            if item.method != DELETE:
                self.limiter.penalise(item.chat_id, seconds)
            log.warning("429 on %s for chat %s; retry after %.1fs", item.method, item.chat_id, seconds)
            await self._retry(item, seconds, "429", count_attempt=False)
        except Forbidden as exc:
            await self._forbidden(item, exc)
        except BadRequest as exc:
            if any(h.lower() in exc.message.lower() for h in HARMLESS):
                await self._mark_sent(item, None)
            else:
                log.error("Telegram refused %s (row %s): %s", item.method, item.id, exc.message)
                await self._fail(item, exc.message)
        except (TimedOut, NetworkError) as exc:  # 5xx and dropped connections arrive as NetworkError
            await self._retry(item, min(60.0, 0.5 * 2 ** item.attempts), type(exc).__name__)
        except TelegramError as exc:
            await self._retry(item, min(60.0, 0.5 * 2 ** item.attempts), type(exc).__name__)
        else:
            await self._mark_sent(item, result)

    async def _resolve(self, tx: Tx, item: OutboxItem) -> dict[str, Any]:
        data_key = await load_data_key(tx, self.ctx.keys, item.key_owner)
        params = item.payload(data_key)
        if "$thread" in params:
            cid = int(params.pop("$thread"))
            thread = await consultations.thread_of(tx, cid)
            if thread is None:
                await self._dependency(tx, f"topic:{cid}")
            params["message_thread_id"] = int(thread)
        if "$status_message" in params:
            cid = int(params.pop("$status_message"))
            message_id = await consultations.status_message_of(tx, cid)
            if message_id is None:
                await self._dependency(tx, f"card:{cid}")
            params["message_id"] = int(message_id)
        if "$message_id" in params:
            key = str(params.pop("$message_id"))
            message_id = await outbox.result_message_id(tx, key)
            if message_id is None:
                await self._dependency(tx, key)
            params["message_id"] = message_id
        if "$upload" in params:  # a file carried in the (encrypted) outbox row: an export, a report, a chart
            field = "photo" if item.method == "sendPhoto" else "document"
            params[field] = InputFile(base64.b64decode(params.pop("$upload")),
                                      filename=str(params.pop("$file_name", "file")))
        render = params.pop("$render", None)
        if render == "card":
            cid = int(params.pop("consultation"))
            self._rendered_upto[item.id] = await events.newest_seq(tx, cid)
            params["text"] = await rendering.card_text(self.ctx, tx, cid)
        elif render == "objections":
            cid, language = int(params.pop("consultation")), str(params.pop("language"))
            params["text"], told = await rendering.objections_text(self.ctx, tx, cid, language)
            self._objections[item.id] = (cid, told, language)
        elif render == "blocked_notice":
            spec = params.pop("$notice")
            params["text"], upto = await blocking.render_notice(tx, spec)
            self._notices[item.id] = (spec, upto, item.key_owner)
        return params

    async def _catch_up(self, uow: UnitOfWork, item: OutboxItem) -> None:
        """A card edit is rendered from what was committed when it left; a change committed while
        it was on its way saw it still pending and queued no edit of its own. Queue one now, or
        the card would show that change only with the next one."""
        rendered = self._rendered_upto.pop(item.id, None)
        cid = int(item.dedup_key.split(":")[1])
        if rendered is not None and await events.newest_seq(uow.tx, cid) > rendered:
            record, _ = await consultations.get(uow.tx, self.ctx.keys, cid)
            await refresh_card(uow, record)

    async def _objections_catch_up(self, uow: UnitOfWork, item: OutboxItem) -> None:
        """An objection committed while the notice was on its way found it still waiting and queued
        none of its own: tell it now."""
        rendered = self._objections.pop(item.id, None)
        if rendered is None:
            return
        cid, told, language = rendered
        _, now_objecting = await rendering.objections_text(self.ctx, uow.tx, cid, language)
        if now_objecting - told:
            coordinator = await people.person_by_telegram_id(uow.tx, item.chat_id)
            if coordinator is not None:
                await answering.tell_coordinator_of_objections(uow, cid, coordinator)

    @staticmethod
    async def _dependency(tx: Tx, dedup_key: str) -> NoReturn:
        state = await outbox.state_of(tx, dedup_key)
        if state in ("failed", "sent", None):
            raise DependencyFailed(dedup_key)
        raise Unresolved(dedup_key)

    async def _mark_sent(self, item: OutboxItem, result: Any) -> None:
        try:
            await self._write_sent(item, result)
        except sqlite3.Error as exc:
            self._unrecorded[item.id] = (item, result)
            log.error("outbox row %s was delivered but cannot be recorded (%s); holding it, sending nothing "
                      "until the database accepts writes again", item.id, exc, extra={"outbox_id": item.id})

    async def _write_sent(self, item: OutboxItem, result: Any) -> None:
        message_id = result.get("message_id") if isinstance(result, dict) else None
        # Urgent: the recipient's reply to this message may already be on its way, and it must
        # find the message recorded, not overtake the recording and be taken for a stray.
        async with unit_of_work(self.ctx, urgent=True) as uow:
            await outbox.mark_sent(uow.tx, item.id, self.ctx.clock.now(), message_id)
            await self._record_result(uow, item, result)
        self.sent += 1

    async def _record_pending(self) -> bool:
        """Write the results held back; True once none is left."""
        for item_id, (item, result) in list(self._unrecorded.items()):
            try:
                await self._write_sent(item, result)
            except sqlite3.Error:
                return False
            del self._unrecorded[item_id]
            log.info("outbox row %s recorded after the database recovered", item_id, extra={"outbox_id": item_id})
        return True

    async def _record_result(self, uow: UnitOfWork, item: OutboxItem, result: Any) -> None:
        """What a call produced, kept in the transaction that marks it sent (and queues what follows)."""
        tx = uow.tx
        notice = self._notices.pop(item.id, None)
        if notice is not None:
            await blocking.notice_sent(uow, *notice)
        kind, _, rest = item.dedup_key.partition(":")
        if kind == "card-edit":  # "message is not modified" too: the card may still be behind
            await self._catch_up(uow, item)
        if kind == "objection":
            await self._objections_catch_up(uow, item)
        if not isinstance(result, dict):
            return
        if kind in ("member", "link"):
            cid_text, person_key = rest.split(":", 1)
            group = await consultations.chat_of(tx, int(cid_text))
            if kind == "member":
                await membership.member_checked(uow, int(cid_text), person_key, item.chat_id,
                                                int(group or self.ctx.group_chat_id or 0), result)
            else:
                await membership.link_created(uow, int(cid_text), person_key, item.chat_id, result)
            return
        if kind == "topic":
            await consultations.set_thread(tx, int(rest), item.chat_id, int(result["message_thread_id"]))
        elif kind == "card":
            await consultations.set_status_message(tx, int(rest), int(result["message_id"]))
        elif kind == "invite":
            cid, person_key, _ = rest.split(":")
            await consultations.set_invitation_message(tx, int(cid), person_key, int(result["message_id"]))
            await prompts.record(tx, item.chat_id, int(result["message_id"]), int(cid), person_key, person_key)
        elif kind == "escalate":
            cid, invitee, alternate = rest.split(":")
            if invitee != "coordinator":  # the coordinator's notice carries no buttons
                await prompts.record(tx, item.chat_id, int(result["message_id"]), int(cid), alternate, invitee)
        elif kind == "stand-in":  # to an away invitee's alternate, with the buttons: it answers for the invitee
            cid, invitee, alternate, _ = rest.split(":")
            await prompts.record(tx, item.chat_id, int(result["message_id"]), int(cid), alternate, invitee)

    async def _forbidden(self, item: OutboxItem, error: Forbidden) -> None:
        """403: the person never started the bot, or blocked it. Say so in the topic; hold the invitation."""
        log.info("403 on %s to chat %s: %s", item.method, item.chat_id, error.message)
        kind, _, rest = item.dedup_key.partition(":")
        async with unit_of_work(self.ctx) as uow:
            await outbox.mark_failed(uow.tx, item.id, "403 " + error.message)
            if kind != "invite":
                return
            cid_text, person_key, _ = rest.split(":")
            cid = int(cid_text)
            await consultations.set_reachable(uow.tx, cid, person_key, False)
            await uow.event("unreachable", consultation_id=cid, actor=person_key, data={"reason": "forbidden"})
            record, _ = await load(uow, cid)
            person = await people.person_by_key(uow.tx, person_key)
            if person is not None:
                await opening.mention_unreachable(uow, record, person, enrolled=True)
            await refresh_card(uow, record)

    async def _retry(self, item: OutboxItem, seconds: float, reason: str, count_attempt: bool = True) -> None:
        if count_attempt and item.attempts + 1 >= MAX_ATTEMPTS:
            await self._fail(item, f"gave up after {MAX_ATTEMPTS} attempts: {reason}")
            return
        # `seconds` is real time (Telegram's retry_after, our backoff); rows are timed on the clock.
        not_before = self.ctx.clock.now() + timedelta(seconds=seconds * self.ctx.clock.speed)
        async with self.ctx.db.transaction() as tx:
            if count_attempt:
                await outbox.mark_retry(tx, item.id, not_before, reason)
            else:
                await outbox.postpone(tx, item.id, not_before, reason)

    async def _fail(self, item: OutboxItem, reason: str) -> None:
        log.error("outbox row %s (%s to chat %s) failed for good: %s", item.id, item.method, item.chat_id, reason)
        async with self.ctx.db.transaction() as tx:
            await outbox.mark_failed(tx, item.id, reason)

