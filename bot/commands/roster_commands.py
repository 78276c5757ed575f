"""`consult roster ...`"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from bot.commands.apps import friendly_errors, roster_app
from bot.composition import open_context
from bot.config import load_settings
from bot.domain.deeplinks import enrollment_payload
from bot.errors import NotFoundError, UsageError
from bot.policy.files import load_roster
from bot.services.people.roster import deep_link, import_roster_file
from bot.store.repos import enrollments, people


@roster_app.command("import")
@friendly_errors
def import_(file: Path = typer.Argument(..., help="Roster YAML (see policies/roster.example.yaml)")) -> None:
    """Load agencies and people; every error names the file and the line."""
    settings = load_settings()

    async def run() -> str:
        async with open_context(settings) as context:
            summary = await import_roster_file(context, file)
        return (
            f"imported {summary.agencies} agencies and {summary.people} people"
            + (f"; {summary.deactivated} no longer in the file were deactivated" if summary.deactivated else "")
        )

    typer.echo(asyncio.run(run()))


@roster_app.command("check")
@friendly_errors
def check(file: Path) -> None:
    """Validate a roster file without importing it."""
    settings = load_settings()
    from bot.policy.files import load_routing

    roster = load_roster(file, load_routing(settings.policy_dir))
    typer.echo(f"{file}: OK ({len(roster.agencies)} agencies, {len(roster.people)} people)")


@roster_app.command("list")
@friendly_errors
def list_() -> None:
    """People, their agency, roles, alternate and whether they are enrolled."""
    settings = load_settings()

    async def run() -> list[people.PersonRecord]:
        async with open_context(settings) as context, context.db.reading() as tx:
            return await people.list_people(tx, active_only=False)

    for record in asyncio.run(run()):
        person = record.person
        enrolled = "enrolled" if person.telegram_user_id else "not enrolled"
        state = "" if record.active else " (inactive)"
        alternate = f" alternate={person.alternate}" if person.alternate else ""
        away = f" away-until={record.away_until.isoformat()}" if record.away_until and \
            record.away_until > datetime.now(UTC) else ""
        typer.echo(
            f"{person.key}\t{person.name}\t{record.agency_name}\t{','.join(person.roles) or '-'}\t{enrolled}"
            f"{alternate}{away}{state}"
        )


@roster_app.command("enroll")
@friendly_errors
def enroll(
    person: str = typer.Argument(..., help="The person's key in the roster"),
    ttl_hours: int = typer.Option(None, "--ttl-hours", help="Hours the link works (default from settings)"),
    rebind: bool = typer.Option(False, "--rebind",
                                help="The person is enrolled already: let the link move them to another "
                                     "Telegram account (the old account is told)"),
) -> None:
    """Print a one-time deep link that binds the Telegram account that opens it to PERSON."""
    settings = load_settings()
    ttl = timedelta(hours=ttl_hours or settings.enrollment_ttl_hours)

    async def run() -> tuple[str, int | None]:
        async with open_context(settings) as context, context.db.transaction() as tx:
            record = await people.person_by_key(tx, person)
            if record is None or not record.active:
                raise NotFoundError(f"no active person {person!r} in the roster; see `consult roster list`")
            current = record.person.telegram_user_id
            if current is not None and not rebind:
                raise UsageError(
                    f"{person} is already enrolled (Telegram account {current}); a new link would move them to "
                    f"another account. If that is what you mean: `consult roster enroll {person} --rebind` "
                    "(the old account is told when the link is used)")
            token = await enrollments.create_token(tx, person, context.clock.now(), ttl, rebind=rebind)
            return token, current

    token, current = asyncio.run(run())
    typer.echo(deep_link(settings.bot_username, enrollment_payload(token)))
    typer.echo(f"works once, for {int(ttl.total_seconds() // 3600)} hours; send it to {person} privately")
    if rebind and current is not None:
        typer.echo(f"when it is used, {person} moves from Telegram account {current} to the account that opens it, "
                   "and the old account is told")


@roster_app.command("away")
@friendly_errors
def away(
    person: str = typer.Argument(..., help="The person's key in the roster"),
    until: str = typer.Option(..., "--until", help="3d, 12h, a date 05/12 (to the end of that day, local time), "
                                                   "or off to end the absence"),
    note: str = typer.Option("", "--note", help="A short note shown to whoever stands in (judged by the guard)"),
) -> None:
    """Mark PERSON away until a time (their invitations and reminders go to their alternate), or back."""
    from bot.composition import compose, default_guard
    from bot.services.absence import by_administrator
    from bot.services.kernel.uow import unit_of_work
    from bot.stores import open_stores

    settings = load_settings()

    async def run() -> str:
        async with open_stores(settings) as stores:
            context = compose(stores, guard=default_guard(settings))
            async with unit_of_work(context) as uow:
                outcome = await by_administrator(uow, person, until, note)
        if outcome.until is None:
            return f"{person} is not away" if outcome.previous is None else f"{person} is back"
        local = outcome.until.astimezone(ZoneInfo(settings.timezone)).strftime("%H:%M %d/%m/%Y")
        if outcome.alternate is None:
            return (f"{person} is away until {local}; warning: nobody stands in (no enrolled alternate who is "
                    "present): coordinators are told of each invitation at once")
        return f"{person} is away until {local}; {outcome.alternate.key} receives for them meanwhile"

    typer.echo(asyncio.run(run()))
