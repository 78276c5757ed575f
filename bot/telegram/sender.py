"""The outbox sender: the one door through which the bot calls Telegram — transport only.

Rows are sent in id order within each chat, so a topic exists before anything is posted into it
and a card before it is pinned; different chats proceed side by side, under the rate limiter.
Deletions have a lane of their own, ahead of everything in their chat: a post the guard blocked
is removed at once, never behind notices waiting out the group's 20 messages a minute (Telegram
does not count deletions against that), nor behind the in-flight bound on sends.

What a row is, what it needs before it leaves and what its delivery or refusal means is not decided
here: the sender asks the delivery service (bot/services/sending/delivery.py, through the `Deliveries`
port below) for the call to make and tells it how Telegram answered. It marks a row sent in the
transaction that records what the send produced (a topic id, a message id). The one unavoidable
window: a kill after Telegram accepted a call and before that commit resends that single call once
after restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBUserWarning

from bot.services.kernel.context import AppContext
from bot.services.sending.delivery import Call, Delivery
from bot.telegram.ratelimit import RateLimiter, seconds_of

log = logging.getLogger(__name__)

# The outbox stores raw Bot API calls by design (a method name and its JSON parameters), so the
# generic do_api_request is the right door; python-telegram-bot would rather we used typed methods.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

MAX_ATTEMPTS = 12
DELETE = "deleteMessage"
HARMLESS = ("message is not modified", "message to delete not found", "topic_not_modified", "TOPIC_CLOSED")


class Queued(Protocol):
    """What the transport knows of a queued call: where it goes, which lane, how often it was tried."""

    @property
    def id(self) -> int: ...

    @property
    def chat_id(self) -> int: ...

    @property
    def method(self) -> str: ...

    @property
    def attempts(self) -> int: ...


class Deliveries(Protocol):
    """The outbox as the transport needs it (bot.services.sending.delivery.Delivery): no store, no meaning."""

    @property
    def sent(self) -> int: ...

    async def due(self, limit: int) -> tuple[Sequence[Any], float]:
        """Rows due now (deletions first, then in id order), and real seconds until the next."""

    async def prepare(self, item: Any) -> Call | None:
        """The call to make now; None when the row cannot leave now (it was postponed or failed)."""

    async def delivered(self, item: Any, result: Any, call: Call | None = None) -> None:
        """Telegram took `call` (made for `item`): record it and what it produced."""

    async def record_held(self) -> bool:
        """Write results delivered but not yet recorded; True once none is held."""

    async def forbidden(self, item: Any, reason: str) -> None: ...

    async def retry(self, item: Any, seconds: float, reason: str, *, count_attempt: bool = True) -> None: ...

    async def retry_after_error(self, item: Any, seconds: float) -> None:
        """Processing the row failed here: try again later, if the database lets that be written."""

    async def failed(self, item: Any, reason: str) -> None: ...



class OutboxSender:
    def __init__(self, ctx: AppContext, bot: Bot, limiter: RateLimiter | None = None, max_in_flight: int = 4,
                 deliveries: Deliveries | None = None) -> None:
        self.ctx = ctx
        self.bot = bot
        self.deliveries: Deliveries = deliveries or Delivery(ctx)
        self.limiter = limiter or RateLimiter()
        self.max_in_flight = max_in_flight
        self._busy_lanes: set[tuple[int, bool]] = set()  # (chat, deletion lane)
        self._tasks: set[asyncio.Task[None]] = set()
        self._sends_in_flight = 0
        self._stopping = asyncio.Event()
        self.rate_limited = 0
        # When each row's send was last settled (its outcome committed). The scan reads a snapshot
        # on another connection, which may predate a settlement that finished while it ran; a row
        # settled after the scan began is left to the next scan rather than sent twice.
        self._settled: dict[int, float] = {}

    @property
    def sent(self) -> int:
        return self.deliveries.sent

    async def run(self) -> None:
        while not self._stopping.is_set():
            # Cleared before the scan, not after: a commit that rings while the scan runs may be
            # missing from its snapshot, and its ring must start the next scan at once.
            self.ctx.doorbell.clear()
            delay = await self.tick()
            if delay > 0 and not self.ctx.doorbell.rung:
                wakeup = asyncio.ensure_future(self.ctx.doorbell.wait())
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
        # Calls Telegram accepted whose result could not be written: nothing more leaves until they are.
        if not await self.deliveries.record_held():
            return 1.0
        began = time.monotonic()
        items, soonest = await self.deliveries.due(limit=500)
        items = [item for item in items if self._settled.get(item.id, began - 1.0) < began]
        for item_id in [i for i, at in self._settled.items() if at < began - 60.0]:
            del self._settled[item_id]
        seen: set[tuple[int, bool]] = set()
        items.sort(key=_turn)
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

    async def _send_one(self, item: Queued) -> None:
        released = False

        def release() -> None:
            """Free the item's place in the rate windows once, as soon as Telegram has answered."""
            nonlocal released
            if not released:
                released = True
                self.limiter.release(item.chat_id, item.method)

        def unsent() -> None:
            """Nothing was sent for the item: its place goes back uncounted."""
            nonlocal released
            if not released:
                released = True
                self.limiter.cancel(item.chat_id, item.method)
        try:
            await self._deliver(item, release, unsent)
        except Exception:
            log.exception("outbox row %s (%s) could not be processed; will retry", item.id, item.method)
            await self.deliveries.retry_after_error(item, 5.0)  # still pending: a later tick tries it again
        finally:
            release()
            self._settled[item.id] = time.monotonic()
            self._busy_lanes.discard((item.chat_id, item.method == DELETE))
            if item.method != DELETE:
                self._sends_in_flight -= 1
            self.ctx.poke_outbox()

    async def _deliver(self, item: Queued, release: Callable[[], None], unsent: Callable[[], None]) -> None:
        call = await self.deliveries.prepare(item)
        if call is None:
            unsent()
            return
        params = call.params
        if call.upload is not None:
            file_name, content = call.upload
            params = {**params, call.upload_field: InputFile(content, filename=file_name)}
        try:
            try:
                result = await self.bot.do_api_request(call.method, api_kwargs=params)
            finally:
                release()
        except RetryAfter as exc:
            seconds = seconds_of(exc.retry_after)
            self.rate_limited += 1
            if item.method != DELETE:
                self.limiter.penalise(item.chat_id, seconds)
            log.warning("429 on %s for chat %s; retry after %.1fs", item.method, item.chat_id, seconds)
            await self.deliveries.retry(item, seconds, "429", count_attempt=False)
        except Forbidden as exc:
            log.info("403 on %s to chat %s: %s", item.method, item.chat_id, exc.message)
            await self.deliveries.forbidden(item, "403 " + exc.message)
        except BadRequest as exc:
            if any(h.lower() in exc.message.lower() for h in HARMLESS):
                await self.deliveries.delivered(item, None, call)
            else:
                log.error("Telegram refused %s (row %s): %s", item.method, item.id, exc.message)
                await self._fail(item, exc.message)
        except (TimedOut, NetworkError) as exc:  # 5xx and dropped connections arrive as NetworkError
            await self._retry(item, min(60.0, 0.5 * 2 ** item.attempts), type(exc).__name__)
        except TelegramError as exc:
            await self._retry(item, min(60.0, 0.5 * 2 ** item.attempts), type(exc).__name__)
        else:
            await self.deliveries.delivered(item, result, call)

    async def _retry(self, item: Queued, seconds: float, reason: str) -> None:
        if item.attempts + 1 >= MAX_ATTEMPTS:
            await self._fail(item, f"gave up after {MAX_ATTEMPTS} attempts: {reason}")
            return
        await self.deliveries.retry(item, seconds, reason)

    async def _fail(self, item: Queued, reason: str) -> None:
        log.error("outbox row %s (%s to chat %s) failed for good: %s", item.id, item.method, item.chat_id, reason)
        await self.deliveries.failed(item, reason)


def _turn(item: Queued) -> tuple[bool, bool]:
    """Deletions first (Telegram does not count them); then groups' calls, which their own window
    holds to 20 a minute, so they cannot starve private chats but would otherwise wait behind every
    private message queued before them (a burst of presses delayed the card by seconds); id order
    within each, so a chat's calls keep their order (the sort is stable)."""
    return item.method != DELETE, item.chat_id > 0

