"""The moments the bot writes become date_time entities, with Telegram's UTF-16 offsets; nothing
else does."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.moments import date_time_entities, merged
from bot.domain.outbox import MessageKind
from bot.services.sending.dressing import dress

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
ZONE = "Asia/Ho_Chi_Minh"


def test_a_deadline_written_by_the_bot_gets_an_entity_at_its_utf16_offset() -> None:
    text = "⏰🇻🇳 Hạn trả lời: 17:00 05/12/2026 (còn 7 giờ)"
    [entity] = date_time_entities(text, ZONE, NOW)
    # Two emoji before it: ⏰ is one UTF-16 unit, the flag four.
    start = text.index("17:00")
    assert entity["offset"] == len(text[:start].encode("utf-16-le")) // 2 == start + 2
    assert entity["length"] == len("17:00 05/12/2026")
    assert entity["unix_time"] == int(datetime(2026, 12, 5, 10, 0, tzinfo=UTC).timestamp())  # 17:00 in Hanoi
    assert entity["type"] == "date_time" and entity["date_time_format"] == "dt"


def test_drill_seconds_count_and_impossible_or_far_dates_are_left_alone() -> None:
    [drill] = date_time_entities("hạn 17:00:30 05/12/2026", ZONE, NOW)
    assert drill["unix_time"] % 60 == 30
    assert date_time_entities("31/02 không phải ngày: 10:00 31/02/2026", ZONE, NOW) == []
    assert date_time_entities("10:00 05/12/2031", ZONE, NOW) == []  # past Telegram's 1098 days
    assert date_time_entities("mã 117:00 05/12/2026 và 17:00 05/12/20266", ZONE, NOW) == []


def test_entities_that_overlap_existing_ones_are_not_added() -> None:
    bold = {"type": "bold", "offset": 0, "length": 8}
    added = date_time_entities("Hạn: 17:00 05/12/2026", ZONE, NOW)
    assert merged([bold], added) == [bold]
    assert merged(None, added) == added


def _dress(kind: MessageKind, method: str, params: dict[str, object], protect: bool = True) -> dict[str, object]:
    dress(kind, method, params, protect=protect, zone=ZONE, now=NOW)
    return params


def test_consultation_content_is_protected_unless_the_deployment_turns_it_off() -> None:
    invite = _dress(MessageKind.INVITE, "sendMessage", {"chat_id": 1, "text": "Tham vấn khẩn #1"})
    assert invite["protect_content"] is True
    assert "protect_content" not in _dress(MessageKind.INVITE, "sendMessage", {"chat_id": 1, "text": "x"}, False)
    assert "protect_content" not in _dress(MessageKind.BLOCKED_NOTICE, "sendMessage", {"chat_id": 1, "text": "x"})
    assert "protect_content" not in _dress(MessageKind.CARD_EDIT, "editMessageText", {"chat_id": 1, "text": "x"})
    assert _dress(MessageKind.EXPORT, "sendDocument", {"chat_id": 1})["protect_content"] is True


def test_the_bots_own_times_are_annotated_but_not_someone_elses_words() -> None:
    card = _dress(MessageKind.CARD_EDIT, "editMessageText", {"chat_id": 1, "text": "Hạn: 17:00 05/12/2026"})
    assert [e["type"] for e in card["entities"]] == ["date_time"]  # type: ignore[union-attr]
    relayed = _dress(MessageKind.RELAY, "sendMessage", {"chat_id": 1, "text": "Họp lúc 17:00 05/12/2026"})
    assert "entities" not in relayed
    stats = _dress(MessageKind.REPLY, "sendMessage", {"chat_id": 1, "text": "<b>17:00 05/12/2026</b>",
                                                      "parse_mode": "HTML"})
    assert "entities" not in stats
    photo = _dress(MessageKind.STATS_CHART, "sendPhoto", {"chat_id": 1, "caption": "đến 17:00 05/12/2026"})
    assert photo["caption_entities"][0]["offset"] == 4  # type: ignore[index]
