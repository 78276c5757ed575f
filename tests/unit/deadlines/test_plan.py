from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.plan import DeadlinePolicy, ReminderRule, StepKind, Tone, plan_steps
from bot.errors import PolicyError
from bot.policy.files import load_deadline_policy

T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
DEFAULT = DeadlinePolicy()


@pytest.mark.parametrize("window", [timedelta(seconds=30), timedelta(minutes=45), timedelta(hours=2),
                                    timedelta(hours=1, minutes=30), timedelta(days=7)])
def test_default_plan_is_half_four_fifths_and_deadline(window: timedelta) -> None:
    steps = plan_steps(DEFAULT, T0, T0 + window, T0)
    assert [(s.kind, s.due_at, s.tone) for s in steps] == [
        (StepKind.REMINDER, T0 + window * 0.5, Tone.GENTLE),
        (StepKind.REMINDER, T0 + window * 0.8, Tone.FIRM),
        (StepKind.ESCALATION, T0 + window, Tone.URGENT),
    ]


def test_fixed_offsets_that_do_not_fit_the_window_are_skipped() -> None:
    policy = DeadlinePolicy(reminders=(ReminderRule(at=0.5), ReminderRule(before="10m", tone=Tone.URGENT)))
    short = plan_steps(policy, T0, T0 + timedelta(seconds=30), T0)
    assert [s.kind for s in short] == [StepKind.REMINDER, StepKind.ESCALATION]
    long = plan_steps(policy, T0, T0 + timedelta(hours=2), T0)
    assert [s.due_at - T0 for s in long] == [timedelta(hours=1), timedelta(minutes=110), timedelta(hours=2)]


def test_points_within_a_second_merge() -> None:
    policy = DeadlinePolicy(reminders=(ReminderRule(at=0.5), ReminderRule(before="1m")))
    steps = plan_steps(policy, T0, T0 + timedelta(minutes=2), T0)  # both fall at 1 minute
    assert sum(1 for s in steps if s.kind is StepKind.REMINDER) == 1


def test_replanning_after_extension_keeps_only_future_points() -> None:
    now = T0 + timedelta(minutes=50)  # the 50% reminder of a 1h window went out at 30 min
    steps = plan_steps(DEFAULT, T0, T0 + timedelta(hours=2), now)  # extended to 2h
    assert [s.due_at - T0 for s in steps] == [timedelta(minutes=60), timedelta(minutes=96), timedelta(hours=2)]
    late = plan_steps(DEFAULT, T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    assert late == []


def test_auto_close() -> None:
    policy = DeadlinePolicy.model_validate({"auto_close": {"after": "30m"}})
    assert plan_steps(policy, T0, T0 + timedelta(hours=1), T0)[-1].due_at == T0 + timedelta(minutes=90)


@pytest.mark.parametrize(("yaml", "line", "message"), [
    ("reminders:\n  - {at: 1.5}\n", 2, "less than 1"),
    ("reminders:\n  - {before: 0s}\n", 2, "future"),
    ("reminders:\n  - {at: 0.5, before: 5m}\n", 2, "exactly one"),
    ("reminders:\n  - {at: 0.5}\n  - {at: 0.5}\n", 1, "twice"),
    ("escalation: {tone: shouty}\n", 1, "escalation.tone"),
    ("auto_close: {after: 9d}\n", 1, "7 days"),
])
def test_policy_errors_name_file_and_line(tmp_path: Path, yaml: str, line: int, message: str) -> None:
    (tmp_path / "deadlines.yaml").write_text(yaml)
    with pytest.raises(PolicyError) as caught:
        load_deadline_policy(tmp_path)
    assert f"deadlines.yaml:{line}:" in str(caught.value) and message in str(caught.value)
