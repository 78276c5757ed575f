"""Wiring: the python-telegram-bot Application and its handlers, read as a table of commands."""

from __future__ import annotations

import logging
import sqlite3

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatJoinRequestHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.domain import callbacks
from bot.i18n import LANGUAGES, t
from bot.services.kernel.context import AppContext
from bot.telegram import failures, handlers
from bot.telegram.attached import attach, context_of
from bot.telegram.failures import named
from bot.telegram.gate import GatedContext

log = logging.getLogger(__name__)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unexpected failure: loud in the log (no content), and noted for the lanes, which retry the
    update or set it aside (bot/telegram/lanes.py)."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, sqlite3.OperationalError) and "full" in str(context.error):
        log.error("the database is full (disk space, or its size limit): update %s is held and retried, "
                  "nothing is lost; free space on %s", update_id,
                  context_of(context.application).settings.data_dir, extra={"update_id": update_id})
    else:
        # SQLite's messages name tables and constraints, never values; other errors only by type.
        detail = str(context.error) if isinstance(context.error, sqlite3.Error) else ""
        log.error("update %s failed: %s %s", update_id, type(context.error).__name__, detail,
                  exc_info=context.error)
    if update_id is not None and context.error is not None:
        failures.note(context.application, update_id, context.error)
    if failures.HANDLER.get() == "gate":
        # python-telegram-bot goes on to the next handler group after an error: what the gate
        # failed on must reach no handler of the table (a command would run unjudged).
        raise ApplicationHandlerStop


def build_application(token: str, api_url: str, file_url: str) -> Application:  # type: ignore[type-arg]
    """The application, not yet wired: it connects (getMe) before the context exists (bot/runtime/runner.py)."""
    request = HTTPXRequest(connection_pool_size=32, connect_timeout=10, read_timeout=20, write_timeout=20)
    application = (
        Application.builder()
        .context_types(ContextTypes(context=GatedContext))
        .token(token)
        .base_url(api_url)
        .base_file_url(file_url)
        .request(request)
        .get_updates_request(HTTPXRequest(read_timeout=40))
        .updater(None)
        .build()
    )
    return application


def wire(application: Application, ctx: AppContext) -> None:  # type: ignore[type-arg]
    """The handler table, with the use cases' context the handlers hand to them."""
    attach(application, ctx)
    private_or_group = filters.ChatType.PRIVATE | filters.ChatType.SUPERGROUP
    # The gate, first and for every message and edit in any chat: nothing is routed, nobody is
    # identified and no command is parsed before the guard has judged it (see bot.telegram.gate).
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGES, named("gate", handlers.screen)), group=-1)
    application.add_handlers([
        CommandHandler("start", named("command /start", handlers.start), filters.ChatType.PRIVATE),
        *(CommandHandler(name, named(f"command /{name}", callback)) for name, callback in handlers.commands()),
        # Last of the commands: any other /command (judged by the gate like everything) gets the help.
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND & private_or_group,
                       named("unknown command", handlers.unknown_command)),
        ChatJoinRequestHandler(named("join request", handlers.join_request)),
        CallbackQueryHandler(named("form button", handlers.form_button), pattern=callbacks.FORM.route),
        CallbackQueryHandler(named("case button", handlers.case_button), pattern=callbacks.CASE.route),
        CallbackQueryHandler(named("coordinator button", handlers.coordinator_button), pattern=callbacks.ACTION.route),
        CallbackQueryHandler(named("more time button", handlers.more_time_button), pattern=callbacks.MORE_TIME.route),
        CallbackQueryHandler(named("override button", handlers.override_button), pattern=callbacks.OVERRIDE.route),
        CallbackQueryHandler(named("button", handlers.button)),
        MessageHandler(
            filters.UpdateType.MESSAGES & (filters.TEXT | filters.CAPTION | filters.Document.ALL | filters.PHOTO)
            & ~filters.COMMAND & private_or_group,
            named("text", handlers.text),
        ),
    ])
    application.add_error_handler(_on_error)


async def publish_commands(application: Application) -> None:  # type: ignore[type-arg]
    for language in LANGUAGES:  # Vietnamese is the menu of every client; English that of English clients
        await application.bot.set_my_commands(
            [BotCommand(name, t(language, f"menu.{name}")) for name, _ in handlers.commands()],
            language_code=None if language == "vi" else language,
        )
