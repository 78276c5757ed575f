"""The status card in the topic carries the coordinator's one-tap actions while the consultation
is open, and none once it is closed; a press on them in the group is checked against who presses
(issue 26, item 5). Private messages lead to the topic, the card back to the bot."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.domain.consultation import State
from bot.domain.outbox import MessageKind, opened
from bot.services import answering
from bot.services.consultations import coordinator_actions, managing
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork
from bot.services.sending import rendering
from bot.services.sending.linking import link_topic
from bot.store.datakeys import load_data_key
from bot.store.repos import consultations, outbox
from bot.store.repos.outbox import OutboxItem
from tests.support import KeywordGuard
from tests.support.flow import (
    COORD,
    GROUP,
    MOIT,
    escalate_now,
    open_one,
    outbox_rows,
    person_command,
    run,
    update_ids,
)

TOPIC_URL = "https://t.me/c/1234/77"  # GROUP is -1001234; the topic's thread, as Telegram would give it


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard(), bot_username="rapid_consult_bot")


async def card_markup(ctx: AppContext) -> Any:
    async with ctx.db.reading() as tx:
        _, markup = await rendering.card(ctx, tx, 1)
    return markup


def buttons(markup: Any, field: str) -> list[str]:
    return [b[field] for row in (markup or {}).get("inline_keyboard", []) for b in row if field in b]


def callback_data(markup: Any) -> list[str]:
    return buttons(markup, "callback_data")


def urls(markup: Any) -> list[str]:
    return buttons(markup, "url")


async def tap_in_group(ctx: AppContext, user: int, data: str) -> None:
    """`user` presses `data` on the card in the group (not in their private chat)."""
    the_press = answering.Press(f"cb{next(update_ids)}", user, data, chat_id=GROUP, message_id=5)

    async def refuse(uow: UnitOfWork, error: Any, language: str) -> None:
        await answering.refuse_press(uow, the_press, error, language)

    await run(ctx, user, "coordinator button", lambda uow: coordinator_actions.act(uow, the_press),
              chat_id=GROUP, on_error=refuse)


async def state(ctx: AppContext) -> State:
    async with ctx.db.reading() as tx:
        record, _ = await consultations.get(tx, ctx.keys, 1)
    return record.consultation.state


async def test_an_open_card_carries_the_actions_and_a_link_back_to_the_bot(ctx: AppContext) -> None:
    await open_one(ctx)
    markup = await card_markup(ctx)
    assert callback_data(markup) == ["c:1:remind", "c:1:extend", "c:1:close"]
    assert urls(markup) == ["https://t.me/rapid_consult_bot"]
    for row in markup["inline_keyboard"]:  # valid Bot API: a URL button carries no callback data
        for button in row:
            assert ("url" in button) != ("callback_data" in button)


async def test_a_closed_card_carries_no_actions(ctx: AppContext) -> None:
    await open_one(ctx)
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    assert await state(ctx) is State.CLOSED
    markup = await card_markup(ctx)
    assert callback_data(markup) == []
    assert urls(markup) == ["https://t.me/rapid_consult_bot"]


async def test_no_username_no_link_and_a_closed_card_has_no_keyboard(ctx: AppContext) -> None:
    ctx = replace(ctx, bot_username="")
    await open_one(ctx)
    assert urls(await card_markup(ctx)) == []
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    assert await card_markup(ctx) is None  # the closing edit carries none: Telegram removes the buttons


async def test_someone_else_pressing_the_cards_close_is_refused_and_told_who_may(ctx: AppContext) -> None:
    await open_one(ctx)
    await tap_in_group(ctx, MOIT, "c:1:close")
    assert await state(ctx) is State.OPEN
    rows = await outbox_rows(ctx)
    [alert] = [r for r in rows if r["kind"] == MessageKind.CALLBACK_ANSWER]
    assert alert["show_alert"] is True and alert["chat"] == MOIT  # to the presser alone, never the group
    assert "cán bộ điều phối của #1 — Nguyễn" in alert["text"]
    assert not [r for r in rows if r["chat"] == GROUP and "Kết quả" in (r.get("text") or "")]


async def test_the_coordinator_extends_from_the_card_in_the_group(ctx: AppContext) -> None:
    await open_one(ctx)
    async with ctx.db.reading() as tx:
        before = (await consultations.get(tx, ctx.keys, 1))[0].consultation.deadline_at
    await tap_in_group(ctx, COORD, "c:1:extend")
    async with ctx.db.reading() as tx:
        after = (await consultations.get(tx, ctx.keys, 1))[0].consultation.deadline_at
    assert (after - before).total_seconds() == 30 * 60
    rows = await outbox_rows(ctx)
    [answered] = [r for r in rows if r["kind"] == MessageKind.CALLBACK_ANSWER]  # the spinner stops
    assert not answered.get("show_alert") and answered["text"] == "Đã thực hiện."
    assert not [r for r in rows if r["chat"] == GROUP and r["kind"] == MessageKind.REPLY]  # said privately


async def due(ctx: AppContext) -> list[OutboxItem]:
    async with ctx.db.reading() as tx:
        return await outbox.due(tx, ctx.clock.now() + timedelta(days=1), limit=500)


async def linked(ctx: AppContext, item: OutboxItem) -> tuple[str | None, dict[str, Any]]:
    async with ctx.db.reading() as tx:
        stored = opened(item.payload(await load_data_key(tx, ctx.keys, item.key_owner)))
        params = stored.params
        waiting = await link_topic(ctx, tx, item, params, bool((stored.render or {}).get("topic_link")))
    return waiting, params


async def test_private_messages_lead_to_the_topic_once_it_exists(ctx: AppContext) -> None:
    await open_one(ctx)
    items = await due(ctx)
    invite = next(i for i in items if i.kind is MessageKind.INVITE)
    reply = next(i for i in items if i.kind is MessageKind.REPLY and i.chat_id == COORD)
    waiting, _ = await linked(ctx, invite)
    assert waiting == "topic:1"  # the topic's call has not been tried: worth the wait
    async with ctx.db.transaction() as tx:
        await consultations.set_thread(tx, 1, GROUP, 77)
    for item in (invite, reply):
        waiting, params = await linked(ctx, item)
        assert waiting is None
        assert urls(params["reply_markup"]) == [TOPIC_URL]
        assert "topic_link" not in params  # a render input, never a parameter Telegram gets
    _, params = await linked(ctx, invite)
    assert callback_data(params["reply_markup"]) == ["a:1:agree", "a:1:object", "a:1:more_time"]


async def test_nothing_in_the_group_gets_a_topic_button(ctx: AppContext) -> None:
    await open_one(ctx)
    async with ctx.db.transaction() as tx:
        await consultations.set_thread(tx, 1, GROUP, 77)
    for item in await due(ctx):
        if item.chat_id == GROUP:
            waiting, params = await linked(ctx, item)
            assert waiting is None and TOPIC_URL not in urls(params.get("reply_markup"))


@pytest.mark.parametrize("held", ["tried", "flood"])
async def test_a_topic_that_fails_or_is_held_back_is_not_waited_for(ctx: AppContext, held: str) -> None:
    await open_one(ctx)
    items = await due(ctx)
    topic = next(i for i in items if i.kind is MessageKind.TOPIC)
    async with ctx.db.transaction() as tx:
        if held == "tried":  # tried once and failed: it waits out a back-off
            await outbox.mark_retry(tx, topic.id, ctx.clock.now() + timedelta(seconds=30), "500")
        else:  # Telegram's flood limit: postponed, no attempt counted
            await outbox.postpone(tx, topic.id, ctx.clock.now() + timedelta(seconds=30), "429")
    invite = next(i for i in items if i.kind is MessageKind.INVITE)
    waiting, params = await linked(ctx, invite)
    assert waiting is None and urls(params["reply_markup"]) == []  # sent now, without the button


async def test_the_deadline_and_closing_notices_lead_to_the_topic(ctx: AppContext) -> None:
    await open_one(ctx)
    async with ctx.db.transaction() as tx:
        await consultations.set_thread(tx, 1, GROUP, 77)
    await escalate_now(ctx)
    await person_command(managing.close, COORD, "1", "/close")(ctx)
    items = await due(ctx)
    notices = [i for i in items if i.kind in (MessageKind.ESCALATE_NOTICE, MessageKind.CLOSE_NOTICE)]
    assert {i.kind for i in notices} == {MessageKind.ESCALATE_NOTICE, MessageKind.CLOSE_NOTICE}
    for item in notices:
        _, params = await linked(ctx, item)
        assert urls(params["reply_markup"]) == [TOPIC_URL]
        if item.kind is MessageKind.ESCALATE_NOTICE:  # below the one-tap actions, not instead of them
            assert callback_data(params["reply_markup"]) == ["c:1:remind", "c:1:extend", "c:1:close"]
