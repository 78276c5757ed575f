"""Who is asking, and may they. People are known by the Telegram user id they enrolled with."""

from __future__ import annotations

from bot.errors import NotAuthorisedError, NotEnrolledError, PrivateOnlyError
from bot.store.db import Tx
from bot.store.repos import people
from bot.store.repos.people import PersonRecord


async def identify(tx: Tx, telegram_user_id: int) -> PersonRecord:
    record = await people.person_by_telegram_id(tx, telegram_user_id)
    if record is None:
        raise NotEnrolledError(f"telegram user {telegram_user_id} is not enrolled", user_id=telegram_user_id)
    return record


def require_role(record: PersonRecord, command: str, *roles: str) -> None:
    if not any(record.person.has_role(role) for role in roles):
        raise NotAuthorisedError(
            f"{record.key} lacks {'/'.join(roles)} for {command}", command=command, person=record.key,
            roles=list(roles),  # the refusal says who may (issue 26, item 6)
        )


async def private_caller(tx: Tx, user_id: int, chat_id: int, command: str, *roles: str) -> PersonRecord:
    """Who asks for what only their private chat may receive (a file, figures): enrolled, holding
    one of `roles`, and asking there."""
    record = await identify(tx, user_id)
    require_role(record, command, *roles)
    if chat_id != user_id:
        raise PrivateOnlyError(f"{command} outside the private chat")
    return record
