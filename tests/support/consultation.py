"""A whole consultation, run through the use cases with a hand-moved clock: every kind of fact a transcript shows."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.audit.transcript import allowed_signers_line
from bot.clock import FakeClock
from bot.services import comments
from bot.services.consultations import managing, opening
from bot.services.dispatch import Origin, as_person, perform
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.uow import UnitOfWork
from tests.support.flow import escalate_now, press

GROUP = -1001234
COORD, MOIT, MOIT_ALT, NSV = 1001, 2001, 2002, 6001
PERSON_KEYS = ("coord-1", "auditor-1", "moit-1", "moit-2", "nsv-1", "nsv-2")
_updates = itertools.count(5000)


async def act(ctx: AppContext, user: int, action: Callable[[UnitOfWork], Awaitable[Any]], command: str) -> None:
    await perform(ctx, Origin(next(_updates), user, user, None, "vi", command), action)


async def command(ctx: AppContext, use_case: Callable[..., Awaitable[Any]], user: int, arguments: str) -> None:
    origin = Origin(next(_updates), user, user, None, "vi", "/x")
    await perform(ctx, origin, as_person(origin, lambda uow, p: use_case(uow, p, arguments, origin.chat_id)))


async def comment(ctx: AppContext, user: int, text: str, reply_to: int) -> None:
    incoming = Incoming(user, user, next(_updates), text, reply_to_message_id=reply_to)
    await act(ctx, user, lambda uow: comments.comment(uow, incoming), "comment")


async def run_consultation(ctx: AppContext) -> None:
    clock = ctx.clock
    assert isinstance(clock, FakeClock)
    await command(ctx, opening.open_consultation, COORD, "2h aec: Dự thảo tuyên bố về kinh tế số")
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE participants SET invitation_message_id = 900 WHERE person_key = 'nsv-1'")
    clock.advance(timedelta(minutes=12, seconds=7))
    await comment(ctx, NSV, "Đề nghị sửa đoạn 2. 👍", 900)
    await comment(ctx, NSV, "Lý do: [MẬT] nước C phản đối", 900)
    await comment(ctx, NSV, "TỐI MẬT phương án B", 900)
    clock.advance(timedelta(minutes=50))
    await command(ctx, managing.remind, COORD, "1")
    clock.advance(timedelta(hours=1, minutes=30))  # past the deadline
    await escalate_now(ctx)
    await press(ctx, MOIT_ALT, "a:1:agree")  # moit-1's alternate answers for the agency, after escalation
    await press(ctx, NSV, "a:1:object")
    clock.advance(timedelta(minutes=3))
    await command(ctx, managing.close, COORD, "1 Thống nhất trình lãnh đạo")


def published(ctx: AppContext, folder: Path) -> Path:
    """The line `consult keys show-public` prints, as the auditor keeps it."""
    path = folder / "published_signers"
    path.write_text(allowed_signers_line(ctx.keys.signing_key().public_key()) + "\n")
    return path
