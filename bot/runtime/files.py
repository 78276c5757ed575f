"""Where the running bot judges files: in the guard's worker processes while they run, on a thread
once they are closed; and where the chart library keeps its cache."""

from __future__ import annotations

import logging
import os

from bot.config import Settings
from bot.files import make_private_dir
from bot.guard.engine import Guard
from bot.guard.ocr import ocr_status
from bot.guard.verdict import Verdict
from bot.guard.workers import GuardPool
from bot.services.kernel.context import AppContext
from bot.services.kernel.file_checks import FileChecks, SlowNote
from bot.services.kernel.ports import ON_A_THREAD, FileChecksPort, GuardPort, OnAThread

log = logging.getLogger(__name__)


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


class GuardWorkers:
    """The guard's worker processes (started with the first file) and the file checks that use
    them; a context whose guard is a stand-in keeps its own checks."""

    def __init__(self) -> None:
        self.pool: GuardPool | None = None
        self._pooled: PooledChecks | None = None

    def checks_for(self, ctx: AppContext) -> FileChecksPort:
        guard = ctx.guard
        if not isinstance(guard, Guard) or not isinstance(ctx.file_checks, OnAThread):
            return ctx.file_checks
        self.pool = GuardPool(guard.policy, guard.term_key, ctx.settings.ocr_workers or None)
        self._pooled = PooledChecks(FileChecks(self.pool, in_chat_order=False))  # the lanes order files
        status = ocr_status()
        if guard.policy.images == "block":
            log.warning("the guard policy says images: block; every image and file holding one is refused")
        elif not status.available:
            log.warning("images cannot be read (%s): every image is blocked", status.detail)
        return self._pooled

    async def prewarm(self) -> None:
        if self.pool is not None:
            await self.pool.prewarm()

    async def close(self) -> None:
        """Files still arriving are judged on a thread from now on."""
        if self._pooled is not None:
            self._pooled.open = False
        if self.pool is not None:
            await self.pool.close()
            self.pool = None
