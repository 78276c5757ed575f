"""The relay decision table: where a judged message goes, and what a comment's relay does."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.relay import Notice, RelayPlan, Route, relay_plan, route


@pytest.mark.parametrize(("action", "private", "in_consultation", "expected"), [
    ("block", True, True, Route.BLOCK),
    ("block", False, False, Route.BLOCK),
    ("allow", True, True, Route.COMMENT),
    ("redact", False, True, Route.COMMENT),
    ("allow", True, False, Route.NO_CONSULTATION),
    ("redact", True, False, Route.NO_CONSULTATION),
    ("redact", False, False, Route.REMOVE_REDACTED),
    ("allow", False, False, Route.LEAVE),
])
def test_where_a_judged_message_goes(action: str, private: bool, in_consultation: bool, expected: Route) -> None:
    assert route(action, private=private, in_consultation=in_consultation) is expected


def _plan(action: str, private: bool, deleted: bool = False, nothing_left: bool = False,
          group: bool = True) -> RelayPlan:
    return relay_plan(action, private=private, already_deleted=deleted, nothing_left=nothing_left, has_group=group)


def test_an_allowed_comment_in_the_topic_stands_as_it_is() -> None:
    assert _plan("allow", private=False) == RelayPlan(delete_original=False, post_to_topic=False, notice=None)


def test_an_allowed_comment_from_private_chat_is_posted_and_acknowledged() -> None:
    assert _plan("allow", private=True) == RelayPlan(False, True, Notice.RECEIVED)


def test_a_redacted_comment_in_the_topic_is_replaced_by_its_redacted_text() -> None:
    assert _plan("redact", private=False) == RelayPlan(True, True, Notice.REDACTED)
    assert _plan("redact", private=False, deleted=True) == RelayPlan(False, True, Notice.REDACTED)  # the gate did


def test_a_redacted_comment_from_private_chat_is_posted_redacted_and_its_sender_told() -> None:
    assert _plan("redact", private=True) == RelayPlan(False, True, Notice.REDACTED)


def test_nothing_but_placeholders_is_posted_nowhere_and_its_sender_told() -> None:
    assert _plan("redact", private=True, nothing_left=True) == RelayPlan(False, False, Notice.NOTHING_LEFT)
    assert _plan("redact", private=False, nothing_left=True) == RelayPlan(True, False, Notice.NOTHING_LEFT)


def test_without_a_group_nothing_is_posted_but_the_sender_still_hears() -> None:
    for action, private, deleted, nothing_left in itertools.product(("allow", "redact"), *[(False, True)] * 3):
        plan = _plan(action, private, deleted, nothing_left, group=False)
        assert not plan.post_to_topic
        assert plan == RelayPlan(plan.delete_original, False,
                                 _plan(action, private, deleted, nothing_left, group=True).notice)


def test_only_an_allowed_original_is_never_deleted() -> None:
    for private, deleted, nothing_left, group in itertools.product(*[(False, True)] * 4):
        assert not _plan("allow", private, deleted, nothing_left, group).delete_original
        assert _plan("redact", private, deleted, nothing_left, group).delete_original is (not private and not deleted)


def test_a_blocked_message_is_no_comment() -> None:
    with pytest.raises(ValueError, match="no comment"):
        _plan("block", private=True)
