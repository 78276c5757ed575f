"""Every text the bot queues fits Telegram's limits or goes in parts; the card and the report fit
by construction and say what they leave to `/status`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.consultation import Consultation, Position, State
from bot.domain.outbox import Dependency, MessageKind, Outgoing, Policy
from bot.domain.roster import Person
from bot.domain.textparts import length
from bot.services.kernel.context import AppContext
from bot.services.kernel.outgoing import TextTooLongError, fitted
from bot.services.kernel.seats import Seat
from bot.services.kernel.uow import unit_of_work
from bot.services.presentation import texts
from bot.services.presentation.texts import Comment, CommentTally
from bot.store.crypto import decrypt_field, field_aad
from bot.store.datakeys import load_data_key
from bot.store.repos.consultations import ConsultationRecord, Participant
from bot.store.repos.people import PersonRecord

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
KEYBOARD = {"inline_keyboard": [[{"text": "✅", "callback_data": "a:1:agree"}]]}


def test_a_long_message_goes_in_numbered_parts_the_buttons_on_the_last() -> None:
    calls = fitted(Outgoing(MessageKind.INVITE, (1, "moit-1", 1), 5, "sendMessage",
                            {"chat_id": 5, "text": "Đề nghị xem xét. " * 400, "reply_markup": KEYBOARD},
                            consultation_id=1, person_key="moit-1", attempt=1))
    assert len(calls) == 2
    assert [c.dedup_key for c in calls] == ["part:1:invite:1:moit-1:1", "invite:1:moit-1:1"]  # the result that counts
    assert [c.kind for c in calls] == [MessageKind.PART, MessageKind.INVITE]  # only the last one's delivery counts
    assert [c.payload["text"][:6] for c in calls] == ["(1/2) ", "(2/2) "]
    assert "reply_markup" not in calls[0].payload and calls[1].payload["reply_markup"] == KEYBOARD
    assert all(length(c.payload["text"]) <= 4096 and c.payload["chat_id"] == 5 for c in calls)


def test_a_long_caption_keeps_what_fits_and_the_rest_follows_in_the_same_topic() -> None:
    calls = fitted(Outgoing(MessageKind.RELAY, ("1:2",), -100, "sendDocument",
                            {"chat_id": -100, "document": "FILE", "caption": "Phụ lục 📎. " * 300},
                            consultation_id=3, depends_on=Dependency.TOPIC))
    assert calls[0].dedup_key == "relay:1:2" and calls[0].method == "sendDocument"
    assert length(calls[0].payload["caption"]) <= 1024 and calls[0].payload["document"] == "FILE"
    follow = [(c.method, c.payload["chat_id"], c.consultation_id, c.depends_on) for c in calls[1:]]
    assert follow == [("sendMessage", -100, 3, Dependency.TOPIC)] * (len(calls) - 1)
    assert "document" not in calls[1].payload


def test_what_fits_is_left_alone_and_an_edit_that_does_not_is_a_bug() -> None:
    message = Outgoing(MessageKind.REPLY, ("k",), 5, "sendMessage", {"chat_id": 5, "text": "📋" * 2048})
    assert fitted(message) == [message]
    with pytest.raises(TextTooLongError):
        fitted(Outgoing(MessageKind.CARD_EDIT, (1, 1), 5, "editMessageText", {"chat_id": 5, "text": "x" * 4097}))


async def _rows(ctx: AppContext) -> list[dict[str, Any]]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT id, dedup_key, key_owner, method, payload_enc FROM outbox ORDER BY id")
        found = []
        for row in rows:
            key = await load_data_key(tx, ctx.keys, int(row["key_owner"]))
            sealed = bytes(row["payload_enc"])
            payload = json.loads(decrypt_field(key, sealed, field_aad("outbox", row["id"], "payload")))
            found.append({"key": row["dedup_key"], "method": row["method"], **payload})
        return found


async def test_the_unit_of_work_queues_parts_and_a_long_pop_up_in_full_as_a_message(context: AppContext) -> None:
    text = "Nội dung dài. " * 600  # 8,400 units: three parts
    async with unit_of_work(context) as uow:
        await uow.reply(42, text)
        note = Outgoing(MessageKind.REMIND, ("note", 1), 42, "sendMessage", {"chat_id": 42, "text": text})
        assert await uow.send(note, Policy.IF_NEW)
        assert not await uow.send(note, Policy.IF_NEW)
        await uow.answer_press("cb1", 42, "Lỗi: " + "rất dài " * 40, show_alert=True)
    rows = await _rows(context)
    replies = [r for r in rows if "reply:" in r["key"]]
    assert [r["text"][:6] for r in replies] == ["(1/3) ", "(2/3) ", "(3/3) "]
    assert "".join(r["text"][6:] for r in replies) == text  # in order, nothing lost
    assert [r["key"] for r in rows if r["key"].endswith("note:1")] == \
        ["part:1:remind:note:1", "part:2:remind:note:1", "remind:note:1"]
    alert = next(r for r in rows if r["method"] == "answerCallbackQuery")
    assert length(alert["text"]) <= 200 and alert["text"].endswith("…")
    full = next(r for r in rows if r["key"] == "cbq-full:cb1")
    assert full["text"] == "Lỗi: " + "rất dài " * 40


def _person(index: int, agency: str = "Bộ Công Thương") -> PersonRecord:
    return PersonRecord(Person(key=f"p-{index}", name=f"Người số {index}", agency="moit", telegram_user_id=10 + index),
                        agency, True)


def _record(state: State = State.OPEN) -> ConsultationRecord:
    c = Consultation(1, "Dự thảo", ("aec",), "coord-1", NOW, NOW + timedelta(hours=2), state,
                     NOW + timedelta(hours=1) if state is not State.OPEN else None)
    return ConsultationRecord(c, None, -100, 3, 7, None)


def _seat(index: int, position: Position | None = None, by: PersonRecord | None = None) -> Seat:
    person = _person(index)
    participant = Participant(1, person.key, position, NOW if position else None,
                              (by or person).key if position else None, False, NOW, True)
    return Seat(participant, person, by)


def test_a_card_with_hundreds_of_invitees_fits_and_says_where_the_rest_is() -> None:
    seats = [_seat(i, Position.AGREE if i % 3 == 0 else None) for i in range(300)]
    card = texts.status_card(_record(), seats, NOW, "vi", "Asia/Ho_Chi_Minh")
    assert length(card) <= 4096
    assert "✔ Đồng ý: 100" in card
    more = card.rsplit("\n", 1)[1]
    shown = card.count("  • Người số")
    assert more == f"  … và {200 - shown} người khác — xem đủ: /status 1"
    full = texts.status_card(_record(), seats, NOW, "vi", "Asia/Ho_Chi_Minh", full=True)
    assert full.count("Người số") == 300  # /status N says everything, in parts


def test_an_alternates_answer_names_both() -> None:
    alternate = PersonRecord(Person(key="p-alt", name="Ngô Thị Mai", agency="moha"), "Bộ Nội vụ", True)
    invitee = PersonRecord(Person(key="p-1", name="Hoàng Văn Dũng", agency="moha"), "Bộ Nội vụ", True)
    seat = Seat(Participant(1, "p-1", Position.OBJECT, NOW, "p-alt", True, NOW, True), invitee, alternate)
    assert texts.answer_line(seat, "vi") == "Ngô Thị Mai (thay Hoàng Văn Dũng, Bộ Nội vụ): Phản đối (trễ hạn)"
    assert texts.answer_line(seat, "en") == "Ngô Thị Mai (for Hoàng Văn Dũng, Bộ Nội vụ): object (late)"


def test_a_report_that_fits_is_one_message_in_reading_order() -> None:
    report = texts.outcome_report(_record(State.CLOSED), [_seat(1, Position.AGREE), _seat(2)],
                                  CommentTally([Comment("A (B)", "một\nhai")], blocked=2), "Đồng ý", "vi",
                                  "Asia/Ho_Chi_Minh")
    assert report.parts() == [report.text()]
    text = report.text()
    assert text.index("Ý kiến theo cơ quan:") < text.index("Góp ý (1):") < text.index("Không trả lời:") \
        < text.index("Tóm tắt")
    assert "  • A (B): một\n    hai" in text and "(2 tin bị chặn vì mang dấu mật" in text


def test_a_long_report_puts_its_conclusion_first_and_keeps_every_comment() -> None:
    comments = [Comment(f"Người {i} (Bộ)", f"Ý kiến {i}. " + "nội dung " * 150) for i in range(12)]
    report = texts.outcome_report(_record(State.CLOSED), [_seat(1, Position.OBJECT), _seat(2)],
                                  CommentTally(comments), "Trình Thủ tướng", "vi", "Asia/Ho_Chi_Minh")
    parts = report.parts()
    assert len(parts) >= 3 and all(length(p) <= 4096 for p in parts)
    assert parts[0].startswith("📄 Kết quả tham vấn #1: Dự thảo — phần 1/")
    assert parts[0].index("Tóm tắt") < parts[0].index("Không trả lời:") < parts[0].index("Ý kiến theo cơ quan:")
    joined = "\n".join(parts)
    for comment in comments:
        assert f"{comment.author}: {comment.text}" in joined
    assert "Góp ý (12) (tiếp):" in parts[-1]


def test_the_objection_notice_names_everyone_objecting_by_then() -> None:
    one, _ = texts.objection_notice(_record(), [_seat(1, Position.OBJECT), _seat(2, Position.AGREE)], "vi")
    assert one == "❌ #1 Dự thảo: có ý kiến phản đối.\nNgười số 1 (Bộ Công Thương): Phản đối"
    seats = [_seat(i, Position.OBJECT) for i in range(200)]
    many, told = texts.objection_notice(_record(), seats, "vi")
    assert many.startswith("❌ #1 Dự thảo: 200 ý kiến phản đối:\n  • Người số 0 (Bộ Công Thương): Phản đối")
    assert length(many) <= 4096 and many.rsplit("\n", 1)[1].startswith("  … và ")
    assert told == {f"p-{i}" for i in range(200)}
