"""Who the record allows to answer for whom: an invitee for themselves, and whoever an event before
the answer named to stand in for them — an absence at the invitation (`invited`, `handed_over` with
`stand_in`) or an escalation at the deadline (`escalated` with `stand_ins`). A key holder appending
an answer «for» an invitee by someone else is found: nothing named that person.

Records exported before escalations named their alternates cannot be checked for escalations; such
an answer is accepted and said to be unchecked rather than failed."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.chain import Event


@dataclass
class StandIns:
    named: dict[str, set[str]] = field(default_factory=dict)
    unnamed_escalation: bool = False  # an escalation from an older release: its alternates are not on record

    def observe(self, event: Event) -> None:
        if event.type in ("invited", "handed_over") and event.actor and event.data.get("stand_in"):
            self.named.setdefault(str(event.actor), set()).add(str(event.data["stand_in"]))
        elif event.type == "escalated":
            stand_ins = event.data.get("stand_ins")
            if isinstance(stand_ins, dict):
                for invitee, alternate in stand_ins.items():
                    self.named.setdefault(str(invitee), set()).add(str(alternate))
            elif event.data.get("alternates"):
                self.unnamed_escalation = True

    def may_answer(self, by: str, principal: str) -> bool:
        return by == principal or by in self.named.get(principal, set()) or self.unnamed_escalation
