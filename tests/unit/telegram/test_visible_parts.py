"""`visible.read` gathers what a client shows beyond the text: parts the e2e tests do not post."""

from __future__ import annotations

from typing import Any

from telegram import Message

from bot.telegram import visible

BASE: dict[str, Any] = {"message_id": 1, "date": 1, "chat": {"id": -100, "type": "supergroup", "title": "G"},
                        "from": {"id": 5, "is_bot": False, "first_name": "An", "last_name": "Lê"}}


def read(**fields: Any) -> visible.Seen:
    message = Message.de_json({**BASE, **fields}, None)
    assert message is not None
    return visible.read(message)


def test_the_display_name_and_tag_are_who_posted() -> None:
    seen = read(text="x", sender_tag="TỐI MẬT", author_signature="Ký: B")
    assert "An Lê" in seen.names and "TỐI MẬT" in seen.names and "Ký: B" in seen.names


def test_later_additions_and_descriptions_are_read() -> None:
    assert read(poll_option_added={"option_persistent_id": "c", "option_text": "MẬT C"}).texts == ("MẬT C",)
    assert read(giveaway={"chats": [], "winners_selection_date": 1, "winner_count": 1,
                          "prize_description": "quà MẬT"}).texts == ("quà MẬT",)


def test_an_external_photo_and_a_keyboards_copy_text_are_seen() -> None:
    seen = read(text="x", external_reply={
        "origin": {"type": "hidden_user", "date": 1, "sender_user_name": "Ẩn"},
        "photo": [{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
                  {"file_id": "big", "file_unique_id": "b", "width": 800, "height": 800}]},
        reply_markup={"inline_keyboard": [[{"text": "Sao chép", "copy_text": {"text": "TUYỆT MẬT"}}]]})
    assert seen.pictures == ("big",)
    assert "Ẩn" in seen.texts and "TUYỆT MẬT" in seen.texts


def test_a_plain_service_message_shows_nothing_to_judge_but_its_sender() -> None:
    seen = read(location={"latitude": 1, "longitude": 2})
    assert seen.change is None and seen.texts == () and seen.pictures == ()


def test_a_pinned_message_shows_what_the_pin_bar_shows() -> None:
    seen = read(pinned_message={**BASE, "text": "đã ghim"})  # one posted before the bot joined was never judged
    assert seen.change is visible.Change.PINNED and seen.texts == ("đã ghim",) and seen.pictures == ()


def test_who_left_a_story_a_gift_and_a_giveaways_winners_are_read() -> None:
    chat = {"id": -200, "type": "channel", "title": "Kênh TỐI MẬT"}
    assert "Bình TUYỆT MẬT" in read(left_chat_member={"id": 6, "is_bot": False, "first_name": "Bình TUYỆT MẬT"}).texts
    assert "Kênh TỐI MẬT" in read(story={"chat": chat, "id": 3}).texts
    assert "Kênh TỐI MẬT" in read(text="x", reply_to_story={"chat": chat, "id": 3}).texts
    assert "MẬT" in read(gift={"gift": {"id": "g", "sticker": {"file_id": "s", "file_unique_id": "s", "width": 1,
                                                                "height": 1, "is_animated": False,
                                                                "is_video": False, "type": "regular"},
                                        "star_count": 1}, "text": "MẬT"}).texts
    winners = {"chat": chat, "giveaway_message_id": 1, "winners_selection_date": 1, "winner_count": 1,
               "winners": [{"id": 7, "is_bot": False, "first_name": "Cường", "last_name": "TỐI MẬT"}],
               "prize_description": "quà"}
    assert "Cường TỐI MẬT" in read(giveaway_winners=winners).texts
    assert "Cường TỐI MẬT" in read(text="x", external_reply={
        "origin": {"type": "hidden_user", "date": 1, "sender_user_name": "Ẩn"}, "giveaway_winners": winners}).texts
