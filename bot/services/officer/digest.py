"""The officer's figures: a daily digest at a set time (CONSULT_GUARD_DIGEST_TIME, default 08:00 in
the deployment's time zone) and `/guardreport [7d]` on demand — blocks by rule, level and source;
reports open, upheld, released; the people blocked again and again; a PNG of blocks per day by
level. The national officer gets every agency; an agency officer only theirs.

The digest is re-armed from the database: `guard_digests` keeps the last day each officer was sent
one, so a digest due while the bot was down goes at start, and none goes twice in a day.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.audit.guard_chart import guard_chart_png
from bot.domain.guard_tally import NO_LEVEL, CaseFacts, Tally, tally
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing, Upload
from bot.domain.stats import parse_period
from bot.errors import ConsultError, PrivateOnlyError
from bot.i18n import t
from bot.services.dispatch import Origin, answer_error, perform
from bot.services.kernel.access import identify
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork, unit_of_work
from bot.services.officer import officers
from bot.store.db import Tx
from bot.store.repos import guard_cases, people
from bot.store.repos.guard_cases import Case
from bot.store.repos.people import PersonRecord

log = logging.getLogger(__name__)

DIGEST_DAYS = 1
REPORT_DAYS = 7


def facts(case: Case) -> CaseFacts:
    c = case.case
    return CaseFacts(c.at, c.actor, c.agency, c.rule, c.level, c.source, case.reported_at is not None, case.decision)


async def figures_for(tx: Tx, officer: PersonRecord, since: datetime, zone: str) -> Tally:
    return tally([facts(case) for case in await guard_cases.cases_since(tx, since, officers.scope_of(officer))], zone)


async def render(tx: Tx, figures: Tally, officer: PersonRecord, language: str, days: int) -> str:
    """The digest's text: counts and metadata only."""
    def counted(values: dict[str, int], name: Callable[[str], str] = str) -> str:
        return ", ".join(f"{name(key)}: {count}" for key, count in values.items()) or "—"

    def level(key: str) -> str:
        return t(language, "officer.no_level_short") if key == NO_LEVEL else t(language, f"level.{key}")

    scope = t(language, "officer.scope_all") if officers.is_national(officer) else officer.agency_name
    repeated = []
    for actor, count in figures.repeated.items():
        person = await people.person_by_key(tx, actor)
        repeated.append(f"{person.person.name} ({person.agency_name})" if person is not None else actor)
        repeated[-1] += f": {count}"
    lines = [t(language, "officer.digest_header", days=days, scope=scope, blocks=figures.blocks),
             t(language, "officer.digest_rules", values=counted(figures.by_rule)),
             t(language, "officer.digest_levels", values=counted(figures.by_level, level)),
             t(language, "officer.digest_sources", values=counted(figures.by_source)),
             t(language, "officer.digest_reports", open=figures.reports_open, upheld=figures.upheld,
               released=figures.released),
             t(language, "officer.digest_repeated", values=", ".join(repeated) or "—")]
    return "\n".join(lines)


async def _queue(uow: UnitOfWork, officer: PersonRecord, text: str, chart: bytes | None, days: int, tag: str) -> None:
    user_id = officer.person.telegram_user_id
    assert user_id is not None
    language = language_for(officer.person, uow.ctx.language)
    await uow.send(Outgoing.to(MessageKind.GUARD_DESK, ("digest", tag, officer.key), user_id, "sendMessage",
                               {"text": text}, person_key=officer.key))
    if chart is not None:
        await uow.send(Outgoing.file(MessageKind.GUARD_DESK, ("digest-chart", tag, officer.key), user_id,
                                     Upload(f"guard-{days}d.png", chart), photo=True,
                                     params={"caption": t(language, "officer.chart_caption", days=days)},
                                     person_key=officer.key))


async def guardreport(ctx: AppContext, origin: Origin, arguments: str) -> None:
    """/guardreport [Nd]: the figures now, over N days (default 7), privately, for officers."""
    try:
        async with ctx.db.reading() as tx:
            officer = await identify(tx, origin.user_id)
            officers.require_officer(officer, "/guardreport")
            if origin.chat_id != origin.user_id:
                raise PrivateOnlyError("/guardreport outside the private chat", command="/guardreport")
            days = parse_period(arguments) if arguments.strip() else REPORT_DAYS
            language = language_for(officer.person, ctx.language)
            figures = await figures_for(tx, officer, ctx.clock.now() - timedelta(days=days), ctx.zone)
            text = await render(tx, figures, officer, language, days)
    except ConsultError as error:
        await answer_error(ctx, origin, error)
        return
    chart = await asyncio.to_thread(guard_chart_png, figures, language, days=days) if figures.blocks else None

    async def deliver(uow: UnitOfWork) -> None:
        await uow.event("guard_report_viewed", actor=officer.key, data={"days": days, "blocks": figures.blocks})
        await _queue(uow, officer, text, chart, days, uow.tag)

    await perform(ctx, origin, deliver)


def next_due(now: datetime, zone: str, at: str) -> datetime:
    """The next digest time after `now` (today's if still ahead, else tomorrow's)."""
    tz = ZoneInfo(zone)
    hour, minute = (int(part) for part in at.split(":"))
    local = now.astimezone(tz)
    due = datetime.combine(local.date(), time(hour, minute), tz)
    return due if due > local else due + timedelta(days=1)


async def send_due(ctx: AppContext) -> int:
    """Send every officer's digest that is due today and not yet sent; how many went. An officer
    with no block in the day and no open report gets none: a digest says something happened."""
    tz = ZoneInfo(ctx.zone)
    now = ctx.clock.now()
    local = now.astimezone(tz)
    hour, minute = (int(part) for part in ctx.settings.guard_digest_time.split(":"))
    if local.time() < time(hour, minute):
        return 0
    today = local.date().isoformat()
    async with ctx.db.reading() as tx:
        everyone = [p for p in await people.list_people(tx)
                    if p.person.telegram_user_id is not None and officers.covers(p, p.person.agency)]
        due = [p for p in everyone if (await guard_cases.last_digest_day(tx, p.key) or "") < today]
    sent = 0
    for officer in due:
        language = language_for(officer.person, ctx.language)
        async with ctx.db.reading() as tx:
            figures = await figures_for(tx, officer, now - timedelta(days=DIGEST_DAYS), ctx.zone)
            text = await render(tx, figures, officer, language, DIGEST_DAYS)
            open_reports = await guard_cases.open_reports(tx, officers.scope_of(officer))
        if not figures.blocks and not open_reports:
            continue  # a quiet day: no digest (/guardreport answers on demand)
        chart = await asyncio.to_thread(guard_chart_png, figures, language, days=DIGEST_DAYS) \
            if figures.blocks else None
        async with unit_of_work(ctx) as uow:
            if not await guard_cases.digest_sent(uow.tx, officer.key, today):
                continue
            await uow.event("guard_digest", actor=officer.key, data={"day": today, "blocks": figures.blocks})
            await _queue(uow, officer, text, chart, DIGEST_DAYS, today)
        sent += 1
    return sent
