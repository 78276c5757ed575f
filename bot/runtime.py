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
import socket
import sqlite3
from dataclasses import replace

from bot.clock import real_seconds
from bot.config import Settings
from bot.errors import GroupRightsError, GuardError
from bot.files import make_private_dir
from bot.guard.engine import Guard
from bot.guard.ocr import ocr_status
from bot.guard.verdict import Verdict
from bot.guard.workers import GuardPool
from bot.i18n import LANGUAGES, catalog
from bot.scheduling.engine import DeadlineEngine
from bot.services import retention
from bot.services.consultations.steps import step_handler
from bot.services.kernel.context import AppContext
from bot.services.kernel.file_checks import FileChecks, SlowNote
from bot.services.kernel.ports import ON_A_THREAD, FileChecksPort, GuardPort, OnAThread
from bot.services.kernel.screening import guard_status
from bot.services.officer import digest
from bot.services.reports.checkpointing import Publishing, check_published, checkpoint_quietly
from bot.services.reports.checkpointing import settled as checkpoints_settled
from bot.store import published
from bot.store.postgres import LeaderLease, PgDatabase
from bot.store.repos import updates
from bot.telegram import polling
from bot.telegram.answers import DirectAnswers
from bot.telegram.app import build_application, publish_commands, wire
from bot.telegram.endpoint import Endpoint, Webhook
from bot.telegram.lanes import FileLimits, Lanes
from bot.telegram.metrics import MetricsServer
from bot.telegram.polling import poll
from bot.telegram.ratelimit import Limits, RateLimiter
from bot.telegram.rights import require_delete_right
from bot.telegram.sender import OutboxSender
from bot.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)
RETENTION_EVERY = 24 * 3600.0


def keep_chart_cache_in(settings: Settings) -> None:
    """matplotlib (the /stats chart) writes a font cache where MPLCONFIGDIR says, by default under
    the home directory: keep it in the data directory, owner-only, with everything else the bot writes."""
    folder = settings.data_dir / "matplotlib"
    make_private_dir(folder)
    os.environ["MPLCONFIGDIR"] = str(folder)


class PooledChecks:
    """Files judged in the guard's worker processes while they run; once they are closed (the bot
    stopped), on a thread again."""

    def __init__(self, checks: FileChecks) -> None:
        self.checks = checks
        self.open = True

    async def verdict(self, guard: GuardPort, chat_id: int, file_name: str, content: bytes, mime_type: str | None,
                      on_slow: SlowNote | None = None) -> Verdict:
        if not self.open:
            return await ON_A_THREAD.verdict(guard, chat_id, file_name, content, mime_type, on_slow)
        verdict: Verdict = await self.checks.verdict(guard, chat_id, file_name, content, mime_type, on_slow=on_slow)
        return verdict


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
        # "single" on SQLite (one process per data folder); on PostgreSQL "standby", then "leader",
        # or "lost" once the lease went (the instance then stops).
        self.role = "standby" if isinstance(ctx.db, PgDatabase) else "single"
        self.lease: LeaderLease | None = None

    async def start(self) -> None:
        # A log behind (or not the one of) the last checkpoint published beside the database: refuse
        # before anything is sent or appended, with the way out in the error.
        await check_published(self.ctx.db, published.path_beside(self.ctx.settings.db_path))
        guard = guard_status(self.ctx)
        if not guard.ok:  # running anyway would block every message unjudged
            raise GuardError(f"the guard cannot reach verdicts ({guard.detail}); `consult doctor` says what to fix")
        if isinstance(self.ctx.db, PgDatabase):  # several instances may share the server: one leads
            await self._lead(self.ctx.db)
            if self.stop_event.is_set():
                return
        try:
            await self._start_parts()
        except BaseException:
            await self._abandon_lead()  # a start refused (rights, guard) must not keep the lead from a standby
            raise

    async def _abandon_lead(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self.metrics is not None:
            await self.metrics.stop()
            self.metrics = None
        if self.lease is not None:
            await self.lease.close()
            self.lease = None

    async def _start_parts(self) -> None:
        for language in LANGUAGES:  # read the catalogues now, not in the middle of someone's command
            catalog(language)
        keep_chart_cache_in(self.ctx.settings)
        await self.application.initialize()
        group_chat_id = self.ctx.group_chat_id
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
        if self.metrics is not None:
            self.metrics.ctx = ctx  # the standby's health server goes on, with the running bot's context
        else:
            await self._serve_health()
        # What exists now lives as long as the bot: out of the collector's sight, a full collection
        # walks only what came since (one in the middle of a large opening showed in its timing;
        # docs/performance.md).
        gc.freeze()
        log.info("bot @%s running; group %s", ctx.bot_username, ctx.group_chat_id)

    async def _lead(self, db: PgDatabase) -> None:
        """Wait as a standby until this instance holds the leader lease; then keep watching it.

        A standby polls Telegram for nothing and sends nothing (one getUpdates consumer, no 409s):
        it only tries the lease every second, so it takes over within a second of the server
        releasing it (at once for a killed leader, within seconds for one cut off)."""
        self.lease = lease = LeaderLease(db, f"{socket.gethostname()}:{os.getpid()}")
        await self._serve_health()
        told = False
        while not self.stop_event.is_set():
            if await lease.try_lead() is not None:
                break
            if not told:
                log.info("standby: another instance holds the leader lease; waiting to take over")
                told = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), LeaderLease.CHECK_SECONDS)
        if self.stop_event.is_set():
            await lease.close()
            return
        self.role = "leader"
        self._tasks.append(asyncio.create_task(self._keep_lead(lease), name="leader-lease"))

    async def _keep_lead(self, lease: LeaderLease) -> None:
        while not self.stop_event.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), LeaderLease.CHECK_SECONDS)
            if self.stop_event.is_set():
                return
            if not await lease.still_held():
                lease.give_up()  # from this instant no write of ours passes the database's fence
                self.role = "lost"
                log.error("the leader lease is lost (the database stopped answering on its connection); "
                          "stopping so that a standby takes over: restart this instance to stand by again")
                self.stop_event.set()
                return

    async def _serve_health(self) -> None:
        """/healthz and /metrics from the start, so a standby answers that it stands by."""
        if self.ctx.settings.metrics_listen and self.metrics is None:
            self.metrics = MetricsServer(
                self.ctx, self.ctx.settings.metrics_listen,
                lambda: {} if self.sender is None else {"sent": self.sender.sent,
                                                         "rate_limited": self.sender.rate_limited},
                lambda: all(not task.done() for task in self._tasks), role=lambda: self.role)
            await self.metrics.start()

    def _file_checks(self) -> FileChecksPort:
        """Files are judged in the guard's worker processes (started with the first file)."""
        guard = self.ctx.guard
        if not isinstance(guard, Guard) or not isinstance(self.ctx.file_checks, OnAThread):
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
                await checkpoint_quietly(self.ctx.db, self.ctx.keys, self.ctx.clock, Publishing.for_context(self.ctx))
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
        """The arming port (bot/services/kernel/ports.py): the scheduler takes the committed steps."""
        assert self.deadlines is not None, "armed before the scheduler started"
        task = asyncio.create_task(self.deadlines.sync(consultation_id))
        self._syncs.add(task)
        task.add_done_callback(self._syncs.discard)

    async def stop(self) -> None:
        self.stop_event.set()
        gc.unfreeze()  # a process that starts another bot (the tests) gets its memory back
        if self.answers is not None:
            self.answers.stop()  # from now on, answers wait in the outbox for the next run
        if self.webhook is not None:
            await self.webhook.stop()
        else:  # what is being handled finishes its try before the sender and the guard's workers stop
            await self.lanes.drain(polling.DRAIN_SECONDS)
        if self.metrics is not None:
            await self.metrics.stop()
        await checkpoints_settled()  # a closing's checkpoint is published before the store closes
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
        if self.lease is not None:  # last: the lead passes on only once this instance stopped sending
            await self.lease.close()

    async def wait(self) -> None:
        await self.stop_event.wait()
