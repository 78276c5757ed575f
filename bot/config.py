"""Settings, read once from `CONSULT_*` environment variables and an optional `.env`.

The data directory holds the database and the key files, so it is created owner-only: anything
else on the machine that can read it can read the consultations.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from bot.files import make_private_dir

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = PACKAGE_DIR.parent


def shipped_dir(name: str) -> Path:
    """Where the shipped `policies/` or `migrations/` live: the checkout, else the wheel's copy."""
    in_checkout = _REPO_DIR / name
    if in_checkout.is_dir():
        return in_checkout
    return PACKAGE_DIR / "_shipped" / name


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rapid-consult"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CONSULT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    telegram_token: SecretStr | None = None
    api_url: str = "https://api.telegram.org/bot"
    group_chat_id: int | None = None
    policy_dir: Path = Field(default_factory=lambda: shipped_dir("policies"))
    language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    # The officer's desk (#29): how long a one-time release waits for its re-send, and when the
    # daily digest goes to each officer (local time, in `timezone`).
    guard_release_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    guard_digest_time: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    enrollment_ttl_hours: int = Field(default=72, gt=0, le=24 * 30)
    bot_username: str = "rapid_consult_bot"
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Sends in flight at once. A kill can repeat at most this many messages (each once): those
    # Telegram accepted in the instant before the kill, not yet recorded as sent. 4 is enough to
    # reach Telegram's 30 messages a second at ~100 ms round trips; 1 bounds repeats to one.
    send_concurrency: int = Field(default=4, ge=1, le=32)
    # Drills only: run the bot's clock this many times faster than real time. 1 in production.
    clock_speed: float = Field(default=1.0, gt=0, le=3600)
    # HOST:PORT for /healthz and Prometheus /metrics; off unless set. Keep it on a local address.
    metrics_listen: str | None = None
    # How often (in the bot's clock) the running bot signs a checkpoint of the event log, if it grew.
    checkpoint_minutes: float = Field(default=10.0, gt=0, le=24 * 60)
    # The origin line of the checkpoints (C2SP signed notes); default rapid-consult/<deployment id>.
    checkpoint_origin: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\s]+$")
    # The chat the bot posts every checkpoint to (the auditors'); none: not posted.
    auditors_chat_id: int | None = None
    # An RFC 3161 time-stamping authority for every checkpoint; none: no time-stamps.
    tsa_url: str | None = None
    # Processes that read files and images (OCR) for the guard; 0 = one per core, at most 4.
    ocr_workers: int = Field(default=0, ge=0, le=32)
    # Consultation content the bot sends (invitations, relayed comments, reports, transcripts) goes
    # with Telegram's protect_content: it cannot be forwarded out of the chat or saved. Turn off
    # only where a deployment's procedures need forwarding.
    protect_content: bool = True
    # The store on a PostgreSQL server instead of the SQLite file in the data folder (keys stay in
    # the data folder): postgresql://user@host:port/database. Unset: SQLite, as always.
    database_url: SecretStr | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL (leave it unset for SQLite)")
        return value

    @property
    def database_url_text(self) -> str | None:
        return None if self.database_url is None else self.database_url.get_secret_value()

    @property
    def db_path(self) -> Path:
        return self.data_dir / "consult.db"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def ensure_data_dir(self) -> Path:
        """Create the data and key directories owner-only; one found loose is tightened, and the
        log says so with its path (key files themselves are refused, not fixed: bot/store/keys.py)."""
        for directory in (self.data_dir, self.keys_dir):
            make_private_dir(directory)
        return self.data_dir


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's error into one that names each bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "settings"
            problems.append(f"CONSULT_{field.upper()}: {error['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from exc
