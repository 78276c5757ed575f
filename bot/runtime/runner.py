"""The running bot's parts, started and stopped in named steps.

The sender, the scheduler and the guard's workers are built here, and the bot's own context once it
is connected, so the rooms below never read settings or open key files."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable
from dataclasses import replace

from bot.errors import GroupRightsError, GuardError
from bot.i18n import LANGUAGES, catalog
from bot.runtime import periodic
from bot.runtime.files import GuardWorkers, keep_chart_cache_in
from bot.runtime.leadership import Leadership
from bot.scheduling.engine import DeadlineEngine
from bot.services.consultations.steps import step_handler
from bot.services.kernel.context import AppContext
from bot.services.kernel.screening import guard_status
from bot.services.reports.checkpointing import check_published
from bot.services.reports.checkpointing import settled as checkpoints_settled
from bot.store import published
from bot.store.postgres import PgDatabase
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


class BotRunner:
    """The running bot, so tests and the demo can start and stop it in-process.

    It is given the commands' context; once connected (its username from getMe) it builds its own,
    frozen like every context, with the running parts behind the ports: the scheduler arms steps,
    presses are answered directly, files go to the guard's workers. It keeps the given context's
    doorbell, so what a caller queues on it wakes this bot's sender."""

    def __init__(self, ctx: AppContext, endpoint: Endpoint, limits: Limits | None = None,
                 webhook: Webhook | None = None) -> None:
        self.ctx = ctx
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
        self.workers = GuardWorkers()
        self.lanes = Lanes(self.application, FileLimits(in_flight=ctx.settings.ocr_workers or FileLimits.in_flight))
        # Several instances may share a PostgreSQL server: one leads. On SQLite one process per folder.
        self.leadership = Leadership(ctx.db, self.stop_event) if isinstance(ctx.db, PgDatabase) else None

    @property
    def role(self) -> str:
        return self.leadership.role if self.leadership is not None else "single"

    async def start(self) -> None:
        await self._refuse_what_cannot_run()
        if self.leadership is not None:
            await self._serve_health()  # a standby answers that it stands by
            if not await self.leadership.wait_to_lead():
                return
            self._spawn(self.leadership.keep(), "leader-lease")
        try:
            await self._connect()
            await self._resume()
            self._spawn_background()
            await self._receive_updates()
            await self._serve_health()
        except BaseException:
            await self._abandon_lead()  # a start refused (rights, guard) must not keep the lead from a standby
            raise
        # What exists now lives as long as the bot: out of the collector's sight, a full collection
        # walks only what came since (docs/performance.md).
        gc.freeze()
        log.info("bot @%s running; group %s", self.ctx.bot_username, self.ctx.group_chat_id)

    async def _refuse_what_cannot_run(self) -> None:
        """Before anything is sent or appended: a log behind (or not the one of) the last checkpoint
        published beside the database, or a guard that cannot reach verdicts (running anyway would
        block every message unjudged), is refused with the way out in the error."""
        await check_published(self.ctx.db, published.path_beside(self.ctx.settings.db_path))
        guard = guard_status(self.ctx)
        if not guard.ok:
            raise GuardError(f"the guard cannot reach verdicts ({guard.detail}); `consult doctor` says what to fix")

    async def _connect(self) -> None:
        """getMe, the group's delete right, the command menu; then the bot's own context."""
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
        self.ctx = replace(self.ctx, bot_username=self.application.bot.username, arming=self,
                           answers=self.answers, file_checks=self.workers.checks_for(self.ctx))
        wire(self.application, self.ctx)

    async def _resume(self) -> None:
        """The outbox's sender and the deadlines' scheduler, re-armed from the database; files that
        were being read at the last stop are handled as unjudged."""
        self.sender = OutboxSender(self.ctx, self.application.bot, RateLimiter(self.limits),
                                   max_in_flight=self.ctx.settings.send_concurrency)
        self.deadlines = DeadlineEngine(self.ctx.db, self.ctx.clock, step_handler(self.ctx))
        log.info("re-armed %d pending deadline steps", await self.deadlines.start())
        resumed = await self.lanes.resume()
        if resumed:
            log.warning("%d file updates were being read when the bot last stopped; handled as unjudged", resumed)

    def _spawn_background(self) -> None:
        assert self.sender is not None
        self._spawn(self.sender.run(), "outbox-sender")
        self._spawn(periodic.retention_daily(self.ctx, self.stop_event), "retention")
        self._spawn(periodic.checkpoints(self.ctx, self.stop_event), "checkpoints")
        self._spawn(periodic.guard_digests(self.ctx, self.stop_event), "guard-digests")

    async def _receive_updates(self) -> None:
        if self.webhook_config is not None:
            self.webhook = WebhookServer(self.application, self.webhook_config.listen,
                                         self.webhook_config.public_url, self.lanes)
            await self.webhook.start()
            return
        # A webhook left by an earlier run would make every getUpdates fail with 409.
        await self.application.bot.delete_webhook(drop_pending_updates=False)
        self._spawn(poll(self.application, self.stop_event, self.lanes), "polling")

    def _spawn(self, work: Awaitable[None], name: str) -> None:
        self._tasks.append(asyncio.ensure_future(work))
        self._tasks[-1].set_name(name)

    async def _serve_health(self) -> None:
        """/healthz and /metrics from the start (a standby's too); once running, with its context."""
        if self.metrics is not None:
            self.metrics.ctx = self.ctx
            return
        if not self.ctx.settings.metrics_listen:
            return
        self.metrics = MetricsServer(self.ctx, self.ctx.settings.metrics_listen, self._counters,
                                     lambda: all(not task.done() for task in self._tasks), role=lambda: self.role)
        await self.metrics.start()

    def _counters(self) -> dict[str, int]:
        return {} if self.sender is None else {"sent": self.sender.sent, "rate_limited": self.sender.rate_limited}

    async def _abandon_lead(self) -> None:
        await self._cancel_tasks()
        if self.metrics is not None:
            await self.metrics.stop()
            self.metrics = None
        if self.leadership is not None:
            await self.leadership.close()
            self.leadership = None

    async def _cancel_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def prewarm(self) -> None:
        """Start the guard's workers now, so the first file is not slowed by their start."""
        await self.workers.prewarm()

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
        await self.workers.close()
        await self._cancel_tasks()
        await self.application.shutdown()
        if self.leadership is not None:  # last: the lead passes on only once this instance stopped sending
            await self.leadership.close()

    async def wait(self) -> None:
        await self.stop_event.wait()
