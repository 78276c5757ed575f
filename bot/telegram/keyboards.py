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

_ANSWER = re.compile(r"^a:(?P<consultation>[1-9]\d{0,8}):(?P<position>agree|object|more_time)$")


@dataclass(frozen=True)
class AnswerPress:
    consultation_id: int
    position: Position


def answer_data(consultation_id: int, position: Position) -> str:
    return f"a:{consultation_id}:{position.value}"


def parse_answer(data: str | None) -> AnswerPress | None:
    match = _ANSWER.match(data or "")
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
