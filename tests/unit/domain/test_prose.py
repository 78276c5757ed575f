"""Chat lines made fit for a report: emoji out, repetition once, text symbols kept (issue 26, item 4)."""

from __future__ import annotations

import pytest

from bot.domain.prose import CLIP_AT, MEANINGFUL_EMOJI, clipped, for_the_record


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


WORDS = {emoji: {"agree": "(đồng ý)", "disagree": "(không đồng ý)"}.get(word, f"({word})")
         for emoji, word in MEANINGFUL_EMOJI.items()}


@pytest.mark.parametrize(("said", "quoted"), [
    ("👍", "(đồng ý)"),  # alone, the emoji is the answer: said in words (issue 26, item 4)
    ("👍🏽👍", "(đồng ý)"),
    ("👎", "(không đồng ý)"),
    ("Sửa đoạn 2\n👍", "Sửa đoạn 2\n(đồng ý)"),
    ("Đồng ý 👍 với dự thảo", "Đồng ý với dự thảo"),  # inside words it is decoration
    ("🎉🎉", ""),
    ("Đoạn   2\t\tcần   sửa", "Đoạn 2 cần sửa"),
    ("Đoạn 1\n\n\n\nĐoạn 2", "Đoạn 1\n\nĐoạn 2"),
])
def test_a_lone_emoji_is_named_in_words_and_chat_spacing_collapsed(said: str, quoted: str) -> None:
    assert for_the_record(said, WORDS) == quoted


def test_a_short_text_is_not_clipped_and_a_long_one_is_cut_at_a_word() -> None:
    assert clipped("Đồng ý.") is None and clipped("x" * CLIP_AT) is None
    long = " ".join(f"ý{n}" for n in range(400))
    head = clipped(long)
    assert head is not None and len(head) <= CLIP_AT and long.startswith(head)
    assert long[len(head)] == " "  # cut between words, not inside one
