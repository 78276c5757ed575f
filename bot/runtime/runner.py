"""The running bot's parts, started and stopped in named steps.

The sender, the scheduler and the guard's workers are built here, and the bot's own context once it
is connected, so the rooms below never read settings or open key files."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import replace

from bot.runtime import periodic, preflight
from bot.runtime.arming import SchedulerArming
from bot.runtime.files import GuardWorkers
from bot.runtime.health import Health
from bot.runtime.leadership import Leadership
from bot.runtime.receiving import receive_updates
from bot.runtime.tasks import Background
from bot.scheduling.engine import DeadlineEngine
from bot.services.consultations.steps import step_handler
from bot.services.kernel.context import AppContext
from bot.services.reports.checkpointing import settled as checkpoints_settled
from bot.store.postgres import PgDatabase
from bot.telegram import polling
from bot.telegram.answers import DirectAnswers
from bot.telegram.app import build_application, publish_commands, wire
from bot.telegram.endpoint import Endpoint, Webhook
from bot.telegram.lanes import FileLimits, Lanes
from bot.telegram.ratelimit import Limits, RateLimiter
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
        self.application = build_application(endpoint.token, endpoint.api_url, endpoint.file_url)
        self.sender: OutboxSender | None = None
        self.arming = SchedulerArming()
        self.answers: DirectAnswers | None = None
        self.stop_event = asyncio.Event()
        self.background = Background()
        self.health = Health(self.background.alive, lambda: self.role, self._counters)
        self.workers = GuardWorkers()
        self.lanes = Lanes(self.application, FileLimits(in_flight=ctx.settings.ocr_workers or FileLimits.in_flight))
        # Several instances may share a PostgreSQL server: one leads. On SQLite one process per folder.
        self.leadership = Leadership(ctx.db, self.stop_event) if isinstance(ctx.db, PgDatabase) else None

    @property
    def role(self) -> str:
        return self.leadership.role if self.leadership is not None else "single"

    async def start(self) -> None:
        await preflight.refuse_what_cannot_run(self.ctx)
        if self.leadership is not None:
            await self.health.serve(self.ctx)  # a standby answers that it stands by
            if not await self.leadership.wait_to_lead():
                return
            self.background.spawn(self.leadership.keep(), "leader-lease")
        try:
            await self._connect()
            await self._resume()
            self._spawn_background()
            self.webhook = await receive_updates(self.application, self.webhook_config, self.lanes,
                                                 self.stop_event, self.background)
            await self.health.serve(self.ctx)
        except BaseException:
            await self._abandon_lead()  # a start refused (rights, guard) must not keep the lead from a standby
            raise
        # What exists now lives as long as the bot: out of the collector's sight, a full collection
        # walks only what came since (docs/performance.md).
        gc.freeze()
        log.info("bot @%s running; group %s", self.ctx.bot_username, self.ctx.group_chat_id)

    async def _connect(self) -> None:
        """getMe, the group's delete right, the command menu; then the bot's own context."""
        preflight.prepare_process(self.ctx.settings)
        await self.application.initialize()
        await preflight.require_group_rights(self.application, self.ctx.group_chat_id)
        await publish_commands(self.application)
        self.answers = DirectAnswers(self.application.bot)
        self.ctx = replace(self.ctx, bot_username=self.application.bot.username, arming=self.arming,
                           answers=self.answers, file_checks=self.workers.checks_for(self.ctx))
        wire(self.application, self.ctx)

    async def _resume(self) -> None:
        """The outbox's sender and the deadlines' scheduler, re-armed from the database; files that
        were being read at the last stop are handled as unjudged."""
        self.sender = OutboxSender(self.ctx, self.application.bot, RateLimiter(self.limits),
                                   max_in_flight=self.ctx.settings.send_concurrency)
        deadlines = DeadlineEngine(self.ctx.db, self.ctx.clock, step_handler(self.ctx))
        log.info("re-armed %d pending deadline steps", await self.arming.start(deadlines))
        resumed = await self.lanes.resume()
        if resumed:
            log.warning("%d file updates were being read when the bot last stopped; handled as unjudged", resumed)

    def _spawn_background(self) -> None:
        assert self.sender is not None
        self.background.spawn(self.sender.run(), "outbox-sender")
        self.background.spawn(periodic.retention_daily(self.ctx, self.stop_event), "retention")
        self.background.spawn(periodic.checkpoints(self.ctx, self.stop_event), "checkpoints")
        self.background.spawn(periodic.guard_digests(self.ctx, self.stop_event), "guard-digests")

    def _counters(self) -> dict[str, int]:
        return {} if self.sender is None else {"sent": self.sender.sent, "rate_limited": self.sender.rate_limited}

    async def _abandon_lead(self) -> None:
        await self.background.cancel()
        await self.health.stop()
        if self.leadership is not None:
            await self.leadership.close()
            self.leadership = None

    async def prewarm(self) -> None:
        """Start the guard's workers now, so the first file is not slowed by their start."""
        await self.workers.prewarm()

    async def stop(self) -> None:
        self.stop_event.set()
        gc.unfreeze()  # a process that starts another bot (the tests) gets its memory back
        if self.answers is not None:
            self.answers.stop()  # from now on, answers wait in the outbox for the next run
        if self.webhook is not None:
            await self.webhook.stop()
        else:  # what is being handled finishes its try before the sender and the guard's workers stop
            await self.lanes.drain(polling.DRAIN_SECONDS)
        await self.health.stop()
        await checkpoints_settled()  # a closing's checkpoint is published before the store closes
        await self.arming.shutdown()
        if self.sender is not None:
            await self.sender.stop()
        await self.workers.close()
        await self.background.cancel()
        await self.application.shutdown()
        if self.leadership is not None:  # last: the lead passes on only once this instance stopped sending
            await self.leadership.close()

    async def wait(self) -> None:
        await self.stop_event.wait()
