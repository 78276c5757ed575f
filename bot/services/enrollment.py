"""/start (with or without an enrollment token), /help, /whoami, /lang."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.absence import is_away
from bot.domain.commands import nearest
from bot.domain.deeplinks import StartKind, parse_start
from bot.domain.language import language_for
from bot.domain.outbox import MessageKind, Outgoing
from bot.domain.roster import BUILTIN_ROLES, NATIONAL_SECURITY_OFFICER, SECURITY_OFFICER
from bot.errors import UsageError
from bot.i18n import LANGUAGES, t
from bot.services.consultations.opening import invite
from bot.services.kernel.access import identify
from bot.services.kernel.seats import refresh_card
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation import texts
from bot.services.presentation.formatting import local_time
from bot.store.repos import consultations, enrollments, invitations, outbox, people
from bot.store.repos.enrollments import Redemption
from bot.store.repos.people import PersonRecord


async def start(uow: UnitOfWork, user_id: int, payload: str, language: str) -> None:
    """Bind an account with a one-time link; for anyone enrolled, deliver what was held back.
    `language` is the client's; a person enrolled already is answered in the one they chose."""
    known = await people.person_by_telegram_id(uow.tx, user_id)
    language = language_for(known.person if known is not None else None, language)
    link = parse_start(payload)
    if link.kind is StartKind.INVALID:
        await uow.event("enroll_refused", actor=f"tg:{user_id}", data={"reason": "malformed"})
        await uow.reply(user_id, t(language, "enroll.unknown"))
        return
    if link.kind is StartKind.ENROLL:
        assert link.token is not None
        if not await _enroll(uow, user_id, link.token, language):
            return
    record = await people.person_by_telegram_id(uow.tx, user_id)
    if record is None:
        await uow.reply(user_id, t(language, "help.intro") + "\n\n" + t(language, "help.not_enrolled"))
        return
    language = language_for(record.person, language)
    if link.kind is StartKind.ENROLL:
        await uow.reply(user_id, t(language, "enroll.done", name=record.person.name, agency=record.agency_name))
    await uow.reply(user_id, help_text(record, language))
    await deliver_held_invitations(uow, record)


async def _enroll(uow: UnitOfWork, user_id: int, token: str, language: str) -> bool:
    """Spend the link and bind this account, unless that would silently move an identity: a
    person enrolled with another account moves only with a `--rebind` link (and the old account
    is told), and an account enrolled as someone else is never taken over."""
    result = await enrollments.redeem(uow.tx, token, user_id, uow.now)
    reason = None if result.outcome is Redemption.OK else result.outcome.value
    person = await people.person_by_key(uow.tx, result.person_key) if reason is None and result.person_key else None
    if reason is None and person is None:
        reason = Redemption.UNKNOWN.value
    if person is not None and reason is None:
        holder = await people.person_by_telegram_id(uow.tx, user_id)
        if holder is not None and holder.key != person.key:
            reason = "account_taken"
        elif person.person.telegram_user_id not in (None, user_id) and not result.rebind:
            reason = "already_enrolled"
    if reason is not None or person is None:
        await uow.event("enroll_refused", actor=f"tg:{user_id}", data={"reason": reason})
        await uow.reply(user_id, t(language, f"enroll.{reason}"))
        return False
    previous = person.person.telegram_user_id
    await people.bind_telegram_id(uow.tx, person.key, user_id)
    if previous is None or previous == user_id:
        await uow.event("enrolled", actor=person.key, data={"telegram_user_id": user_id})
        return True
    await uow.event("rebound", actor=person.key, data={"telegram_user_id": user_id, "previous": previous})
    old_language = language_for(person.person, uow.ctx.language)
    await uow.send(Outgoing.to(MessageKind.REBOUND, (person.key, uow.tag), previous, "sendMessage", {
        "text": t(old_language, "enroll.moved_away", name=person.person.name)},
        person_key=person.key))
    return True


async def deliver_held_invitations(uow: UnitOfWork, record: PersonRecord) -> None:
    """Invitations that could not be delivered (never started the bot, not yet enrolled) go now."""
    for cid in await invitations.held_back(uow.tx, record.key):
        consultation, data_key = await consultations.get(uow.tx, uow.ctx.keys, cid)
        uow.remember_key(data_key)
        attempts = await outbox.invitations_queued(uow.tx, cid, record.key)
        await consultations.set_reachable(uow.tx, cid, record.key, True)
        await invite(uow, consultation, record, None, attempt=attempts + 1)
        await refresh_card(uow, consultation)


def help_text(record: PersonRecord | None, language: str) -> str:
    parts = [t(language, "help.intro")]
    if record is None:
        parts.append(t(language, "help.not_enrolled"))
        return "\n\n".join(parts)
    parts.append(t(language, "help.everyone"))
    focal = [r for r in record.person.roles if r not in BUILTIN_ROLES]
    if focal or record.person.alternate is not None:
        parts.append(t(language, "help.focal"))
    if record.person.has_role("coordinator"):
        parts.append(t(language, "help.coordinator"))
    if record.person.has_role("auditor"):
        parts.append(t(language, "help.auditor"))
    if record.person.has_role(SECURITY_OFFICER) or record.person.has_role(NATIONAL_SECURITY_OFFICER):
        parts.append(t(language, "help.officer"))
    return "\n\n".join(parts)


async def help_(uow: UnitOfWork, user_id: int, chat_id: int, language: str) -> None:
    record = await people.person_by_telegram_id(uow.tx, user_id)
    await uow.reply(chat_id, help_text(record, language_for(record.person if record else None, language)))


async def unknown_command(uow: UnitOfWork, user_id: int, chat_id: int, command: str, language: str,
                          known: Sequence[str] = ()) -> None:
    """`/foo`: there is no such command. A near miss (`/remid`) is asked back — «Có phải ý anh/chị
    là /remind?» — rather than answered with the whole help; anything else gets the short help."""
    record = await people.person_by_telegram_id(uow.tx, user_id)
    language = language_for(record.person if record else None, language)
    if command == "/start":  # it exists, in private chat only
        await uow.reply(chat_id, t(language, "error.private_only"))
        return
    meant = nearest(command, known)
    if meant:
        joined = f" {t(language, 'word.or')} ".join(f"/{name}" for name in meant)
        await uow.reply(chat_id, t(language, "unknown_command.did_you_mean", command=command, meant=joined))
        return
    await uow.reply(chat_id, t(language, "unknown_command", command=command) + "\n\n" + help_text(record, language))


async def whoami(uow: UnitOfWork, user_id: int, chat_id: int) -> None:
    record = await identify(uow.tx, user_id)
    language = language_for(record.person, uow.ctx.language)
    roles = texts.role_names(uow.ctx.routing, record.person.roles, language) or "—"
    text = t(language, "whoami", name=record.person.name, agency=record.agency_name, roles=roles, user_id=user_id)
    if record.away_until is not None and is_away(record.away_until, uow.now):
        text += "\n" + t(language, "whoami.away", until=local_time(record.away_until, uow.ctx.zone))
    await uow.reply(chat_id, text)


async def set_language(uow: UnitOfWork, user_id: int, chat_id: int, arguments: str) -> None:
    record = await identify(uow.tx, user_id)
    choice = arguments.strip().lower()
    if choice not in LANGUAGES:
        raise UsageError("usage", usage="lang")
    await people.set_language(uow.tx, record.key, choice)
    await uow.event("language_set", actor=record.key, data={"language": choice})
    await uow.reply(chat_id, t(choice, "lang.set"))
