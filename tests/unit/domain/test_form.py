"""The guided /urgent form's steps: one table says which input each step takes and where it leads."""

from __future__ import annotations

import pytest

from bot.domain.callbacks import form_data, parse_form
from bot.domain.form import TRANSITIONS, FormInput, FormStep, step_after, waits_for_typing

S, In = FormStep, FormInput
# Every step against every input: the step it leads to, or None where it does not fit.
EXPECTED = {
    S.TITLE: {In.TYPED: S.SCOPES, In.ABANDON: S.DONE},
    S.SCOPES: {In.TOGGLE_SCOPE: S.SCOPES, In.NEXT: S.DEADLINE, In.ABANDON: S.DONE},
    S.DEADLINE: {In.TYPED: S.CONFIRM, In.DEADLINE: S.CONFIRM, In.ABANDON: S.DONE},
    S.CONFIRM: {In.OPEN: S.DONE, In.ABANDON: S.DONE},
    S.DONE: {},
}


@pytest.mark.parametrize("step", list(FormStep))
@pytest.mark.parametrize("done", list(FormInput))
def test_each_step_takes_only_its_inputs(step: FormStep, done: FormInput) -> None:
    assert step_after(step.value, done) == EXPECTED[step].get(done)


def test_the_happy_path_from_the_title_to_an_opened_consultation() -> None:
    step: FormStep | None = FormStep.TITLE
    for done in (In.TYPED, In.TOGGLE_SCOPE, In.TOGGLE_SCOPE, In.NEXT, In.DEADLINE, In.OPEN):
        assert step is not None
        step = step_after(step, done)
    assert step is FormStep.DONE


def test_typed_text_is_the_forms_answer_only_where_it_asks_for_typing() -> None:
    assert [s for s in FormStep if waits_for_typing(s)] == [S.TITLE, S.DEADLINE]


def test_a_step_name_the_code_does_not_know_takes_nothing() -> None:
    assert step_after("gone", In.ABANDON) is None
    assert not waits_for_typing("")


def test_the_step_names_are_what_the_database_row_holds() -> None:
    """Forms unfinished across an upgrade resume: the stored names do not change."""
    assert [s.value for s in FormStep] == ["title", "scopes", "deadline", "confirm", "done"]


def test_every_button_input_is_a_callback_action_and_back() -> None:
    for done in FormInput:
        if done is In.TYPED:
            continue
        value = "aec" if done in (In.TOGGLE_SCOPE, In.DEADLINE) else None
        parsed = parse_form(form_data(4, done.value, value))
        assert parsed is not None and FormInput(parsed.action) is done
    assert {done for (_, done) in TRANSITIONS} == set(FormInput)
