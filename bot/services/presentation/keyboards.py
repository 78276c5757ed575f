"""The inline keyboards the bot sends, as Bot API JSON (`reply_markup`), labelled in the reader's
language; their data comes from `bot.domain.callbacks`.

Why here and not in bot/telegram: a keyboard is part of the message a use case queues, and the
outbox keeps each call as the Bot API's own JSON, which the sender sends verbatim; no
python-telegram-bot object is built from it. So the use case writes the plain description itself,
as it writes the text, and the transport only carries it.
"""

from __future__ import annotations

from typing import Any

from bot.domain.callbacks import FORM_DEADLINES, action_data, answer_data, form_data, override_data
from bot.domain.consultation import Kind, Position
from bot.domain.tmelinks import bot_link
from bot.i18n import t

# Bot API 9.4's button colours, by what pressing means: agreeing and acknowledging are the way
# forward (green), objecting is the answer to take care with (red), asking for time is neutral.
STYLE = {Position.AGREE: "success", Position.ACKNOWLEDGED: "success", Position.OBJECT: "danger",
         Position.MORE_TIME: "primary"}


def answer_button(consultation_id: int, position: Position, language: str) -> dict[str, str]:
    return {"text": t(language, f"button.{position.value}"), "callback_data": answer_data(consultation_id, position),
            "style": STYLE[position]}


def answer_keyboard(consultation_id: int, language: str, kind: Kind = Kind.CONSULTATION) -> dict[str, Any]:
    """Agree / object / need more time; for a notice the one button «Đã nhận» / «Received»."""
    if kind is Kind.NOTICE:
        return {"inline_keyboard": [[answer_button(consultation_id, Position.ACKNOWLEDGED, language)]]}
    row = [answer_button(consultation_id, p, language) for p in (Position.AGREE, Position.OBJECT)]
    return {"inline_keyboard": [row, [answer_button(consultation_id, Position.MORE_TIME, language)]]}


def spent_keyboard(language: str, kind: Kind = Kind.CONSULTATION) -> dict[str, Any]:
    """The answer buttons of an ended consultation, drawn disabled (Bot API 10.3's DisabledButton):
    the choice is visibly over, and a press does nothing — rather than a live-looking button that
    answers «no longer valid»."""
    positions = [Position.ACKNOWLEDGED] if kind is Kind.NOTICE else [Position.AGREE, Position.OBJECT,
                                                                      Position.MORE_TIME]
    return {"inline_keyboard": [[{"text": t(language, f"button.{p.value}"), "disabled": {}} for p in positions]]}


def answered_keyboard(consultation_id: int, position: Position, at: str, language: str,
                      kind: Kind = Kind.CONSULTATION) -> dict[str, Any]:
    """An answered invitation: the answer given, on a disabled button, and the other answers still
    live below it (a focal point may change their mind until the consultation ends)."""
    given = {"text": t(language, "answer.given", position=t(language, f"position.{position.value}"), time=at),
             "disabled": {}}
    if kind is Kind.NOTICE:
        return {"inline_keyboard": [[given]]}
    others = [answer_button(consultation_id, p, language) for p in (Position.AGREE, Position.OBJECT, Position.MORE_TIME)
              if p is not position]
    return {"inline_keyboard": [[given], others]}


def _form_button(text: str, form_id: int, action: str, value: str | None = None) -> dict[str, str]:
    return {"text": text, "callback_data": form_data(form_id, action, value)}


def scopes_keyboard(form_id: int, scope_labels: dict[str, str], chosen: set[str], language: str) -> dict[str, Any]:
    rows = [[_form_button(("✅ " if key in chosen else "▫️ ") + label, form_id, "s", key)]
            for key, label in scope_labels.items()]
    rows.append([_form_button(t(language, "form.button.next"), form_id, "next"),
                 _form_button(t(language, "form.button.abandon"), form_id, "x")])
    return {"inline_keyboard": rows}


def deadline_keyboard(form_id: int, language: str) -> dict[str, Any]:
    row = [_form_button(_deadline_label(choice, language), form_id, "d", choice) for choice in FORM_DEADLINES]
    return {"inline_keyboard": [row, [_form_button(t(language, "form.button.abandon"), form_id, "x")]]}


def _deadline_label(choice: str, language: str) -> str:
    """«30 phút», «2 giờ» on the button (the callback data keeps `30m`, `2h`); a time stays a time."""
    if choice.endswith("m") and choice[:-1].isdigit():
        return t(language, "duration.m", minutes=int(choice[:-1]))
    if choice.endswith("h") and choice[:-1].isdigit():
        return t(language, "duration.h", hours=int(choice[:-1]))
    return choice


def confirm_keyboard(form_id: int, language: str) -> dict[str, Any]:
    return {"inline_keyboard": [[_form_button(t(language, "form.button.open"), form_id, "ok"),
                                 _form_button(t(language, "form.button.abandon"), form_id, "x")]]}


def coordinator_keyboard(consultation_id: int, language: str) -> dict[str, Any]:
    """«Nhắc», «Gia hạn 30 phút», «Kết thúc» under a notice to the coordinator: what he would do
    next, one tap away between meetings (issue 26, item 5). Closing is the careful one (red)."""
    return {"inline_keyboard": [coordinator_row(consultation_id, language)]}


def coordinator_row(consultation_id: int, language: str) -> list[dict[str, str]]:
    return [
        {"text": t(language, "action.remind"), "callback_data": action_data(consultation_id, "remind"),
         "style": "primary"},
        {"text": t(language, "action.extend"), "callback_data": action_data(consultation_id, "extend"),
         "style": "primary"},
        {"text": t(language, "action.close"), "callback_data": action_data(consultation_id, "close"),
         "style": "danger"},
    ]


def card_keyboard(consultation_id: int, is_open: bool, bot_username: str, language: str) -> dict[str, Any] | None:
    """The status card's buttons: the coordinator's one-tap actions while the consultation is open
    (the press is checked against who presses, as anywhere), and a way back to the bot for a
    private answer. None when there is nothing to draw: the edit then removes what was there."""
    rows: list[list[dict[str, str]]] = [coordinator_row(consultation_id, language)] if is_open else []
    back = bot_link(bot_username)
    if back is not None:
        rows.append([{"text": t(language, "link.bot"), "url": back}])
    return {"inline_keyboard": rows} if rows else None


def with_link(markup: dict[str, Any] | None, text: str, url: str) -> dict[str, Any]:
    """`markup` with one more row: a URL button (Bot API: `url`, never `callback_data` too)."""
    rows = list((markup or {}).get("inline_keyboard") or [])
    return {**(markup or {}), "inline_keyboard": [*rows, [{"text": text, "url": url}]]}


def override_keyboard(consultation_id: int, position: Position, alternate: str, language: str) -> dict[str, Any]:
    """An away invitee asked before his press replaces his alternate's answer: replace, or keep."""
    return {"inline_keyboard": [[
        {"text": t(language, "override.replace", alternate=alternate),
         "callback_data": override_data(consultation_id, position), "style": STYLE[position]},
        {"text": t(language, "override.keep"), "callback_data": override_data(consultation_id, None)}]]}
