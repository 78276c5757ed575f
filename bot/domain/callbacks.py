"""The data behind inline buttons: each kind declared once (bot/domain/buttondata.py makes its
packer, its strict parser and the handler table's route from the declaration).

Callback data is untrusted: anyone can send any bytes. It is parsed by strict, full-match
patterns (bounded digits, known actions) and then checked by the use case against who pressed,
which consultation, and its state. Each kind has its own prefix, so no data can be taken for
another kind. The wire format is that of every button already sent: old buttons in chats parse.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.buttondata import ButtonKind, choice, number, word
from bot.domain.consultation import Position


@dataclass(frozen=True)
class AnswerPress:
    consultation_id: int
    position: Position


# `a:<consultation>:<position>` answers an invitation (`acknowledged`: a notice).
ANSWER = ButtonKind("a", (number("consultation_id", 9), choice("position", {p.value: p for p in Position})),
                    AnswerPress)


def answer_data(consultation_id: int, position: Position) -> str:
    return ANSWER.pack(consultation_id, position)


def parse_answer(data: str | None) -> AnswerPress | None:
    return ANSWER.parse(data)


# The guided /urgent form. `f:<form>:<action>[:<value>]`; the form id makes an older form's
# buttons stale, and the use case checks the form belongs to whoever pressed.
FORM_DEADLINES = ("30m", "1h", "2h", "4h", "17:00")
FORM_ACTIONS = ("s", "d", "next", "ok", "x")  # s: toggle a scope, d: a deadline, next, ok: open it, x: abandon


@dataclass(frozen=True)
class FormPress:
    form_id: int
    action: str  # one of FORM_ACTIONS
    value: str | None


FORM = ButtonKind("f", (number("form_id", 10), choice("action", {a: a for a in FORM_ACTIONS})), FormPress,
                  optional=word("value", r"[a-z0-9_:]{1,32}"),
                  valid=lambda press: (press.action in ("s", "d")) == (press.value is not None))


def form_data(form_id: int, action: str, value: str | None = None) -> str:
    return FORM.pack(form_id, action, value)


def parse_form(data: str | None) -> FormPress | None:
    return FORM.parse(data)


# -- the security officer's desk (issue #29) ---------------------------------------------------------
# `gc:<case>:<action>`: r — the blocked sender reports a false positive; s — they skip the reason;
# u — an officer upholds the block; l — an officer releases it once. The use case checks who pressed:
# only the blocked person reports their own case, only an officer over the case's agency decides it.
GUARD_CASE_ACTIONS = {"r": "report", "s": "skip", "u": "uphold", "l": "release"}


@dataclass(frozen=True)
class CasePress:
    case_id: int
    action: str  # report | skip | uphold | release


CASE = ButtonKind("gc", (number("case_id", 10), choice("action", GUARD_CASE_ACTIONS)), CasePress)


def case_data(case_id: int, action: str) -> str:
    return CASE.pack(case_id, action)


def parse_case(data: str | None) -> CasePress | None:
    return CASE.parse(data)


# How much more time (issue 26, item 5): the amounts «⏳ Cần thêm thời gian» offers, and «Gia hạn …»
# grants, as the codes the data carries, each in minutes. The codes read as /extend durations too.
AMOUNTS = {"30m": 30, "1h": 60, "2h": 120, "1d": 1440}


def amount_code(minutes: int) -> str:
    """The code of one of the offered amounts (`ValueError` for any other)."""
    for code, value in AMOUNTS.items():
        if value == minutes:
            return code
    raise ValueError(f"{minutes} minutes is not an offered amount")


# One-tap coordinator actions on the objection and deadline notices (issue 26, item 5):
# `c:<consultation>:<action>[:<amount>]`. Only the prefix and the action are trusted from the
# pattern; the use case checks that whoever pressed is the coordinator of that consultation. An
# amount goes with «extend» only; an «extend» without one (every button sent before) is 30 minutes.
COORDINATOR_ACTIONS = ("remind", "extend", "close")
EXTEND_BY = "30m"  # what «Gia hạn 30 phút» adds


@dataclass(frozen=True)
class ActionPress:
    consultation_id: int
    action: str  # one of COORDINATOR_ACTIONS
    minutes: int | None = None  # «extend» by one of AMOUNTS; None: by EXTEND_BY

    @property
    def extend_by(self) -> str:
        """What «extend» adds, as /extend reads it."""
        return EXTEND_BY if self.minutes is None else amount_code(self.minutes)


ACTION = ButtonKind("c", (number("consultation_id", 9), choice("action", {a: a for a in COORDINATOR_ACTIONS})),
                    ActionPress, optional=choice("minutes", AMOUNTS),
                    valid=lambda press: press.minutes is None or press.action == "extend")


def action_data(consultation_id: int, action: str, minutes: int | None = None) -> str:
    return ACTION.pack(consultation_id, action, minutes)


def parse_action(data: str | None) -> ActionPress | None:
    return ACTION.parse(data)


# The answer to «how much more time?» after «⏳ Cần thêm thời gian»: `m:<consultation>:<amount>`,
# one of AMOUNTS and nothing else. The use case checks the question was the bot's to this person.
@dataclass(frozen=True)
class MoreTimePress:
    consultation_id: int
    minutes: int  # one of AMOUNTS


MORE_TIME = ButtonKind("m", (number("consultation_id", 9), choice("minutes", AMOUNTS)), MoreTimePress)


def more_time_data(consultation_id: int, minutes: int) -> str:
    return MORE_TIME.pack(consultation_id, minutes)


def parse_more_time(data: str | None) -> MoreTimePress | None:
    return MORE_TIME.parse(data)


# An away invitee's press over the answer his alternate already gave is asked first (issue 26,
# item 6): `o:<consultation>:<position>` replaces the alternate's answer with that position,
# `o:<consultation>:keep` keeps it. Only ids and the position: the use case checks that the
# presser is the invitee the question was sent to and that the consultation is still open.
@dataclass(frozen=True)
class OverridePress:
    consultation_id: int
    position: Position | None  # None: keep the alternate's answer


KEEP = "keep"
OVERRIDE = ButtonKind("o", (number("consultation_id", 9),
                            choice("position", {**{p.value: p for p in Position}, KEEP: None})), OverridePress)


def override_data(consultation_id: int, position: Position | None) -> str:
    return OVERRIDE.pack(consultation_id, position)


def parse_override(data: str | None) -> OverridePress | None:
    return OVERRIDE.parse(data)
