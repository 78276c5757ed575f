"""Who may see a consultation, and whose answer a button press records.

"A person or their alternate" is one rule, `acts_for`: an invitee's alternate stands in for them
(escalation at the deadline, or the invitee's absence with `/away`, sends the alternate the
buttons; a reply to the invitation from either is a comment, which `/report` counts as the
invitee's). The store writes the same rule once as SQL for lookups that cannot load every
seat (bot/store/repos/invitations.py), and a test holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.roster import Person

# Roles that see every consultation (the status list, a card by number): they run or audit them.
SEES_EVERYTHING = ("coordinator", "auditor", "admin")


def acts_for(person_key: str, invitee: Person) -> bool:
    """Whether this person is the invitee or the invitee's alternate."""
    return person_key == invitee.key or invitee.alternate == person_key


def may_see(person: Person, invitees: Iterable[Person]) -> bool:
    """Everyone who runs or audits consultations sees them all; anyone else only those they are
    invited to, themselves or as an invitee's alternate."""
    if any(person.has_role(role) for role in SEES_EVERYTHING):
        return True
    return any(acts_for(person.key, invitee) for invitee in invitees)


@dataclass(frozen=True)
class Prompt:
    """A message the bot sent with answer buttons: to whom, and whose answer a press on it records
    (the recipient's own on an invitation; an invitee's, on the escalation sent to their alternate)."""

    sent_to: str
    sent_for: str


def answers_for(presser: str, prompt: Prompt | None, *, in_private_chat: bool) -> str | None:
    """Whose answer a press records: the person the pressed message was sent for, when the bot
    sent that message to the presser in their private chat; otherwise no one's — callback data is
    whatever a client sends, and only what the bot itself sent can vouch for it."""
    if not in_private_chat or prompt is None or prompt.sent_to != presser:
        return None
    return prompt.sent_for
