"""The guided /urgent form's steps and what moves it from one to the next, as one table.

The form's state is a database row (bot/store/repos/urgent_forms.py) holding its step by name;
each input — a text typed in private chat, or one of the form's buttons (bot/domain/callbacks.py
packs their actions) — is accepted only at the steps this table lists. Anything else at that
step is a stale button, or for typed text a comment like any other. What an accepted input must
also carry (a known scope, a deadline offered, a title before opening) the use case checks.
"""

from __future__ import annotations

from enum import StrEnum


class FormStep(StrEnum):
    TITLE = "title"  # waits for the title, typed
    SCOPES = "scopes"  # scopes toggled by buttons, then "next"
    DEADLINE = "deadline"  # a deadline button, or one typed
    CONFIRM = "confirm"  # who will be invited and when it ends, shown: open it, or abandon
    DONE = "done"  # opened or abandoned: the row is gone


class FormInput(StrEnum):
    """What the coordinator does; the button values are the callback actions of `f:<form>:<action>`."""

    TYPED = "typed"
    TOGGLE_SCOPE = "s"
    NEXT = "next"
    DEADLINE = "d"
    OPEN = "ok"
    ABANDON = "x"


TRANSITIONS: dict[tuple[FormStep, FormInput], FormStep] = {
    (FormStep.TITLE, FormInput.TYPED): FormStep.SCOPES,
    (FormStep.SCOPES, FormInput.TOGGLE_SCOPE): FormStep.SCOPES,
    (FormStep.SCOPES, FormInput.NEXT): FormStep.DEADLINE,
    (FormStep.DEADLINE, FormInput.TYPED): FormStep.CONFIRM,
    (FormStep.DEADLINE, FormInput.DEADLINE): FormStep.CONFIRM,
    # Opening stays at the confirmation when the deadline it showed has passed: shown again.
    (FormStep.CONFIRM, FormInput.OPEN): FormStep.DONE,
    **{(step, FormInput.ABANDON): FormStep.DONE for step in (FormStep.TITLE, FormStep.SCOPES, FormStep.DEADLINE,
                                                             FormStep.CONFIRM)},
}


def step_after(step: str, done: FormInput) -> FormStep | None:
    """The step the form moves to, or None when this input does not fit the step it is at (an
    older message's button, a step name the code no longer knows)."""
    try:
        return TRANSITIONS.get((FormStep(step), done))
    except ValueError:
        return None


def waits_for_typing(step: str) -> bool:
    """Whether a text typed in private chat is the form's answer (else it is a comment)."""
    return step_after(step, FormInput.TYPED) is not None
