"""Use cases run through the same dispatcher the handlers use, without Telegram, and what they left behind."""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.outbox import MessageKind, opened
from bot.domain.plan import StepKind
from bot.services import answering
from bot.services.consultations import opening, steps
from bot.services.dispatch import Origin, as_person, perform
from bot.services.guarding import blocking
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork, within
from bot.store.crypto import decrypt_field, field_aad
from bot.store.datakeys import load_data_key
from bot.store.repos import prompts
from bot.store.repos import steps as step_repo

GROUP = -1001234
COORD, AUDITOR, MOIT, MOIT_ALT, NSV, NSV_ALT, MOHA = 1001, 1002, 2001, 2002, 6001, 6002, 3001
update_ids = itertools.count(1000)


async def run(ctx: AppContext, user_id: int, command: str,
              action: Callable[[UnitOfWork], Awaitable[Any]], update_id: int | None = None, chat_id: int | None = None,
              on_error: Any = None) -> int:
    update_id = update_id or next(update_ids)
    origin = Origin(update_id, user_id, chat_id or user_id, None, "vi", command)
    await perform(ctx, origin, action, on_error)
    return update_id


def person_command(use_case: Callable[..., Awaitable[Any]], user_id: int, arguments: str, command: str,
                   chat_id: int | None = None) -> Callable[[AppContext], Awaitable[int]]:
    async def go(ctx: AppContext) -> int:
        origin = Origin(next(update_ids), user_id, chat_id or user_id, None, "vi", command)
        await perform(ctx, origin, as_person(origin, lambda uow, p: use_case(uow, p, arguments, origin.chat_id)))
        return origin.update_id
    return go


async def outbox_rows(ctx: AppContext) -> list[dict[str, Any]]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall(
            "SELECT id, dedup_key, key_owner, chat_id, method, payload_enc, kind, consultation_id, person_key,"
            " for_person_key, depends_on FROM outbox ORDER BY id"
        )
        result = []
        for row in rows:
            key = await load_data_key(tx, ctx.keys, int(row["key_owner"]))
            sealed = bytes(row["payload_enc"])
            stored = opened(json.loads(decrypt_field(key, sealed, field_aad("outbox", row["id"], "payload"))))
            payload = stored.params
            if row["kind"] == MessageKind.BLOCKED_NOTICE:  # rendered as the delivery service would, now
                payload["text"], _ = await blocking.render_notice(tx, stored.render or {})
            result.append({"id": row["id"], "key": row["dedup_key"], "chat": row["chat_id"], "method": row["method"],
                           "kind": row["kind"], "consultation_id": row["consultation_id"],
                           "person_key": row["person_key"], "for_person_key": row["for_person_key"],
                           "depends_on": row["depends_on"], "upload": stored.upload, "render": stored.render,
                           **payload})
        return result


async def events(ctx: AppContext, event_type: str) -> list[Any]:
    async with ctx.db.reading() as tx:
        return await tx.fetchall("SELECT * FROM events WHERE type = ? ORDER BY seq", (event_type,))


async def open_one(ctx: AppContext, arguments: str = "2h aec: Lập trường về dự thảo") -> None:
    await person_command(opening.open_consultation, COORD, arguments, "/urgent")(ctx)


async def deliver_buttons(ctx: AppContext) -> None:
    """What the delivery service records once Telegram took a message with answer buttons: for whom a press
    on it counts (each outbox row id stands in for the message id Telegram would give)."""
    rows = await outbox_rows(ctx)
    async with ctx.db.transaction() as tx:
        for row in rows:
            if row["kind"] in (MessageKind.INVITE, MessageKind.ESCALATE, MessageKind.STAND_IN):
                await prompts.record(tx, row["chat"], row["id"], row["consultation_id"], row["person_key"],
                                     row["for_person_key"] or row["person_key"])


async def buttons_message(ctx: AppContext, user: int, consultation_id: int | None) -> int | None:
    """The message with answer buttons the bot sent `user` (for that consultation, if it sent one)."""
    await deliver_buttons(ctx)
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT message_id, consultation_id FROM answer_prompts WHERE chat_id = ?"
                                 " ORDER BY consultation_id = ? DESC, message_id DESC", (user, consultation_id))
    return int(rows[0]["message_id"]) if rows else None


async def press(ctx: AppContext, user: int, data: str, message_id: int | None = None) -> None:
    """`user` presses `data` on the bot's message with buttons in their chat (or on `message_id`)."""
    parsed = data.split(":")
    cid = int(parsed[1]) if len(parsed) > 1 and parsed[1].isdigit() else None
    on = message_id if message_id is not None else await buttons_message(ctx, user, cid)
    the_press = answering.Press(f"cb{next(update_ids)}", user, data, chat_id=user, message_id=on)

    async def refuse(uow: UnitOfWork, error: Any, language: str) -> None:
        await answering.refuse_press(uow, the_press, error, language)

    await run(ctx, user, "button", lambda uow: answering.answer(uow, the_press), on_error=refuse)


async def escalate_now(ctx: AppContext, consultation_id: int = 1) -> None:
    """Fire the consultation's escalation step now, as the deadline engine would at the deadline."""
    async with ctx.db.transaction() as tx:
        step = next(s for s in await step_repo.pending_for(tx, consultation_id) if s.kind is StepKind.ESCALATION)
        uow, committed = within(ctx, tx)
        await steps.fire(uow, step)
    committed()
