"""The use cases' context, as python-telegram-bot's Application carries it.

python-telegram-bot gives handlers only the Application's `bot_data`, a plain dict: one key, set in
one place when the handler table is wired and read through `context_of`, so no module reads it by
a string of its own."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.services.kernel.context import AppContext

_KEY = "ctx"


def attach(application: Application[Any, Any, Any, Any, Any, Any], ctx: AppContext) -> None:
    application.bot_data[_KEY] = ctx


def context_of(application: Application[Any, Any, Any, Any, Any, Any]) -> AppContext:
    ctx: AppContext = application.bot_data[_KEY]
    return ctx
