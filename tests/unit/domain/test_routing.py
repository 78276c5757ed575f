from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import shipped_dir
from bot.domain.roster import Person
from bot.domain.routing import RoutingPolicy, resolve_invitees
from bot.errors import ScopeError
from bot.policy.files import load_roster, load_routing
from tests.support.paths import EXAMPLE_ROSTER

ROUTING = load_routing(shipped_dir("policies"))
PEOPLE = load_roster(EXAMPLE_ROSTER, ROUTING).people

DECISION_47 = {
    "apsc": {"apsc_lead", "secretariat"},
    "aec": {"aec_lead", "secretariat"},
    "ascc": {"ascc_lead", "secretariat"},
    "connectivity": {"connectivity_lead", "secretariat", "mission_jakarta"},
    "comms": {"comms_lead", "secretariat"},
    "cross": {"national_coordinator", "apsc_lead", "aec_lead", "ascc_lead", "connectivity_lead", "comms_lead",
              "secretariat", "mission_jakarta"},
}


@pytest.mark.parametrize("scope", sorted(DECISION_47))
def test_shipped_routing_follows_the_design(scope: str) -> None:
    assert set(ROUTING.roles_for([scope])) == DECISION_47[scope]


def test_union_each_person_once_alternates_not_invited() -> None:
    invited = [p.key for p in resolve_invitees(ROUTING, ROUTING.parse_scopes("aec+connectivity"), PEOPLE)]
    assert invited == ["moit-1", "mof-1", "nsv-1", "jkt-1"]
    assert len(invited) == len(set(invited))
    assert "moit-2" not in invited  # moit-1's alternate


def test_person_with_several_invited_roles_is_invited_once() -> None:
    many = Person(key="x", name="X", agency="mofa", roles=("aec_lead", "secretariat", "comms_lead"))
    assert [p.key for p in resolve_invitees(ROUTING, ("cross",), [many])] == ["x"]


def test_cross_invites_every_focal_point() -> None:
    invited = {p.key for p in resolve_invitees(ROUTING, ("cross",), PEOPLE)}
    assert invited == {"coord-1", "mofa-apsc", "moit-1", "moha-1", "mof-1", "mocst-1", "nsv-1", "jkt-1"}


@pytest.mark.parametrize("expression", ["", "+", "aec+", "trade", "aec+trade"])
def test_bad_scope_expressions(expression: str) -> None:
    with pytest.raises(ScopeError):
        ROUTING.parse_scopes(expression)


def test_scope_parsing_normalises() -> None:
    assert ROUTING.parse_scopes(" AEC + apsc+aec ") == ("aec", "apsc")


def test_shipped_routing_writes_each_example_agency_short_as_ministries_do() -> None:
    """Issue 26 item 7: one short name per agency, declared in routing.yaml, not made-up initials."""
    roster_agencies = [(a.key, a.name) for a in load_roster(EXAMPLE_ROSTER, ROUTING).agencies]
    shorts = ROUTING.short_names(roster_agencies)
    assert shorts["Bộ Ngoại giao"] == "BNG" and shorts["Bộ Văn hóa, Thể thao và Du lịch"] == "BVHTTDL"
    assert shorts["Ban Thư ký ASEAN Quốc gia Việt Nam"] == "Ban Thư ký ASEAN"
    assert shorts["Phái đoàn thường trực Việt Nam tại ASEAN"] == "Phái đoàn tại ASEAN"
    assert ROUTING.short_names([("unlisted", "Sở Ngoại vụ Hà Nội")]) == {"Sở Ngoại vụ Hà Nội": "Sở Ngoại vụ Hà Nội"}


@pytest.mark.parametrize("short", ["", " BNG", "B\nNG", "B\u202eNG", "X" * 41])
def test_a_short_name_is_validated(short: str) -> None:
    data = ROUTING.model_dump()
    data["agencies"] = {"mofa": {"short": short}}
    with pytest.raises(ValidationError):
        RoutingPolicy.model_validate(data)


def test_agency_keys_and_duplicate_short_names_are_refused() -> None:
    data = ROUTING.model_dump()
    with pytest.raises(ValidationError, match="agency key"):
        RoutingPolicy.model_validate({**data, "agencies": {"Bộ": {"short": "B"}}})
    twice = RoutingPolicy.model_validate({**data, "agencies": {"mofa": {"short": "BNG"}, "moit": {"short": "BNG"}}})
    assert any(where == ("agencies", "moit", "short") for where, _ in twice.problems())
