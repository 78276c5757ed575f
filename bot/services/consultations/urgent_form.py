"""The guided /urgent form: title, scopes as buttons, deadline as buttons or typed, confirmation.

It always runs in the coordinator's private chat, so a half-typed title is never seen in the group.
Each step is one committed change to the form's row: a restart resumes where the form stood.
Buttons carry the form's id; a press is checked against the presser's own, current form and step.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain.callbacks import FORM_DEADLINES, parse_form
from bot.domain.commands import MAX_TITLE, clean_title
from bot.domain.deadline import parse_deadline
from bot.domain.form import FormInput, FormStep, step_after, waits_for_typing
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.errors import FormTitleError, NoScopeChosenError, StaleButtonError
from bot.i18n import t
from bot.services.answering import Press
from bot.services.consultations import opening
from bot.services.kernel import screening
from bot.services.kernel.access import identify, require_role
from bot.services.kernel.incoming import Incoming, consultation_of
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation import texts
from bot.services.presentation.formatting import local_time
from bot.services.presentation.keyboards import confirm_keyboard, deadline_keyboard, scopes_keyboard
from bot.store.repos import urgent_forms
from bot.store.repos.people import PersonRecord
from bot.store.repos.urgent_forms import UrgentForm


async def command(uow: UnitOfWork, opener: PersonRecord, arguments: str, reply_chat: int) -> None:
    """/urgent: the one-line form opens at once; sent bare, the guided form starts."""
    if arguments.strip():
        await opening.open_consultation(uow, opener, arguments, reply_chat)
    else:
        await begin(uow, opener, reply_chat)


async def begin(uow: UnitOfWork, opener: PersonRecord, reply_chat: int) -> None:
    """Bare /urgent: open a fresh form in private chat (replacing an unfinished one)."""
    require_role(opener, "/urgent", "coordinator")
    private = opener.person.telegram_user_id
    assert private is not None  # identify() found this person by it
    language = language_for(opener.person, uow.ctx.language)
    form_id = await urgent_forms.start(uow.tx, opener.key, private, uow.now)
    if reply_chat != private:
        await uow.reply(reply_chat, t(language, "form.moved_private"))
    await uow.send(Outgoing.to(MessageKind.FORM, (form_id, "title"), private, "sendMessage", {
        "text": t(language, "form.ask_title"),
        "reply_markup": {"force_reply": True, "input_field_placeholder": t(language, "form.title_placeholder")},
    }, person_key=opener.key))


async def take_typed(uow: UnitOfWork, message: Incoming) -> bool:
    """A private text is the form's answer when a form waits for typing and the text is not a
    reply about a consultation: taken here (True), else left to be a comment."""
    if message.chat_id != message.user_id or message.attachment is not None or message.edited:
        return False
    person = await identify(uow.tx, message.user_id)
    form = await _form(uow, person)
    if form is None or not waits_for_typing(form.step) or await consultation_of(uow, message, person) is not None:
        return False
    await _typed(uow, person, form, message.text)
    return True


async def _form(uow: UnitOfWork, person: PersonRecord) -> UrgentForm | None:
    return await urgent_forms.of_person(uow.tx, await uow.data_key(0), person.key)


async def _save(uow: UnitOfWork, form: UrgentForm) -> None:
    await urgent_forms.update(uow.tx, await uow.data_key(0), form, uow.now)


async def _typed(uow: UnitOfWork, person: PersonRecord, form: UrgentForm, text: str) -> None:
    require_role(person, "/urgent", "coordinator")
    after = step_after(form.step, FormInput.TYPED)
    if after is FormStep.SCOPES:  # the title was typed
        title = clean_title(text)
        if title is None:
            raise FormTitleError("form title empty or too long", limit=MAX_TITLE)
        title = await screening.require_clean_title(uow, person, title)
        form = _with(form, step=after.value, title=title)
        await _save(uow, form)
        await _ask_scopes(uow, person, form)
    else:  # the deadline was typed
        assert after is FormStep.CONFIRM
        parse_deadline(text, uow.now, uow.ctx.zone)  # a usage error if unreadable; the form stays
        form = _with(form, step=after.value, deadline=text.strip())
        await _save(uow, form)
        await _confirm(uow, person, form)


async def press(uow: UnitOfWork, pressed: Press, message_id: int | None) -> None:
    """A button of the form: checked against who pressed, their current form, and its step."""
    parsed = parse_form(pressed.data)
    if parsed is None:
        raise StaleButtonError("malformed form callback data")
    person = await identify(uow.tx, pressed.user_id)
    require_role(person, "/urgent", "coordinator")
    form = await _form(uow, person)
    if form is None or form.id != parsed.form_id:
        raise StaleButtonError("callback for a form that is not this person's current one")
    language = language_for(person.person, uow.ctx.language)
    done = FormInput(parsed.action)
    after = step_after(form.step, done)
    if after is None or not _carries_what_it_needs(uow, form, done, parsed.value):
        raise StaleButtonError("form button does not fit the form's step", step=form.step)
    ack = ""
    if done is FormInput.ABANDON:
        await urgent_forms.finish(uow.tx, form.id)
        await uow.reply(pressed.user_id, t(language, "form.abandoned"))
    elif done is FormInput.TOGGLE_SCOPE:
        assert parsed.value is not None
        chosen = set(form.scopes) ^ {parsed.value}
        form = _with(form, scopes=tuple(s for s in uow.ctx.routing.scopes if s in chosen))
        await _save(uow, form)
        if message_id is not None:
            await uow.send(Outgoing.to(MessageKind.FORM_EDIT, (pressed.callback_id,), pressed.user_id,
                                       "editMessageReplyMarkup", {
                "message_id": message_id,
                "reply_markup": _scopes_markup(uow, form, language),
            }, person_key=person.key))
    elif done is FormInput.NEXT:
        if not form.scopes:
            raise NoScopeChosenError("no scope chosen")
        await opening.invitees_for(uow, form.scopes, person)  # nobody to invite is said now, not at the end
        form = _with(form, step=after.value)
        await _save(uow, form)
        await uow.reply(pressed.user_id, t(language, "form.ask_deadline"),
                        reply_markup=deadline_keyboard(form.id, language))
    elif done is FormInput.DEADLINE:
        form = _with(form, step=after.value, deadline=parsed.value)
        await _save(uow, form)
        await _confirm(uow, person, form)
    else:  # FormInput.OPEN
        assert form.title is not None and form.deadline is not None
        # The deadline opened is the one the confirmation showed: read from when it was shown.
        deadline_at = parse_deadline(form.deadline, form.updated_at or uow.now, uow.ctx.zone)
        if deadline_at <= uow.now:  # shown long ago and passed since: shown again, from now
            await _save(uow, form)
            await _confirm(uow, person, form)
            ack = t(language, "form.deadline_passed")
        else:
            await urgent_forms.finish(uow.tx, form.id)
            cid = await opening.open_with(uow, person, form.title, form.scopes, deadline_at, pressed.user_id)
            ack = t(language, "form.opened", consultation=cid)
    await uow.answer_press(pressed.callback_id, pressed.user_id, ack or None)


def _carries_what_it_needs(uow: UnitOfWork, form: UrgentForm, done: FormInput, value: str | None) -> bool:
    """A button fitting the step must also carry something current: a scope the routing knows, a
    deadline the form offers; opening needs the title and deadline the steps before gave."""
    if done is FormInput.TOGGLE_SCOPE:
        return value in uow.ctx.routing.scopes
    if done is FormInput.DEADLINE:
        return value in FORM_DEADLINES
    if done is FormInput.OPEN:
        return bool(form.title and form.deadline)
    return True


def _with(form: UrgentForm, **changes: Any) -> UrgentForm:
    return replace(form, **changes)


def _scopes_markup(uow: UnitOfWork, form: UrgentForm, language: str) -> dict[str, Any]:
    labels = {key: texts.scope_names(uow.ctx.routing, [key], language) + f" ({key})"
              for key in uow.ctx.routing.scopes}
    return scopes_keyboard(form.id, labels, set(form.scopes), language)


async def _ask_scopes(uow: UnitOfWork, person: PersonRecord, form: UrgentForm) -> None:
    language = language_for(person.person, uow.ctx.language)
    await uow.reply(form.chat_id, t(language, "form.ask_scopes"), reply_markup=_scopes_markup(uow, form, language))


async def _confirm(uow: UnitOfWork, person: PersonRecord, form: UrgentForm) -> None:
    """Show exactly who will be invited, and when the deadline falls, before anything is sent."""
    language = language_for(person.person, uow.ctx.language)
    assert form.deadline is not None and form.title is not None
    deadline_at = parse_deadline(form.deadline, uow.now, uow.ctx.zone)
    invitees = await opening.invitees_for(uow, form.scopes, person)
    lines = []
    for invitee in invitees:
        enrolled = "" if invitee.person.telegram_user_id else " ⚠️"
        lines.append(f"• {invitee.person.name} — {invitee.agency_name}{enrolled}")
    text = t(language, "form.confirm", title=form.title, scopes=texts.scope_names(uow.ctx.routing, form.scopes,
             language), deadline=local_time(deadline_at, uow.ctx.zone), count=len(invitees),
             people="\n".join(lines))
    await uow.reply(form.chat_id, text, reply_markup=confirm_keyboard(form.id, language))
