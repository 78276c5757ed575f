"""`consult guard cases`: the cases and the officers' decisions as JSON lines, for tuning the
policies — metadata only (never content, nor the sender's reason, which is their message) — and the
precision of each rule as the officers judged it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import to_iso
from bot.domain.guard_tally import precision_by_rule
from bot.services.kernel.context import AppContext
from bot.services.officer.digest import facts
from bot.store.repos import guard_cases
from bot.store.repos.guard_cases import Case


def case_line(case: Case) -> dict[str, Any]:
    return {"case": case.id, **case.case.as_record(),
            "reported_at": None if case.reported_at is None else to_iso(case.reported_at),
            "decision": case.decision, "decided_at": None if case.decided_at is None else to_iso(case.decided_at),
            "decided_by": case.decided_by, "decision_reason": case.decision_reason}


async def cases_since(ctx: AppContext, since: datetime) -> list[Case]:
    async with ctx.db.reading() as tx:
        return await guard_cases.cases_since(tx, since)


def precision_lines(cases: list[Case]) -> list[dict[str, Any]]:
    return [{"rule": rule, "upheld": upheld, "released": released, "precision": precision}
            for rule, (upheld, released, precision) in precision_by_rule(facts(c) for c in cases).items()]
