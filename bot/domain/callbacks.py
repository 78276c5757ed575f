"""The data behind inline buttons, packed and parsed in one place.

Callback data is untrusted: anyone can send any bytes. It is parsed here by strict, full-match
patterns (bounded digits, known actions) and then checked by the use case against who pressed,
which consultation, and its state. Each kind has its own prefix, so no data can be taken for
another kind: `a:<consultation>:<position>` answers an invitation (`acknowledged` a notice),
`f:<form>:<action>[:<value>]` drives the guided /urgent form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.consultation import Position

_ANSWER = re.compile(r"a:(?P<consultation>[1-9]\d{0,8}):(?P<position>agree|object|more_time|acknowledged)")


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


# The guided /urgent form. `f:<form>:<action>[:<value>]`; the form id makes an older form's
# buttons stale, and the use case checks the form belongs to whoever pressed.
_FORM = re.compile(r"f:(?P<form>[1-9]\d{0,9}):(?P<action>s|d|next|ok|x)(?::(?P<value>[a-z0-9_:]{1,32}))?")
FORM_DEADLINES = ("30m", "1h", "2h", "4h", "17:00")


@dataclass(frozen=True)
class FormPress:
    form_id: int
    action: str  # s: toggle a scope, d: a deadline, next, ok: open it, x: abandon
    value: str | None


def form_data(form_id: int, action: str, value: str | None = None) -> str:
    return f"f:{form_id}:{action}" + (f":{value}" if value is not None else "")


def parse_form(data: str | None) -> FormPress | None:
    match = _FORM.fullmatch(data or "")
    if not match:
        return None
    action, value = match["action"], match["value"]
    if (action in ("s", "d")) != (value is not None):
        return None
    return FormPress(int(match["form"]), action, value)


# -- the security officer's desk (issue #29) ---------------------------------------------------------
# `gc:<case>:<action>`: r — the blocked sender reports a false positive; s — they skip the reason;
# u — an officer upholds the block; l — an officer releases it once. The use case checks who pressed:
# only the blocked person reports their own case, only an officer over the case's agency decides it.
_GUARD_CASE = re.compile(r"gc:(?P<case>[1-9]\d{0,9}):(?P<action>[rsul])")
GUARD_CASE_ACTIONS = {"r": "report", "s": "skip", "u": "uphold", "l": "release"}


@dataclass(frozen=True)
class CasePress:
    case_id: int
    action: str  # report | skip | uphold | release


def case_data(case_id: int, action: str) -> str:
    code = next(code for code, name in GUARD_CASE_ACTIONS.items() if name == action)
    return f"gc:{case_id}:{code}"


def parse_case(data: str | None) -> CasePress | None:
    match = _GUARD_CASE.fullmatch(data or "")
    if not match:
        return None
    return CasePress(int(match["case"]), GUARD_CASE_ACTIONS[match["action"]])


# One-tap coordinator actions on the objection and deadline notices (issue 26, item 5):
# `c:<consultation>:<action>`. Only the prefix and the action are trusted from the pattern; the
# use case checks that whoever pressed is the coordinator of that consultation.
COORDINATOR_ACTIONS = ("remind", "extend", "close")
EXTEND_BY = "30m"  # what «Gia hạn 30 phút» adds
_ACTION = re.compile(r"c:(?P<consultation>[1-9]\d{0,8}):(?P<action>remind|extend|close)")


@dataclass(frozen=True)
class ActionPress:
    consultation_id: int
    action: str  # one of COORDINATOR_ACTIONS


def action_data(consultation_id: int, action: str) -> str:
    if action not in COORDINATOR_ACTIONS:
        raise ValueError(f"no coordinator action {action!r}")
    return f"c:{consultation_id}:{action}"


def parse_action(data: str | None) -> ActionPress | None:
    match = _ACTION.fullmatch(data or "")
    if not match:
        return None
    return ActionPress(int(match["consultation"]), match["action"])
