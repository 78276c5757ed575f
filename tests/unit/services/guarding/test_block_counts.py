"""Block notices count only what carried a marking: a voice note or a sticker, which the guard
cannot read, is counted apart, as "could not be checked" (issue 24, item 9)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.services import comments
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from tests.support import KeywordGuard
from tests.support.flow import GROUP, NSV, outbox_rows, run


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def _post(ctx: AppContext, message_id: int, text: str = "", media: str | None = None) -> None:
    incoming = Incoming(NSV, GROUP, message_id, text, unchecked_media=media)
    await run(ctx, NSV, "comment", lambda uow: comments.comment(uow, incoming), chat_id=GROUP)


async def _notices(ctx: AppContext, chat: int) -> list[str]:
    return [r["text"] for r in await outbox_rows(ctx) if r["key"].startswith("blocked-notice:") and r["chat"] == chat]


async def test_a_marked_post_and_two_voice_notes_are_told_apart(ctx: AppContext) -> None:
    await _post(ctx, 10, "TỐI MẬT kế hoạch")
    await _post(ctx, 11, media="voice")
    await _post(ctx, 12, media="sticker")
    group = await _notices(ctx, GROUP)
    marked = [text for text in group if "mang dấu mật" in text]
    unchecked = [text for text in group if "không kiểm tra được" in text]
    assert len(marked) == 1 and marked[0].startswith("🚫 Một tin nhắn"), group  # one, not three
    assert len(unchecked) == 1 and unchecked[0].startswith("🚫 2 tin nhắn"), group
    private = await _notices(ctx, NSV)
    assert any(text.startswith("🚫 Tin nhắn của anh/chị mang dấu «Tối mật»") for text in private), private
    assert any(text.startswith("🚫 2 tin nhắn của anh/chị không kiểm tra được") for text in private), private


async def test_voice_notes_alone_are_never_said_to_carry_a_marking(ctx: AppContext) -> None:
    await _post(ctx, 20, media="voice")
    texts = await _notices(ctx, GROUP) + await _notices(ctx, NSV)
    assert texts and not any("mang dấu" in text for text in texts), texts
