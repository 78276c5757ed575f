"""Running the bot: connect, publish commands, then poll and send until told to stop.

The running bot's half of the composition root (bot/composition.py builds the commands' context):
the sender, the scheduler and the guard's workers are built here, and the bot's own context once it
is connected, so the rooms below never read settings or open key files."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot.clock import real_seconds
from bot.config import Settings
from bot.errors import GroupRightsError, GuardError
from bot.files import make_private_dir
from bot.guard.engine import Guard
from bot.guard.ocr import ocr_status
from bot.guard.workers import GuardPool
from bot.i18n import LANGUAGES, catalog
from bot.scheduling.engine import DeadlineEngine
from bot.services import retention
from bot.services.checkpointing import checkpoint_quietly
from bot.services.context import AppContext
from bot.services.file_checks import FileChecks, SlowNote
from bot.services.officer import digest
from bot.services.ports import FileChecksPort
from bot.services.screening import guard_status
from bot.services.steps import step_handler
from bot.store.repos import updates
from bot.telegram import polling
from bot.telegram.app import build_application, publish_commands, wire
from bot.telegram.lanes import FileLimits, Lanes
from bot.telegram.metrics import MetricsServer
from bot.telegram.polling import poll
from bot.telegram.ratelimit import Limits, RateLimiter, seconds_of
from bot.telegram.sender import OutboxSender
from bot.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)
RETENTION_EVERY = 24 * 3600.0


@dataclass(frozen=True)
class Endpoint:
    """Where the Bot API is: Telegram, a local Bot API server, or the sandbox."""

    token: str
    api_url: str = "https://api.telegram.org/bot"
    file_url: str = "https://api.telegram.org/file/bot"

    @classmethod
    def for_api_url(cls, token: str, api_url: str) -> Endpoint:
        base = api_url.rstrip("/")
        root = base[: -len("/bot")] if base.endswith("/bot") else base
        return cls(token, base, root + "/file/bot")

    @property
    def root(self) -> str:
        return self.api_url[: -len("/bot")] if self.api_url.endswith("/bot") else self.api_url


TELEGRAM = Endpoint("")


async def is_sandbox(endpoint: Endpoint) -> bool:
    """Whether the Bot API server is a rapid-consult sandbox (it answers the control API)."""
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            response = await client.get(f"{endpoint.root}/sandbox/chats")
            return response.status_code == 200 and isinstance(response.json(), list)
    except (httpx.HTTPError, ValueError):
        return False


async def discover_sandbox_group(endpoint: Endpoint) -> int | None:
    """Against the sandbox, the coordination group defaults to its forum supergroup."""
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(f"{endpoint.root}/sandbox/chats")
            response.raise_for_status()
            chats = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    forums = [c for c in chats if c.get("type") == "supergroup" and c.get("is_forum")]
    return int(forums[0]["id"]) if forums else None


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


def keep_chart_cache_in(settings: Settings) -> None:
    """matplotlib (the /stats chart) writes a font cache where MPLCONFIGDIR says, by default under
    the home directory: keep it in the data directory, owner-only, with everything else the bot writes."""
    folder = settings.data_dir / "matplotlib"
    make_private_dir(folder)
    os.environ["MPLCONFIGDIR"] = str(folder)


@dataclass(frozen=True)
class Webhook:
    listen: str  # HOST:PORT the bot listens on, behind the TLS reverse proxy
    public_url: str  # what Telegram POSTs to


class DirectAnswers:
    """A press's answer as a direct call to the connected bot, right after the commit
    (bot/services/uow.py says why); once the bot stops, answers wait in the outbox again."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.live = True
        self._calls: set[asyncio.Task[None]] = set()

    def answer(self, params: Mapping[str, Any]) -> None:
        task = asyncio.create_task(self._send(dict(params)))
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)

    async def _send(self, params: dict[str, Any]) -> None:
        for attempt in range(3):
            try:
                await self.bot.do_api_request("answerCallbackQuery", api_kwargs=params)
                return
            except RetryAfter as exc:
                await asyncio.sleep(min(seconds_of(exc.retry_after), 5.0))
            except (TimedOut, NetworkError):
                await asyncio.sleep(0.2 * (attempt + 1))
            except TelegramError as exc:  # too old, already answered: nothing left to do
                log.info("callback answer refused: %s", exc.message)
                return


class PooledChecks:
    """Files judged in the guard's worker processes while they run; once they are closed (the bot
    stopped), on a thread again."""

    def __init__(self, checks: FileChecks) -> None:
        self.checks = checks
        self.open = True

    @property
    def pooled(self) -> bool:
        return self.open

    async def verdict(self, chat_id: int, file_name: str, content: bytes, mime_type: str | None,
                      on_slow: SlowNote | None = None) -> Any:
        return await self.checks.verdict(chat_id, file_name, content, mime_type, on_slow=on_slow)


class BotRunner:
    """The running bot's parts, so tests and the demo can start and stop it in-process.

    It is given the commands' context; once connected (its username from getMe, the sandbox's group
    found) it builds its own, frozen like every context, with the running parts behind the ports:
    the scheduler arms steps, presses are answered directly, files go to the guard's workers. It
    keeps the given context's doorbell, so what a caller queues on it wakes this bot's sender."""

    def __init__(self, ctx: AppContext, endpoint: Endpoint, limits: Limits | None = None,
                 webhook: Webhook | None = None) -> None:
        self.ctx = ctx
        self.endpoint = endpoint
        self.limits = limits
        self.webhook_config = webhook
        self.webhook: WebhookServer | None = None
        self.metrics: MetricsServer | None = None
        self.application = build_application(endpoint.token, endpoint.api_url, endpoint.file_url)
        self.sender: OutboxSender | None = None
        self.deadlines: DeadlineEngine | None = None
        self.answers: DirectAnswers | None = None
        self.stop_event = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._syncs: set[asyncio.Task[None]] = set()
        self.guard_pool: GuardPool | None = None
        self._pooled: PooledChecks | None = None
        self.lanes = Lanes(self.application, FileLimits(in_flight=ctx.settings.ocr_workers or FileLimits.in_flight))

    async def start(self) -> None:
        guard = guard_status(self.ctx)
        if not guard.ok:  # running anyway would block every message unjudged
            raise GuardError(f"the guard cannot reach verdicts ({guard.detail}); `consult doctor` says what to fix")
        for language in LANGUAGES:  # read the catalogues now, not in the middle of someone's command
            catalog(language)
        keep_chart_cache_in(self.ctx.settings)
        await self.application.initialize()
        group_chat_id = self.ctx.group_chat_id
        if group_chat_id is None:
            group_chat_id = await discover_sandbox_group(self.endpoint)
        if group_chat_id is None:
            log.warning("no coordination group configured (CONSULT_GROUP_CHAT_ID); /urgent will refuse")
        else:
            try:
                await require_delete_right(self.application.bot, group_chat_id)
            except GroupRightsError:
                await self.application.shutdown()
                raise
        await publish_commands(self.application)
        self.answers = DirectAnswers(self.application.bot)
        self.ctx = ctx = replace(self.ctx, bot_username=self.application.bot.username, group_chat_id=group_chat_id,
                                 arming=self, answers=self.answers, file_checks=self._file_checks())
        wire(self.application, ctx)
        self.sender = sender = OutboxSender(ctx, self.application.bot, RateLimiter(self.limits),
                                            max_in_flight=ctx.settings.send_concurrency)
        self.deadlines = DeadlineEngine(ctx.db, ctx.clock, step_handler(ctx))
        armed = await self.deadlines.start()
        log.info("re-armed %d pending deadline steps", armed)
        resumed = await self.lanes.resume()
        if resumed:
            log.warning("%d file updates were being read when the bot last stopped; handled as unjudged", resumed)
        self._tasks = [asyncio.create_task(sender.run(), name="outbox-sender"),
                       asyncio.create_task(self._retention_daily(), name="retention"),
                       asyncio.create_task(self._checkpoints(), name="checkpoints"),
                       asyncio.create_task(self._guard_digests(), name="guard-digests")]
        if self.webhook_config is not None:
            self.webhook = WebhookServer(self.application, self.webhook_config.listen,
                                         self.webhook_config.public_url, self.lanes)
            await self.webhook.start()
        else:
            # A webhook left by an earlier run would make every getUpdates fail with 409.
            await self.application.bot.delete_webhook(drop_pending_updates=False)
            self._tasks.append(asyncio.create_task(poll(self.application, self.stop_event, self.lanes), name="polling"))
        if ctx.settings.metrics_listen:
            self.metrics = MetricsServer(
                ctx, ctx.settings.metrics_listen,
                lambda: {"sent": sender.sent, "rate_limited": sender.rate_limited},
                lambda: all(not task.done() for task in self._tasks))
            await self.metrics.start()
        # What exists now lives as long as the bot: out of the collector's sight, a full collection
        # walks only what came since (one in the middle of a 300-person opening cost ~0.2 s).
        gc.freeze()
        log.info("bot @%s running; group %s", ctx.bot_username, ctx.group_chat_id)

    def _file_checks(self) -> FileChecksPort:
        """Files are judged in the guard's worker processes (started with the first file)."""
        guard = self.ctx.guard
        if not isinstance(guard, Guard) or self.ctx.file_checks.pooled:
            return self.ctx.file_checks
        self.guard_pool = GuardPool(guard.policy, guard.term_key, self.ctx.settings.ocr_workers or None)
        self._pooled = PooledChecks(FileChecks(self.guard_pool, in_chat_order=False))  # the lanes order files
        status = ocr_status()
        if guard.policy.images == "block":
            log.warning("the guard policy says images: block; every image and file holding one is refused")
        elif not status.available:
            log.warning("images cannot be read (%s): every image is blocked", status.detail)
        return self._pooled

    async def prewarm(self) -> None:
        """Start the guard's workers now, so the first file is not slowed by their start."""
        if self.guard_pool is not None:
            await self.guard_pool.prewarm()

    async def _retention_daily(self) -> None:
        """Retention once at start and then once a day (a day of the bot's clock, for drills); so
        are the claims on update ids older than Telegram's redelivery window forgotten."""
        while not self.stop_event.is_set():
            try:
                await retention.apply(self.ctx, self.ctx.retention_policy)
            except Exception:
                log.exception("retention run failed; will try again in a day")
            try:
                async with self.ctx.db.transaction() as tx:
                    pruned = await updates.prune(tx, self.ctx.clock.now(), updates.window_on(self.ctx.clock.speed))
                log.info("forgot %d update ids older than the redelivery window", pruned)
            except sqlite3.Error:
                log.exception("pruning update ids failed; will try again in a day")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), real_seconds(self.ctx.clock, RETENTION_EVERY))

    async def _checkpoints(self) -> None:
        """A signed checkpoint of the event log every CONSULT_CHECKPOINT_MINUTES, when it grew."""
        every = real_seconds(self.ctx.clock, self.ctx.settings.checkpoint_minutes * 60)
        while not self.stop_event.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), every)
            if self.stop_event.is_set():
                return
            try:
                await checkpoint_quietly(self.ctx.db, self.ctx.keys, self.ctx.clock)
            except Exception:
                log.exception("checkpoint failed; will try again")

    async def _guard_digests(self) -> None:
        """The officers' daily digest (#29): what is due is read from the database (the last day
        each officer was sent one), sent, and the next one awaited."""
        while not self.stop_event.is_set():
            try:
                await digest.send_due(self.ctx)
            except Exception:
                log.exception("the officers' digest failed; will try again")
            now = self.ctx.clock.now()
            wait = (digest.next_due(now, self.ctx.zone, self.ctx.settings.guard_digest_time) - now).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), real_seconds(self.ctx.clock, max(wait, 1.0)))

    def arm(self, consultation_id: int) -> None:
        """The arming port (bot/services/ports.py): the scheduler takes the committed steps."""
        assert self.deadlines is not None, "armed before the scheduler started"
        task = asyncio.create_task(self.deadlines.sync(consultation_id))
        self._syncs.add(task)
        task.add_done_callback(self._syncs.discard)

    async def stop(self) -> None:
        self.stop_event.set()
        gc.unfreeze()  # a process that starts another bot (the tests) gets its memory back
        if self.answers is not None:
            self.answers.live = False  # from now on, answers wait in the outbox for the next run
        if self.webhook is not None:
            await self.webhook.stop()
        else:  # what is being handled finishes its try before the sender and the guard's workers stop
            await self.lanes.drain(polling.DRAIN_SECONDS)
        if self.metrics is not None:
            await self.metrics.stop()
        if self.deadlines is not None:
            await self.deadlines.shutdown()
        if self.sender is not None:
            await self.sender.stop()
        if self.guard_pool is not None:
            if self._pooled is not None:
                self._pooled.open = False
            await self.guard_pool.close()
            self.guard_pool = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.application.shutdown()

    async def wait(self) -> None:
        await self.stop_event.wait()
