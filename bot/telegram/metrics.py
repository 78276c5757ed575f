"""`/healthz` and Prometheus `/metrics` on a local port (CONSULT_METRICS_LISTEN; off by default).

Figures are read from the database at scrape time, so they are right after a restart and need no
bookkeeping in the hot path. Nothing here carries content: counts, ages and levels only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.clock import from_iso
from bot.services.kernel import health, setaside
from bot.services.kernel.context import AppContext
from bot.services.kernel.screening import FAIL_CLOSED_RULES, guard_status
from bot.telegram.webhook import parse_listen

log = logging.getLogger(__name__)


async def collect(ctx: AppContext, sender_stats: Callable[[], dict[str, int]]) -> bytes:
    registry = CollectorRegistry()
    now = ctx.clock.now()
    counts = await health.figures(ctx)
    consultations = Gauge("consult_consultations", "Consultations by state", ["state"], registry=registry)
    for state in ("open", "closed", "cancelled"):
        consultations.labels(state).set(0)
    for state, count in counts.consultations_by_state.items():
        consultations.labels(state).set(count)
    Gauge("consult_outbox_depth", "Bot API calls queued, not yet sent", registry=registry).set(counts.outbox_pending)
    age = (now - from_iso(counts.outbox_oldest)).total_seconds() if counts.outbox_oldest else 0.0
    Gauge("consult_outbox_oldest_age_seconds", "Age of the oldest queued call", registry=registry).set(max(0.0, age))
    Gauge("consult_outbox_failed", "Calls Telegram refused for good (kept, not retried)",
          registry=registry).set(counts.outbox_failed)
    stats = sender_stats()
    Gauge("consult_send_retries_rate_limited", "429 answers met since start", registry=registry).set(
        stats.get("rate_limited", 0))
    Gauge("consult_sent_since_start", "Calls sent since start", registry=registry).set(stats.get("sent", 0))
    guard = Gauge("consult_guard_blocks", "Messages blocked by the guard, by level", ["level"], registry=registry)
    for level, count in counts.blocks_by_level.items():
        guard.labels(level).set(count)
    status = guard_status(ctx)
    Gauge("consult_guard_up", "1 if the guard can reach a verdict now (its key usable, its canary blocked)",
          registry=registry).set(1 if status.ok else 0)
    failing = Gauge("consult_guard_fail_closed_blocks",
                    "Messages blocked because no verdict could be reached, by rule", ["rule"], registry=registry)
    for rule in FAIL_CLOSED_RULES:
        failing.labels(rule).set(0)
    for rule, count in counts.blocks_without_level_by_rule.items():
        if rule in FAIL_CLOSED_RULES:
            failing.labels(rule).set(count)
    Gauge("consult_deadline_steps_pending", "Reminders and escalations armed", registry=registry).set(
        counts.steps_pending)
    Gauge("consult_updates_failed", "Updates set aside (a handler kept failing, or unparseable): "
          "`consult updates failed`", registry=registry).set(await setaside.failed_count(ctx))
    return generate_latest(registry)


class MetricsServer:
    def __init__(self, ctx: AppContext, listen: str, sender_stats: Callable[[], dict[str, int]],
                 healthy: Callable[[], bool], role: Callable[[], str] = lambda: "single") -> None:
        self.ctx = ctx
        self.role = role
        self.host, self.port = parse_listen(listen)
        self.sender_stats = sender_stats
        self.healthy = healthy
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("metrics and health on http://%s:%s/", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        try:
            await health.check_database(self.ctx)
        except Exception:
            return web.Response(status=503, text="database unavailable\n")
        role = self.role()
        if role == "standby":  # healthy, and ready to take over: nothing else of it runs yet
            return web.Response(text="ok\nstandby: another instance leads\n")
        if role == "lost":
            return web.Response(status=503, text="leader lease lost: stopping\n")
        if not self.healthy():
            return web.Response(status=503, text="a worker stopped\n")
        status = guard_status(self.ctx)
        if not status.ok:  # content is being blocked unjudged: operators must notice
            return web.Response(status=503, text=f"guard failing: {status.detail}\n")
        failed = await setaside.failed_count(self.ctx)
        # Set-aside updates do not stop the service (200), but the operator must see them.
        lead = "leader\n" if role == "leader" else ""
        return web.Response(text=f"ok\n{lead}" if not failed else
                            f"ok\n{lead}failed updates: {failed} set aside (`consult updates failed` lists them)\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        body = await collect(self.ctx, self.sender_stats)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
