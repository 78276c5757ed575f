"""What a use case may reach besides its unit of work: the opened stores, the policies, the bot's
identity and the ports. Frozen: built once by the composition root (bot/composition.py; the running
bot's by bot/runtime/runner.py once connected), never changed after."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from bot.domain.plan import DeadlinePolicy
from bot.domain.retention import RetentionPolicy
from bot.domain.routing import RoutingPolicy
from bot.services.kernel.ports import (
    ANSWERS_IN_OUTBOX,
    NO_SCHEDULER,
    ON_A_THREAD,
    Doorbell,
    FileChecksPort,
    GuardPort,
    PressAnswers,
    StepArming,
)
from bot.store.db import Database
from bot.store.keys import KeyStore

DEFAULT_FILE_LIMIT = 20_000_000


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    db: Database
    keys: KeyStore
    clock: Clock
    routing: RoutingPolicy
    deadline_policy: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    retention_policy: RetentionPolicy = field(default_factory=lambda: RetentionPolicy(closed_content_days=None))
    # The coordination group and the bot's own username (the running bot's: from getMe).
    group_chat_id: int | None = None
    bot_username: str = ""
    # None: no guard configured, and everything it would judge is blocked (fail closed).
    guard: GuardPort | None = None
    guard_file_limit: int = DEFAULT_FILE_LIMIT
    file_checks: FileChecksPort = ON_A_THREAD
    arming: StepArming = NO_SCHEDULER
    answers: PressAnswers = ANSWERS_IN_OUTBOX
    doorbell: Doorbell = field(default_factory=Doorbell)

    def poke_outbox(self) -> None:
        """Tell the sender that new rows were committed, so it need not wait for its next poll."""
        self.doorbell.ring()

    @property
    def language(self) -> str:
        return self.settings.language

    @property
    def zone(self) -> str:
        return self.settings.timezone
