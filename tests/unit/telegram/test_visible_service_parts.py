"""Parts of an update a client shows that the gate did not read (issue 24, item 1, red team):
stories (forwarded, replied to, or replied to from another chat) name their chat; a giveaway lists
the channels to join and its results name the winners; a member who left, those invited to a video
chat and a group's new owner are named by service messages; a proximity alert names two people; a
gift carries a note; users and chats shared through a keyboard button show their names."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message

from bot.telegram import visible

BASE: dict[str, Any] = {"message_id": 1, "date": 1, "chat": {"id": -100, "type": "supergroup", "title": "G"},
                        "from": {"id": 5, "is_bot": False, "first_name": "An"}}
MARKED_CHANNEL = {"id": -1007, "type": "channel", "title": "Kênh TỐI MẬT"}
MARKED_USER = {"id": 9, "is_bot": False, "first_name": "TUYỆT", "last_name": "MẬT"}


def read(**fields: Any) -> visible.Seen:
    message = Message.de_json({**BASE, **fields}, None)
    assert message is not None
    return visible.read(message)


@pytest.mark.parametrize("fields", [
    {"story": {"chat": MARKED_CHANNEL, "id": 3}},
    {"text": "x", "reply_to_story": {"chat": MARKED_CHANNEL, "id": 3}},
    {"text": "x", "external_reply": {"origin": {"type": "channel", "date": 1, "chat": {"id": -1, "type": "channel",
                                                                                       "title": "Báo"},
                                                "message_id": 4},
                                     "story": {"chat": MARKED_CHANNEL, "id": 3}}},
    {"giveaway": {"chats": [MARKED_CHANNEL], "winners_selection_date": 1, "winner_count": 1}},
    {"giveaway_winners": {"chat": MARKED_CHANNEL, "giveaway_message_id": 2, "winners_selection_date": 1,
                          "winner_count": 1, "winners": [{"id": 8, "is_bot": False, "first_name": "Bình"}]}},
    {"text": "x", "external_reply": {"origin": {"type": "hidden_user", "date": 1, "sender_user_name": "Ẩn"},
                                     "giveaway": {"chats": [MARKED_CHANNEL], "winners_selection_date": 1,
                                                  "winner_count": 1}}},
    {"giveaway_winners": {"chat": {"id": -1, "type": "channel", "title": "Báo"}, "giveaway_message_id": 2,
                          "winners_selection_date": 1, "winner_count": 1, "winners": [MARKED_USER]}},
    {"proximity_alert_triggered": {"traveler": MARKED_USER, "watcher": {"id": 5, "is_bot": False,
                                                                         "first_name": "An"}, "distance": 40}},
    {"gift": {"gift": {"id": "g", "sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                                              "is_animated": False, "is_video": False, "type": "regular"},
                       "star_count": 1}, "text": "Quà kèm tài liệu TỐI MẬT"}},
    {"users_shared": {"request_id": 1, "users": [{"user_id": 9, "first_name": "TỐI", "last_name": "MẬT"}]}},
    {"chat_shared": {"request_id": 1, "chat_id": -1007, "title": "Nhóm TỐI MẬT"}},
], ids=["forwarded-story", "reply-to-story", "external-story", "giveaway-channels", "giveaway-results-channel",
        "external-giveaway", "giveaway-winner", "proximity-alert", "gift-note", "users-shared", "chat-shared"])
def test_the_part_is_read(fields: dict[str, Any]) -> None:
    seen = read(**fields)
    assert "MẬT" in seen.text


@pytest.mark.parametrize("fields", [
    {"left_chat_member": MARKED_USER},
    {"video_chat_participants_invited": {"users": [MARKED_USER]}},
    {"chat_owner_changed": {"new_owner": MARKED_USER}},
], ids=["left", "invited-to-video-chat", "new-owner"])
def test_a_member_named_by_a_service_message_is_read_as_members_are(fields: dict[str, Any]) -> None:
    seen = read(**fields)
    assert "TUYỆT MẬT" in seen.texts
    assert seen.change is visible.Change.MEMBERS  # a bot cannot rename them: the coordinators are told


def test_a_harmless_member_leaving_is_still_a_service_message_with_a_name() -> None:
    seen = read(left_chat_member={"id": 9, "is_bot": False, "first_name": "Bình"})
    assert seen.texts == ("Bình",) and seen.change is visible.Change.MEMBERS
