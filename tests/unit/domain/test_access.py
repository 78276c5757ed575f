"""Who may see a consultation, and whose answer a press records: "a person or their alternate"."""

from __future__ import annotations

from bot.domain.access import Prompt, acts_for, answers_for, may_see
from bot.domain.roster import Person

INVITEE = Person(key="moit-1", name="Trần Thị Bình", agency="moit", roles=("aec_lead",), alternate="moit-2")
ALTERNATE = Person(key="moit-2", name="Lê Văn Cường", agency="moit")
OTHER = Person(key="moha-1", name="Hoàng Văn Dũng", agency="moha", roles=("ascc_lead",), alternate="moha-2")


def _with_roles(*roles: str) -> Person:
    return Person(key="x-1", name="X", agency="mofa", roles=roles)


def test_a_person_acts_for_themselves_and_for_whom_they_stand_in() -> None:
    assert acts_for("moit-1", INVITEE)
    assert acts_for("moit-2", INVITEE)
    assert not acts_for("moha-1", INVITEE)
    assert not acts_for("moit-1", ALTERNATE)  # standing in is one way: the invitee is not the alternate's
    assert not acts_for("moha-2", INVITEE)  # someone else's alternate


def test_invitees_and_their_alternates_see_their_consultation_and_no_other() -> None:
    assert may_see(INVITEE, [INVITEE, OTHER])
    assert may_see(ALTERNATE, [INVITEE])
    assert not may_see(ALTERNATE, [OTHER])
    assert not may_see(_with_roles("aec_lead"), [INVITEE, OTHER])  # the role alone is not an invitation
    assert not may_see(INVITEE, [])


def test_whoever_runs_or_audits_consultations_sees_them_all() -> None:
    for role in ("coordinator", "auditor", "admin"):
        assert may_see(_with_roles(role), [])
        assert may_see(_with_roles(role), [INVITEE])


def test_a_press_answers_for_whom_the_bot_sent_that_message_and_only_to_its_recipient() -> None:
    invitation = Prompt(sent_to="moit-1", sent_for="moit-1")
    escalation = Prompt(sent_to="moit-2", sent_for="moit-1")
    assert answers_for("moit-1", invitation, in_private_chat=True) == "moit-1"
    assert answers_for("moit-2", escalation, in_private_chat=True) == "moit-1"


def test_a_press_on_anything_else_answers_for_no_one() -> None:
    invitation = Prompt(sent_to="moit-1", sent_for="moit-1")
    assert answers_for("moit-2", invitation, in_private_chat=True) is None  # the alternate on the invitee's message
    assert answers_for("moit-1", None, in_private_chat=True) is None  # a message the bot sent no buttons on
    assert answers_for("moit-1", invitation, in_private_chat=False) is None  # pressed outside the private chat
