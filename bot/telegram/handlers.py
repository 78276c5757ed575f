"""Telegram handlers: parse the update, call one use case, nothing else."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.domain.commands import addressed_command, command_arguments
from bot.errors import ConsultError
from bot.services import absence, answering, answering_away, comments, enrollment, followups
from bot.services.consultations import coordinator_actions, managing, notices, urgent_form
from bot.services.dispatch import Origin, as_person, perform
from bot.services.kernel import incoming
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork
from bot.services.officer import desk, digest
from bot.services.people import membership
from bot.services.reports import exporting, reporting, statistics
from bot.telegram import gate, progress
from bot.telegram.attached import context_of


def _ctx(context: ContextTypes.DEFAULT_TYPE) -> AppContext:
    return context_of(context.application)


def _origin(update: Update, command: str) -> Origin:
    message = update.effective_message
    user = update.effective_user
    assert user is not None
    chat_id = message.chat_id if message else user.id
    thread = message.message_thread_id if message is not None and message.is_topic_message else None
    return Origin(update.update_id, user.id, chat_id, thread, user.language_code, command)


def _arguments(message: Message | None) -> str:
    return command_arguments((message.text or "") if message else "")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Enrollment through a deep link, or a greeting with what this person may do."""
    origin = _origin(update, "/start")
    language = origin.language_code or _ctx(context).language
    payload = _arguments(update.effective_message)
    await perform(_ctx(context), origin, lambda uow: enrollment.start(uow, origin.user_id, payload, language))


async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What this person may do, by their roles."""
    origin = _origin(update, "/help")
    language = origin.language_code or _ctx(context).language
    await perform(_ctx(context), origin, lambda uow: enrollment.help_(uow, origin.user_id, origin.chat_id, language))


async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Who the bot takes this account to be."""
    origin = _origin(update, "/whoami")
    await perform(_ctx(context), origin, lambda uow: enrollment.whoami(uow, origin.user_id, origin.chat_id))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have: say so, with the short help, rather than stay silent."""
    message = update.effective_message
    command, addressee = addressed_command((message.text or "") if message is not None else "")
    ctx = _ctx(context)
    if addressee and addressee.lower() != ctx.bot_username.lower():
        return  # meant for another bot in the group
    origin = _origin(update, "unknown command")
    language = origin.language_code or ctx.language
    known = [name for name, _ in commands()]
    await perform(ctx, origin, lambda uow: enrollment.unknown_command(uow, origin.user_id, origin.chat_id, command,
                                                                      language, known))


async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch this person's language."""
    origin = _origin(update, "/lang")
    arguments = _arguments(update.effective_message)
    await perform(_ctx(context), origin,
                  lambda uow: enrollment.set_language(uow, origin.user_id, origin.chat_id, arguments))


async def urgent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open an urgent consultation."""
    origin = _origin(update, "/urgent")
    arguments = _arguments(update.effective_message)
    await perform(_ctx(context), origin, as_person(
        origin, lambda uow, person: urgent_form.command(uow, person, arguments, origin.chat_id)))


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def _coordinator_command(command: str, use_case: managing.PersonCommand) -> Handler:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        origin = _origin(update, command)
        arguments = _arguments(update.effective_message)
        await perform(_ctx(context), origin, as_person(
            origin, lambda uow, person: use_case(uow, person, arguments, origin.chat_id)))

    handler.__doc__ = f"{command}: see managing.{use_case.__name__}."
    return handler


status = _coordinator_command("/status", managing.status)
extend = _coordinator_command("/extend", managing.extend)
remind = _coordinator_command("/remind", managing.remind)
close = _coordinator_command("/close", managing.close)
cancel = _coordinator_command("/cancel", managing.cancel)
notify = _coordinator_command("/notify", notices.notify)
away = _coordinator_command("/away", absence.command)


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The draft report to the Prime Minister on a consultation, as a DOCX in private chat."""
    origin = _origin(update, "/report")
    await reporting.report_for_coordinator(_ctx(context), origin, _arguments(update.effective_message))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How each agency answered over a period: a table and a chart, in private chat."""
    origin = _origin(update, "/stats")
    await statistics.stats_for(_ctx(context), origin, _arguments(update.effective_message))


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The signed transcript bundle of a consultation, for auditors, as a zip in private chat."""
    origin = _origin(update, "/export")
    ctx = _ctx(context)
    with tempfile.TemporaryDirectory(prefix="rapid-consult-export-") as work_dir:
        await exporting.export_for_auditor(ctx, origin, _arguments(update.effective_message), Path(work_dir))


def _press_handler(name: str, use_case: Callable[[UnitOfWork, answering.Press], Awaitable[None]]) -> Handler:
    """A button press handed to its use case: the press as the use case reads it (who, the data,
    the message it is on), and a refusal that still stops the presser's spinner."""
    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        pressed_on = query.message
        press = answering.Press(query.id, query.from_user.id, query.data,
                                chat_id=pressed_on.chat.id if pressed_on is not None else None,
                                message_id=pressed_on.message_id if pressed_on is not None else None)

        async def refuse(uow: UnitOfWork, error: ConsultError, language: str) -> None:
            await answering.refuse_press(uow, press, error, language)

        await perform(_ctx(context), _origin(update, name), lambda uow: use_case(uow, press), on_error=refuse)
    return handle


# A position chosen with the invitation's buttons.
button = _press_handler("button", answering.answer)
# «Thay câu trả lời của …» or «Giữ nguyên»: an away invitee's press over his alternate's answer.
override_button = _press_handler(
    "override button", lambda uow, press: answering_away.confirm(uow, press, answering.confirmed(press)))
# «Nhắc», «Gia hạn 30 phút» or «Kết thúc» on the card or under a notice to the coordinator.
coordinator_button = _press_handler("coordinator button", coordinator_actions.act)
# An amount chosen after «⏳ Cần thêm thời gian»: «30 phút», «1 giờ», «2 giờ» or «1 ngày».
more_time_button = _press_handler("more time button", lambda uow, press: followups.how_much(
    uow, press.callback_id, press.user_id, press.data, press.chat_id, press.message_id))
# A button of the guided /urgent form.
form_button = _press_handler("/urgent form", lambda uow, press: urgent_form.press(uow, press, press.message_id))
# A button of the officer's desk (#29): a report of a false positive, or an officer's decision.
case_button = _press_handler("/guard button",
                             lambda uow, press: desk.press(uow, press.callback_id, press.user_id, press.data))


async def guardreport(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The officer's figures over a period (default 7 days): text and a chart, in private chat."""
    origin = _origin(update, "/guardreport")
    await digest.guardreport(_ctx(context), origin, _arguments(update.effective_message))


guard = _coordinator_command("/guard", desk.guard)
guardrelease = _coordinator_command("/guardrelease", desk.guardrelease)


async def screen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every message, before anything else: judged, and if blocked removed and recorded, here."""
    await gate.screen(update, context, _download)


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A comment: text, caption or document, new, edited or forwarded; a reply to an invitation in
    private, or any message in a consultation's topic. The gate has judged it already."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    passed = gate.passed(context)
    if passed is None:  # only what the gate judged and let through goes any further
        return
    origin = _origin(update, "comment")
    await perform(_ctx(context), origin,
                  lambda uow: comments.text(uow, passed.message, passed.screened))


async def _download(message: Message, context: ContextTypes.DEFAULT_TYPE) -> incoming.Attachment:
    """Fetch a document or photo so the guard can read it; one too large is judged by its size alone.
    Of a photo's sizes, the largest that fits the guard's limits is read."""
    limit = _ctx(context).guard_file_limit
    if message.document is not None:
        file_id, size = message.document.file_id, message.document.file_size or 0
        name, mime = message.document.file_name or "file", message.document.mime_type
    else:
        pixels = progress.max_pixels(_ctx(context))
        fitting = [p for p in message.photo if (p.file_size or 0) <= limit and p.width * p.height <= pixels]
        photo = max(fitting or message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        file_id, size, name, mime = photo.file_id, photo.file_size or 0, "photo.jpg", "image/jpeg"
    if size > limit:
        content = b"\0" * (limit + 1)
    else:
        content = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
    return incoming.Attachment(name, content, mime, file_id, photo=message.document is None)


async def join_request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Someone asks to join the coordination group through a link."""
    request = update.chat_join_request
    assert request is not None
    origin = Origin(update.update_id, request.from_user.id, request.chat.id, None,
                    request.from_user.language_code, "join_request")
    await perform(_ctx(context), origin, lambda uow: membership.join_request(uow, origin.user_id, origin.chat_id))


def commands() -> tuple[tuple[str, Handler], ...]:
    """The one declaration of the bot's commands: each is registered as a handler, and listed in
    Telegram's menu (setMyCommands) with its line from the catalogues (`menu.<name>`), in this order.
    /start is handled but not listed: Telegram's clients show their own «Start» button. Read when
    the table is wired, so the handlers are those of the module at that moment."""
    return (
        ("urgent", urgent), ("notify", notify), ("status", status), ("extend", extend), ("remind", remind),
        ("close", close), ("cancel", cancel), ("report", report), ("stats", stats), ("away", away),
        ("export", export), ("whoami", whoami), ("lang", lang), ("help", help_),
        ("guard", guard), ("guardrelease", guardrelease), ("guardreport", guardreport),
    )
