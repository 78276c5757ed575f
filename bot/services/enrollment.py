"""/start (with or without an enrollment token), /help, /whoami, /lang."""

from __future__ import annotations

from bot.domain.consultation import State
from bot.errors import UsageError
from bot.i18n import LANGUAGES, t
from bot.services.access import identify
from bot.services.opening import invite
from bot.services.seats import refresh_card
from bot.services.uow import UnitOfWork
from bot.store.repos import consultations, enrollments, people
from bot.store.repos.enrollments import Redemption
from bot.store.repos.people import PersonRecord


async def start(uow: UnitOfWork, user_id: int, payload: str, language: str) -> None:
    """Bind an account with a one-time token; for anyone enrolled, deliver what was held back."""
    token = payload.strip()
    if token and not token.startswith("c"):
        result = await enrollments.redeem(uow.tx, token, user_id, uow.now)
        if result.outcome is not Redemption.OK:
            await uow.event("enroll_refused", actor=f"tg:{user_id}", data={"reason": result.outcome.value})
            await uow.reply(user_id, t(language, f"enroll.{result.outcome.value}"))
            return
        assert result.person_key is not None
        await people.bind_telegram_id(uow.tx, result.person_key, user_id)
        await uow.event("enrolled", actor=result.person_key, data={"telegram_user_id": user_id})
    record = await people.person_by_telegram_id(uow.tx, user_id)
    if record is None:
        await uow.reply(user_id, t(language, "help.intro") + "\n\n" + t(language, "help.not_enrolled"))
        return
    language = record.person.language or language
    if token and not token.startswith("c"):
        await uow.reply(user_id, t(language, "enroll.done", name=record.person.name, agency=record.agency_name))
    await uow.reply(user_id, help_text(record, language))
    await deliver_held_invitations(uow, record)


async def deliver_held_invitations(uow: UnitOfWork, record: PersonRecord) -> None:
    """Invitations that could not be delivered (never started the bot, not yet enrolled) go now."""
    rows = await uow.tx.fetchall(
        "SELECT pa.consultation_id FROM participants pa JOIN consultations c ON c.id = pa.consultation_id"
        " WHERE pa.person_key = ? AND pa.reachable = 0 AND c.state = ?",
        (record.key, State.OPEN.value),
    )
    for row in rows:
        cid = int(row[0])
        consultation, data_key = await consultations.get(uow.tx, uow.ctx.keys, cid)
        uow.remember_key(data_key)
        attempts = await uow.tx.fetchval(
            "SELECT count(*) FROM outbox WHERE dedup_key LIKE ?", (f"invite:{cid}:{record.key}:%",)
        )
        await consultations.set_reachable(uow.tx, cid, record.key, True)
        await invite(uow, consultation, record, None, attempt=int(attempts) + 1)
        await refresh_card(uow, consultation)


def help_text(record: PersonRecord | None, language: str) -> str:
    parts = [t(language, "help.intro")]
    if record is None:
        parts.append(t(language, "help.not_enrolled"))
        return "\n\n".join(parts)
    parts.append(t(language, "help.everyone"))
    focal = [r for r in record.person.roles if r not in ("coordinator", "auditor", "admin")]
    if focal or record.person.alternate is not None:
        parts.append(t(language, "help.focal"))
    if record.person.has_role("coordinator"):
        parts.append(t(language, "help.coordinator"))
    if record.person.has_role("auditor"):
        parts.append(t(language, "help.auditor"))
    return "\n\n".join(parts)


async def help_(uow: UnitOfWork, user_id: int, chat_id: int, language: str) -> None:
    record = await people.person_by_telegram_id(uow.tx, user_id)
    await uow.reply(chat_id, help_text(record, (record.person.language if record else None) or language))


async def whoami(uow: UnitOfWork, user_id: int, chat_id: int) -> None:
    record = await identify(uow.tx, user_id)
    language = record.person.language or uow.ctx.language
    await uow.reply(chat_id, t(language, "whoami", name=record.person.name, agency=record.agency_name,
                               roles=", ".join(record.person.roles) or "—", user_id=user_id))


async def set_language(uow: UnitOfWork, user_id: int, chat_id: int, arguments: str) -> None:
    record = await identify(uow.tx, user_id)
    choice = arguments.strip().lower()
    if choice not in LANGUAGES:
        raise UsageError("usage", usage="lang")
    await people.set_language(uow.tx, record.key, choice)
    await uow.event("language_set", actor=record.key, data={"language": choice})
    await uow.reply(chat_id, t(choice, "lang.set"))
