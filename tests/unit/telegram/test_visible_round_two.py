"""Parts a client shows that the gate did not read (issue 24, item 1, red team round two): a button's
web app, login link or chosen-chat query; a link's address and a code block's language wherever an
entity is (text, caption, quote, poll explanation, game text, checklist); the button text of web app
data and a web app's name; the pictures and names of any media a preview shows (a reply to another
chat's video, sticker, audio, live photo or paid post; a poll's, its explanation's and its options'
media; a game's picture); a live photo's still; a chat background; a pinned message (one posted
before the bot joined was never judged): deleted, else unpinned, the coordinators told; a custom
emoji (in any text, as a topic's icon), judged by its picture."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from telegram import Bot, Sticker, Update
from telegram.error import BadRequest

from bot.guard.engine import Guard
from bot.i18n import t
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Incoming
from bot.services.kernel.ports import ON_A_THREAD
from bot.telegram import remedies, visible
from bot.telegram.gate import message_of
from tests.support import image_corpus

USER = {"id": 2001, "is_bot": False, "first_name": "B"}
GROUP = {"id": -100123, "type": "supergroup", "title": "G", "is_forum": True}
MARK = "TỐI MẬT"
LINK = "https://tailieu.example/TỐI MẬT"
STILL = [{"file_id": "STAMP", "file_unique_id": "s", "width": 320, "height": 320}]
THUMB = {"file_id": "STAMP", "file_unique_id": "s", "width": 320, "height": 320}
POLL = {"id": "p", "question": "Có đồng ý?", "options": [{"text": "Có", "voter_count": 0, "persistent_id": "0"}],
        "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False, "allows_revoting": False, "members_only": False}
VIDEO = {"file_id": "v", "file_unique_id": "v", "width": 1, "height": 1, "duration": 1, "thumbnail": THUMB}


def reply_to_other_chat(**shown: Any) -> dict[str, Any]:
    return {"text": "ý kiến", "external_reply": {
        "origin": {"type": "hidden_user", "date": 1, "sender_user_name": "Ẩn"}, **shown}}


def button(**fields: Any) -> dict[str, Any]:
    return {"text": "xem", "reply_markup": {"inline_keyboard": [[{"text": "Mở", **fields}]]}}


def link(text: str, **more: Any) -> list[dict[str, Any]]:
    return [{"type": "text_link", "offset": 0, "length": len(text), "url": LINK, **more}]


TEXTS = {
    "web-app-button": button(web_app={"url": LINK}),
    "login-button": button(login_url={"url": LINK}),
    "chosen-chat-button": button(switch_inline_query_chosen_chat={"query": MARK}),
    "text-link": {"text": "tài liệu", "entities": link("tài liệu")},
    "caption-link": {"caption": "ảnh", "photo": [{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9}],
                     "caption_entities": link("ảnh")},
    "code-language": {"text": "print()", "entities": [{"type": "pre", "offset": 0, "length": 7, "language": MARK}]},
    "quote-link": {"text": "đồng ý", "quote": {"text": "xem", "position": 0, "entities": link("xem")}},
    "explanation-link": {"poll": {**POLL, "type": "quiz", "correct_option_ids": [0], "explanation": "vì",
                                  "explanation_entities": link("vì")}},
    "game-text-link": {"game": {"title": "Trò", "description": "chơi", "photo": [], "text": "xem",
                                "text_entities": link("xem")}},
    "checklist-task-link": {"checklist": {"title": "Việc", "tasks": [{"id": 1, "text": "gửi",
                                                                      "text_entities": link("gửi")}]}},
    "web-app-data": {"web_app_data": {"data": "{}", "button_text": MARK}},
    "write-access": {"write_access_allowed": {"web_app_name": MARK}},
    "connected-website": {"connected_website": f"{MARK}.example"},
    "external-audio-title": reply_to_other_chat(audio={"file_id": "a", "file_unique_id": "a", "duration": 1,
                                                        "title": MARK}),
    "external-audio-performer": reply_to_other_chat(audio={"file_id": "a", "file_unique_id": "a", "duration": 1,
                                                            "performer": MARK}),
    "poll-option-file": {"poll": {**POLL, "options": [{"text": "Có", "voter_count": 0, "persistent_id": "0", "media": {
        "document": {"file_id": "d", "file_unique_id": "d", "file_name": f"{MARK}.pdf"}}}]}},
    "game-animation-name": {"game": {"title": "Trò", "description": "chơi", "photo": [], "animation": {
        **VIDEO, "thumbnail": None, "file_name": f"{MARK}.gif"}}},
}

PICTURES = {
    "external-video": reply_to_other_chat(video=VIDEO),
    "external-animation": reply_to_other_chat(animation=VIDEO),
    "external-video-note": reply_to_other_chat(video_note={"file_id": "n", "file_unique_id": "n", "length": 1,
                                                            "duration": 1, "thumbnail": THUMB}),
    "external-still-sticker": reply_to_other_chat(sticker={"file_id": "STAMP", "file_unique_id": "k", "type": "regular",
                                                           "width": 512, "height": 512, "is_animated": False,
                                                           "is_video": False}),
    "external-live-photo": reply_to_other_chat(live_photo={**VIDEO, "thumbnail": None, "photo": STILL}),
    "external-paid-photo": reply_to_other_chat(paid_media={"star_count": 5, "paid_media": [
        {"type": "photo", "photo": STILL}]}),
    "external-paid-video": reply_to_other_chat(paid_media={"star_count": 5, "paid_media": [
        {"type": "video", "video": VIDEO}]}),
    "external-poll-picture": reply_to_other_chat(poll={**POLL, "media": {"photo": STILL}}),
    "poll-picture": {"poll": {**POLL, "media": {"photo": STILL}}},
    "poll-explanation-video": {"poll": {**POLL, "explanation_media": {"video": VIDEO}}},
    "game-picture": {"game": {"title": "Trò", "description": "chơi", "photo": STILL}},
    "live-photo-still": {"live_photo": {**VIDEO, "thumbnail": None, "photo": STILL}},
    "shared-users-photo": {"users_shared": {"request_id": 1, "users": [{"user_id": 9, "first_name": "Bình",
                                                                         "photo": STILL}]}},
    "shared-chats-photo": {"chat_shared": {"request_id": 1, "chat_id": -1007, "title": "Nhóm", "photo": STILL}},
}


def gated(fields: dict[str, Any]) -> tuple[str, visible.Seen]:
    """What the gate reads of a message: its text (`message_of`) and every other visible part."""
    update = Update.de_json({"update_id": 1, "message": {"message_id": 7, "date": 0, "chat": GROUP, "from": USER,
                                                         **fields}}, Bot("1:x"))  # `fields` may name another sender
    assert update.effective_message is not None
    incoming = message_of(update)
    return incoming.text if incoming is not None else "", visible.read(update.effective_message)


@pytest.mark.parametrize("fields", TEXTS.values(), ids=TEXTS.keys())
def test_the_shown_text_is_read(fields: dict[str, Any]) -> None:
    text, seen = gated(fields)
    assert MARK in f"{text}\n{seen.text}"


@pytest.mark.parametrize("fields", PICTURES.values(), ids=PICTURES.keys())
def test_the_shown_picture_is_judged(fields: dict[str, Any]) -> None:
    _, seen = gated(fields)
    assert "STAMP" in seen.pictures


def test_a_plain_link_and_a_harmless_message_add_nothing_to_judge() -> None:
    _, seen = gated({"text": "https://example.vn", "entities": [{"type": "url", "offset": 0, "length": 18}]})
    assert seen.texts == () and seen.pictures == ()


PINNED = {"message_id": 3, "date": 1, "chat": GROUP, "from": USER}
WALLPAPER = {"file_id": "STAMP", "file_unique_id": "w", "mime_type": "image/jpeg"}
CHANGES = {
    "wallpaper": ({"chat_background_set": {"type": {"type": "wallpaper", "document": WALLPAPER,
                                                    "dark_theme_dimming": 0}}}, visible.Change.BACKGROUND),
    "pattern": ({"chat_background_set": {"type": {"type": "pattern", "intensity": 50,
                                                  "fill": {"type": "solid", "color": 1},
                                                  "document": {"file_id": "p", "file_unique_id": "p",
                                                               "thumbnail": THUMB}}}}, visible.Change.BACKGROUND),
    "theme": ({"chat_background_set": {"type": {"type": "chat_theme", "theme_name": MARK}}},
              visible.Change.BACKGROUND),
    "pinned-text": ({"pinned_message": {**PINNED, "text": MARK}}, visible.Change.PINNED),
    "pinned-caption": ({"pinned_message": {**PINNED, "caption": MARK, "photo": STILL}}, visible.Change.PINNED),
    "pinned-photo": ({"pinned_message": {**PINNED, "photo": STILL}}, visible.Change.PINNED),
    "pinned-file-name": ({"pinned_message": {**PINNED, "document": {"file_id": "d", "file_unique_id": "d",
                                                                     "file_name": f"{MARK}.docx"}}},
                         visible.Change.PINNED),
    "pinned-poll": ({"pinned_message": {**PINNED, "poll": {**POLL, "question": MARK}}}, visible.Change.PINNED),
    "pinned-contact": ({"pinned_message": {**PINNED, "contact": {"phone_number": "1", "first_name": MARK}}},
                       visible.Change.PINNED),
    "pinned-quote": ({"pinned_message": {**PINNED, "text": "ừ", "quote": {"text": MARK, "position": 0}}},
                     visible.Change.PINNED),
    "pinned-forward": ({"pinned_message": {**PINNED, "text": "tin", "forward_origin": {
        "type": "hidden_user", "date": 1, "sender_user_name": MARK}}}, visible.Change.PINNED),
}


@pytest.mark.parametrize(("fields", "change"), CHANGES.values(), ids=CHANGES.keys())
def test_a_background_and_a_pinned_message_are_judged_with_their_remedy(fields: dict[str, Any],
                                                                         change: visible.Change) -> None:
    """A message pinned before the bot joined was never judged; a background stays behind every
    message. Both are read as the chat shows them, with the change the gate undoes or reports."""
    _, seen = gated(fields)
    assert MARK in seen.text or "STAMP" in seen.pictures
    assert seen.change is change


def test_a_bot_pinning_its_own_message_is_not_judged_again_but_another_bots_message_is() -> None:
    us = {"id": 42, "is_bot": True, "first_name": "Tham vấn"}
    other = {"id": 43, "is_bot": True, "first_name": "Bot khác"}
    _, own = gated({"from": us, "pinned_message": {**PINNED, "from": us, "text": "Thẻ tham vấn #1"}})
    assert own.change is None and own.texts == ()
    _, others = gated({"pinned_message": {**PINNED, "from": other, "text": MARK}})
    assert others.change is visible.Change.PINNED and MARK in others.texts


class Calls:
    """A bot that records the calls made to it and refuses those named in `refused`."""

    def __init__(self, *refused: str) -> None:
        self.made: list[str] = []
        self.refused = refused

    def __getattr__(self, name: str) -> Any:
        async def call(*_: Any, **__: Any) -> bool:
            self.made.append(name)
            if name in self.refused:
                raise BadRequest("Not enough rights")
            return True
        call.__name__ = name
        return call


@pytest.mark.parametrize(("refused", "undone", "made"), [
    ((), True, ["delete_message"]),
    (("delete_message",), False, ["delete_message", "unpin_chat_message"]),
])
async def test_a_marked_pinned_message_is_deleted_else_unpinned(refused: tuple[str, ...], undone: bool,
                                                               made: list[str]) -> None:
    update = Update.de_json({"update_id": 1, "message": {"message_id": 8, "date": 0, "chat": GROUP, "from": USER,
                                                         "pinned_message": {**PINNED, "text": MARK}}}, Bot("1:x"))
    assert update.message is not None
    bot = Calls(*refused)
    assert await remedies.undo(bot, None, update.message, visible.Change.PINNED) is undone  # type: ignore[arg-type]
    assert bot.made == made


@pytest.mark.parametrize("change", list(visible.Change))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_coordinators_are_told_of_every_change_in_their_language(change: visible.Change, language: str) -> None:
    for fixed in (True, False):
        key = f"guard.exposed.{change.value}" + ("" if fixed or change is visible.Change.MEMBERS else "_failed")
        if fixed and change in (visible.Change.MEMBERS, visible.Change.BACKGROUND):
            continue  # the bot never undoes these
        assert "{user_id}" not in t(language, key, user_id=7)


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_policy_dir(Path(__file__).resolve().parents[3] / "policies", b"test-term-key-0123456789abcdef!!")


EMOJI_TEXT = {"text": "👍", "entities": [{"type": "custom_emoji", "offset": 0, "length": 2,
                                          "custom_emoji_id": "5001"}]}
SHOWN_EMOJI = {
    "in-a-text": EMOJI_TEXT,
    "in-a-caption": {"caption": "👍", "photo": STILL, "caption_entities": EMOJI_TEXT["entities"]},
    "in-a-quote": {"text": "ừ", "quote": {"text": "👍", "position": 0, "entities": EMOJI_TEXT["entities"]}},
    "in-a-poll-option": {"poll": {**POLL, "options": [{"text": "👍", "voter_count": 0, "persistent_id": "0",
                                                       "text_entities": EMOJI_TEXT["entities"]}]}},
    "a-new-topics-icon": {"forum_topic_created": {"name": "Việc chung", "icon_color": 1,
                                                  "icon_custom_emoji_id": "5001"}},
    "a-topics-new-icon": {"forum_topic_edited": {"icon_custom_emoji_id": "5001"}},
    "a-buttons-icon": button(callback_data="x", icon_custom_emoji_id="5001"),
    "in-a-checklist-title": {"checklist": {"title": "👍", "title_entities": EMOJI_TEXT["entities"],
                                           "tasks": [{"id": 1, "text": "gửi"}]}},
    "in-an-explanation": {"poll": {**POLL, "type": "quiz", "correct_option_ids": [0], "explanation": "👍",
                                   "explanation_entities": EMOJI_TEXT["entities"]}},
}


@pytest.mark.parametrize("fields", SHOWN_EMOJI.values(), ids=SHOWN_EMOJI.keys())
def test_a_custom_emoji_is_a_picture_to_judge(fields: dict[str, Any]) -> None:
    _, seen = gated(fields)
    assert seen.emoji == ("5001",)


class EmojiBot:
    """A bot whose custom emoji 5001 is drawn as `picture`; it counts the emoji looked up."""

    def __init__(self, picture: bytes) -> None:
        self.picture = picture
        self.looked_up: list[str] = []

    async def get_custom_emoji_stickers(self, ids: list[str]) -> tuple[Sticker, ...]:
        self.looked_up += ids
        return tuple(Sticker("sticker-" + i, i, 100, 100, False, False, "custom_emoji", custom_emoji_id=i)
                     for i in ids)

    async def get_file(self, file_id: str) -> Any:
        picture = self.picture

        class File:
            file_size = len(picture)

            async def download_as_bytearray(self) -> bytearray:
                return bytearray(picture)
        return File()


def png(image: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(("picture", "blocked"), [
    (image_corpus.stamp_alone("TỐI MẬT"), True),
    (image_corpus.stamp_alone("Cảm ơn"), False),
], ids=["stamp", "thanks"])
async def test_a_custom_emoji_drawn_as_a_stamp_blocks_and_a_harmless_one_is_looked_up_once(
        guard: Guard, picture: Any, blocked: bool) -> None:
    context = cast(AppContext, SimpleNamespace(guard=guard, keys=SimpleNamespace(keyed_hash=lambda purpose, raw: "h"),
                                               file_checks=ON_A_THREAD, guard_file_limit=20_000_000))
    bot = EmojiBot(png(picture))
    application = SimpleNamespace(bot_data={})
    ptb = SimpleNamespace(bot=bot, application=application)
    incoming = Incoming(2001, GROUP["id"], 7, "")
    for _ in range(2):
        _, seen = gated(EMOJI_TEXT)
        screened = await remedies.judge_seen(context, ptb, incoming, seen)  # type: ignore[arg-type]
        assert screened.blocked is blocked
    assert bot.looked_up == (["5001", "5001"] if blocked else ["5001"])  # an allowed one is remembered
