"""/healthz and /metrics, served from the start so a standby answers that it stands by."""

from __future__ import annotations

from collections.abc import Callable

from bot.services.kernel.context import AppContext
from bot.telegram.metrics import MetricsServer


class Health:
    def __init__(self, alive: Callable[[], bool], role: Callable[[], str],
                 counters: Callable[[], dict[str, int]]) -> None:
        self._alive = alive
        self._role = role
        self._counters = counters
        self.server: MetricsServer | None = None

    async def serve(self, ctx: AppContext) -> None:
        """Start serving if an address is configured; once running, serve with the bot's context."""
        if self.server is not None:
            self.server.ctx = ctx
            return
        if not ctx.settings.metrics_listen:
            return
        self.server = MetricsServer(ctx, ctx.settings.metrics_listen, self._counters, self._alive, role=self._role)
        await self.server.start()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None
