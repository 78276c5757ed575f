"""What the gate reads out of a message: every part a reader sees, and what it cannot read."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.telegram.gate import message_of

USER = {"id": 2001, "is_bot": False, "first_name": "B"}
GROUP = {"id": -100123, "type": "supergroup", "title": "G", "is_forum": True}
POLL = {"id": "p", "question": "Có đồng ý?", "options": [{"text": "TUYỆT MẬT", "voter_count": 0, "persistent_id": "0"}],
        "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False, "allows_revoting": False, "members_only": False}


def update(**fields: Any) -> Update:
    message = {"message_id": 7, "date": 0, "chat": GROUP, "from": USER, **fields}
    return Update.de_json({"update_id": 1, "message": message}, Bot("1:x"))


@pytest.mark.parametrize(("fields", "wanted"), [
    ({"text": "/ghichu\nTỐI MẬT"}, "/ghichu\nTỐI MẬT"),
    ({"caption": "TỐI MẬT", "document": {"file_id": "f", "file_unique_id": "u"}}, "TỐI MẬT"),
    ({"poll": POLL}, "Có đồng ý?\nTUYỆT MẬT"),
    ({"contact": {"phone_number": "1", "first_name": "MẬT"}}, "MẬT"),
    ({"venue": {"location": {"latitude": 1, "longitude": 1}, "title": "Phòng", "address": "[MẬT]"}}, "Phòng\n[MẬT]"),
    ({"text": "ok", "quote": {"text": "SECRET", "position": 0}}, "ok\nSECRET"),
])
def test_every_part_a_reader_sees_is_judged(fields: dict[str, Any], wanted: str) -> None:
    incoming = message_of(update(**fields))
    assert incoming is not None and incoming.text == wanted and incoming.unchecked_media is None


@pytest.mark.parametrize("kind", ["voice", "audio", "video", "sticker"])
def test_media_the_guard_cannot_read_is_named(kind: str) -> None:
    media = {"voice": {"file_id": "f", "file_unique_id": "u", "duration": 1},
             "audio": {"file_id": "f", "file_unique_id": "u", "duration": 1},
             "video": {"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1, "duration": 1},
             "sticker": {"file_id": "f", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1,
                         "is_animated": False, "is_video": False}}[kind]
    incoming = message_of(update(**{kind: media}))
    assert incoming is not None and incoming.unchecked_media == kind


def test_a_message_with_nothing_to_judge_passes_untouched() -> None:
    assert message_of(update(location={"latitude": 1, "longitude": 2})) is None
    assert message_of(update(new_chat_members=[USER])) is None
