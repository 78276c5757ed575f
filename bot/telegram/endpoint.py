"""Where the Bot API is, and how the bot is reached: the two facts a start needs before anything
connects (`consult run` reads them from its options and settings)."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Webhook:
    listen: str  # HOST:PORT the bot listens on, behind the TLS reverse proxy
    public_url: str  # what Telegram POSTs to
