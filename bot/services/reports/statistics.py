"""`/stats [<days>d]`: how each agency answered over a period, as a table and a chart.

For coordinators and auditors, in their private chat: which agencies answer, how fast, how often
late, is a judgement on ministries and stays between the people who run the mechanism. The
figures come from the invitations to consultations (notices and cancelled consultations are not
counted: a notice asks for no position, a cancelled consultation for nothing) by
`bot.domain.stats`; the table (`bot.audit.stats_table`, HTML, split to fit) and the chart
(`bot.audit.stats_chart`, a PNG drawn off the event loop) are in the reader's language.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from bot.audit.stats_chart import stats_chart_png
from bot.audit.stats_table import stats_messages
from bot.domain.outbox import MessageKind, Outgoing, Upload
from bot.domain.stats import PeriodStats, parse_period, period_stats
from bot.i18n import t
from bot.services.dispatch import Asked, Origin, staged
from bot.services.kernel.access import private_caller
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork
from bot.store.db import Tx
from bot.store.repos import invitations, people
from bot.store.repos.people import PersonRecord


async def stats_for(ctx: AppContext, origin: Origin, arguments: str) -> None:
    """The figures are read in one snapshot, the chart drawn outside any transaction, and both
    sent in one unit of work with the event that records who looked at what period."""

    async def read(tx: Tx) -> tuple[PersonRecord, Period]:
        person = await private_caller(tx, origin.user_id, origin.chat_id, "/stats", "coordinator", "auditor")
        days = parse_period(arguments)
        until = ctx.clock.now()
        since = until - timedelta(days=days)
        rows = await invitations.rows_between(tx, since, until)
        agencies = await invitations.agencies_in_order(tx)
        shorts = ctx.routing.short_names(await people.agencies(tx))
        return person, Period(days, period_stats(rows, since, until, agencies), shorts)

    async def make(asked: Asked[Period]) -> tuple[list[str], bytes | None]:
        stats, days, language = asked.read.stats, asked.read.days, asked.language
        table = stats_messages(stats, language, days=days, zone=ctx.zone, short_names=asked.read.short_names)
        chart = None if stats.empty else await asyncio.to_thread(
            stats_chart_png, stats, language, days=days, zone=ctx.zone, short_names=asked.read.short_names)
        return table, chart

    async def send(uow: UnitOfWork, asked: Asked[Period], made: tuple[list[str], bytes | None]) -> None:
        (table, chart), days, person = made, asked.read.days, asked.person
        await uow.event("stats_viewed", actor=person.key,
                        data={"days": days, "consultations": asked.read.stats.consultations})
        for text in table:
            await uow.reply(origin.chat_id, text, parse_mode="HTML")
        if chart is not None:
            await uow.send(Outgoing.file(MessageKind.STATS_CHART, (uow.tag,), origin.chat_id,
                                         Upload(f"stats-{days}d.png", chart), photo=True,
                                         params={"caption": t(asked.language, "stats.caption", days=days)},
                                         person_key=person.key))

    await staged(ctx, origin, read, make, send)


@dataclass(frozen=True)
class Period:
    days: int
    stats: PeriodStats
    short_names: dict[str, str] = field(default_factory=dict)  # full name -> as the routing policy writes it
