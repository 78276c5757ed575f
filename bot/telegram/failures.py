"""Which handler failed on which update, for the lanes (bot/telegram/lanes.py) to decide on.

python-telegram-bot hands its error handler the update and the exception, not the handler that
raised: each handler of the table is wrapped (`named`) so the failure can say which it was —
'command /urgent', 'text', 'button', 'join request', 'gate' — without anything of the content.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

HANDLER: ContextVar[str] = ContextVar("handler", default="dispatch")
FAILURES_KEY = "failures"

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Failed:
    handler: str
    error: BaseException


def named(name: str, callback: Callback) -> Callback:
    """`callback`, telling a failure which handler it was (the error handler runs in the same task)."""
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        HANDLER.set(name)
        await callback(update, context)

    handler.__doc__ = callback.__doc__
    handler.__name__ = getattr(callback, "__name__", name)
    return handler


def note(application: Application, update_id: int, error: BaseException) -> None:  # type: ignore[type-arg]
    """Say that `update_id` failed in the handler running now; the lanes take it after the update."""
    _table(application)[update_id] = Failed(HANDLER.get(), error)


def take(application: Application, update_id: int) -> Failed | None:  # type: ignore[type-arg]
    return _table(application).pop(update_id, None)


def _table(application: Application) -> dict[int, Failed]:  # type: ignore[type-arg]
    table: dict[int, Failed] = application.bot_data.setdefault(FAILURES_KEY, {})
    return table


def database_full(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "full" in str(error)
