"""A long text is folded as one array look-up (bot.guard.normalise._translated); it must give what
str.translate gives for every character the table holds, drops included, and leave to translate
what the array cannot carry."""

from __future__ import annotations

import random

import pytest

from bot.guard.normalise import TABLE_SIZE, _fast_table, _translated, normalise

PADDING = "đề nghị các bộ ngành cho ý kiến " * 4  # long enough for the array path


def _expected(text: str) -> str:
    return text.translate(_fast_table())


@pytest.mark.parametrize("text", [
    PADDING + "TỐI MẬT",
    PADDING + "Ｔ\u200bＯ\u00adＰ ＳＥＣＲＥＴ",  # full-width letters with invisible characters dropped
    PADDING + "𝐌𝐀̣̂𝐓 ⓜⓐⓣ 🄼🄰🅃",  # mathematical, circled and squared letters
    PADDING + "TÔ\U000E0041I MẬT",  # a tag character: beyond the table, left to translate
    PADDING + "MẬT\ud800",  # a lone surrogate, which no encoding takes
    "\u200b" * 200,  # nothing but what is dropped
])
def test_a_long_text_folds_as_translate_folds_it(text: str) -> None:
    assert _translated(text) == _expected(text)


def test_every_character_of_the_table_folds_as_translate_folds_it() -> None:
    rnd = random.Random(24)
    codes = [c for c in range(0x20, TABLE_SIZE) if not 0xD800 <= c < 0xE000]
    rnd.shuffle(codes)
    for at in range(0, len(codes), 500):
        text = "".join(map(chr, codes[at:at + 500]))
        assert _translated(text) == _expected(text)


def test_offsets_still_point_at_the_senders_characters_after_a_drop() -> None:
    text = PADDING + "T\u200bỐI MẬT"
    skeleton = normalise(text)
    at = skeleton.text.index("TOI MAT")
    assert skeleton.original_of(at, at + len("TOI MAT")) == "T\u200bỐI MẬT"
