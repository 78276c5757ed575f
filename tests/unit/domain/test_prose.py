"""Chat lines made fit for a report: emoji out, repetition once, text symbols kept (issue 26, item 4)."""

from __future__ import annotations

import pytest

from bot.domain.prose import for_the_record


@pytest.mark.parametrize(("said", "quoted"), [
    ("Đồng ý 👍👍 với dự thảo 🇻🇳", "Đồng ý với dự thảo"),
    ("⏳ Cần thêm thời gian", "Cần thêm thời gian"),
    ("👨‍👩‍👧 gia đình", "gia đình"),
    ("Không đồng ý. " * 300, "Không đồng ý."),
    ("Dòng 1\nDòng 2\ndòng 1", "Dòng 1\nDòng 2"),
    ("Nhiệt độ 30°C, © 2026, 1 → 2, 50%", "Nhiệt độ 30°C, © 2026, 1 → 2, 50%"),
    ("Đoạn 3 và đoạn 3", "Đoạn 3 và đoạn 3"),
    ("👍", ""),
])
def test_a_chat_line_as_the_report_quotes_it(said: str, quoted: str) -> None:
    assert for_the_record(said) == quoted
