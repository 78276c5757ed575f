"""Inline keyboards as Bot API JSON, and the parsing of what comes back.

Callback data is untrusted: anyone can send any bytes. It is parsed by a strict pattern here and
then checked by the use case against who pressed, which consultation, and its state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.domain.consultation import Position
from bot.i18n import t

_ANSWER = re.compile(r"a:(?P<consultation>[1-9]\d{0,8}):(?P<position>agree|object|more_time)")


@dataclass(frozen=True)
class AnswerPress:
    consultation_id: int
    position: Position


def answer_data(consultation_id: int, position: Position) -> str:
    return f"a:{consultation_id}:{position.value}"


def parse_answer(data: str | None) -> AnswerPress | None:
    match = _ANSWER.fullmatch(data or "")
    if not match:
        return None
    return AnswerPress(int(match["consultation"]), Position(match["position"]))


def answer_keyboard(consultation_id: int, language: str) -> dict[str, Any]:
    row = [
        {"text": t(language, f"button.{p.value}"), "callback_data": answer_data(consultation_id, p)}
        for p in (Position.AGREE, Position.OBJECT)
    ]
    more = {"text": t(language, "button.more_time"), "callback_data": answer_data(consultation_id, Position.MORE_TIME)}
    return {"inline_keyboard": [row, [more]]}


# The guided /urgent form. `f:<form>:<action>[:<value>]`; the form id makes an older form's
# buttons stale, and the use case checks the form belongs to whoever pressed.
_FORM = re.compile(r"f:(?P<form>[1-9]\d{0,9}):(?P<action>s|d|next|ok|x)(?::(?P<value>[a-z0-9_:]{1,32}))?")
FORM_DEADLINES = ("30m", "1h", "2h", "4h", "17:00")


@dataclass(frozen=True)
class FormPress:
    form_id: int
    action: str  # s: toggle a scope, d: a deadline, next, ok: open it, x: abandon
    value: str | None


def parse_form(data: str | None) -> FormPress | None:
    match = _FORM.fullmatch(data or "")
    if not match:
        return None
    action, value = match["action"], match["value"]
    if (action in ("s", "d")) != (value is not None):
        return None
    return FormPress(int(match["form"]), action, value)


def _form_button(text: str, form_id: int, action: str, value: str | None = None) -> dict[str, str]:
    data = f"f:{form_id}:{action}" + (f":{value}" if value is not None else "")
    return {"text": text, "callback_data": data}


def scopes_keyboard(form_id: int, scope_labels: dict[str, str], chosen: set[str], language: str) -> dict[str, Any]:
    rows = [[_form_button(("✅ " if key in chosen else "▫️ ") + label, form_id, "s", key)]
            for key, label in scope_labels.items()]
    rows.append([_form_button(t(language, "form.button.next"), form_id, "next"),
                 _form_button(t(language, "form.button.abandon"), form_id, "x")])
    return {"inline_keyboard": rows}


def deadline_keyboard(form_id: int, language: str) -> dict[str, Any]:
    row = [_form_button(choice, form_id, "d", choice) for choice in FORM_DEADLINES]
    return {"inline_keyboard": [row, [_form_button(t(language, "form.button.abandon"), form_id, "x")]]}


def confirm_keyboard(form_id: int, language: str) -> dict[str, Any]:
    return {"inline_keyboard": [[_form_button(t(language, "form.button.open"), form_id, "ok"),
                                 _form_button(t(language, "form.button.abandon"), form_id, "x")]]}
