"""Loading the policy files that are not the guard's: routing and the roster."""

from __future__ import annotations

from pathlib import Path

from bot.domain.plan import DeadlinePolicy
from bot.domain.retention import RetentionPolicy
from bot.domain.roster import Roster, roster_problems
from bot.domain.routing import RoutingPolicy
from bot.errors import PolicyError, RosterError
from bot.policy.yaml_source import load_located_yaml, validate_located

ROUTING_FILE = "routing.yaml"
DEADLINES_FILE = "deadlines.yaml"
RETENTION_FILE = "retention.yaml"


def load_routing(policy_dir: Path) -> RoutingPolicy:
    located = load_located_yaml(policy_dir / ROUTING_FILE)
    policy = validate_located(located, RoutingPolicy)
    problems = [f"{located.path}:{located.line_of(loc)}: {what}" for loc, what in policy.problems()]
    if problems:
        raise PolicyError("\n".join(problems))
    return policy


def load_roster(path: Path, routing: RoutingPolicy) -> Roster:
    """Read and check a roster file; every problem names the file and the line."""
    try:
        located = load_located_yaml(path)
        roster = validate_located(located, Roster)
    except PolicyError as exc:
        raise RosterError(exc.detail) from exc
    problems = [
        f"{located.path}:{located.line_of(loc)}: {'.'.join(map(str, loc))}: {what}"
        for loc, what in roster_problems(roster, routing.known_roles)
    ]
    if problems:
        raise RosterError("\n".join(problems))
    return roster


def load_deadline_policy(policy_dir: Path) -> DeadlinePolicy:
    return validate_located(load_located_yaml(policy_dir / DEADLINES_FILE), DeadlinePolicy)


def load_retention_policy(policy_dir: Path) -> RetentionPolicy:
    """A policy directory without retention.yaml keeps content forever (older deployments)."""
    path = policy_dir / RETENTION_FILE
    if not path.exists():
        return RetentionPolicy(closed_content_days=None)
    return validate_located(load_located_yaml(path), RetentionPolicy)
