"""The outbox payload is typed (issue 27, item 3): constructors write the chat once, uploads and
render inputs are fields, and one function takes a stored payload apart again (rows queued by an
earlier version included), so no use case or delivery code names a magic key."""

from __future__ import annotations

import json

from bot.domain.outbox import MessageKind, Outgoing, Upload, opened


def test_a_text_names_its_chat_once() -> None:
    message = Outgoing.text(MessageKind.REPLY, ("x",), 42, "Xin chào", reply_markup={"inline_keyboard": []},
                            consultation_id=3)
    assert message.chat_id == 42 and message.method == "sendMessage" and message.consultation_id == 3
    assert dict(message.payload) == {"chat_id": 42, "text": "Xin chào", "reply_markup": {"inline_keyboard": []}}


def test_a_file_and_its_render_inputs_survive_the_round_trip_through_the_sealed_row() -> None:
    chart = Outgoing.file(MessageKind.STATS_CHART, ("t",), 7, Upload("stats.png", b"\x89PNG..."), photo=True,
                          params={"caption": "7 ngày"})
    assert chart.method == "sendPhoto"
    back = opened(json.loads(json.dumps(chart.stored())))
    assert back.upload == Upload("stats.png", b"\x89PNG...") and back.params == {"chat_id": 7, "caption": "7 ngày"}
    notice = Outgoing.to(MessageKind.BLOCKED_NOTICE, ("n",), 7, "sendMessage", render={"language": "vi", "n": 1})
    back = opened(json.loads(json.dumps(notice.stored())))
    assert back.render == {"language": "vi", "n": 1} and back.params == {"chat_id": 7} and back.upload is None


def test_rows_queued_by_an_earlier_version_still_open() -> None:
    """Before the typed payload a block notice kept its inputs under "$notice", an objection notice its
    language under "language", and an older scheme left placeholders; such rows may wait in a
    database being upgraded."""
    notice = opened({"chat_id": 1, "$notice": {"language": "en"}, "$thread": 5})
    assert notice.render == {"language": "en"} and notice.params == {"chat_id": 1}
    objection = opened({"chat_id": 1, "language": "vi", "reply_markup": {}})
    assert objection.render == {"language": "vi"} and "language" not in objection.params
    upload = opened({"chat_id": 1, "$upload": "aGk=", "$file_name": "a.txt"})
    assert upload.upload == Upload("a.txt", b"hi") and upload.params == {"chat_id": 1}
