"""Fitting text into Telegram's limits: UTF-16 lengths, parts that lose nothing, entities kept whole."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.textparts import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    Block,
    length,
    numbered,
    pack,
    shorten,
    split,
    with_headers,
)

VIETNAMESE = "Đề nghị bổ sung cam kết về minh bạch dữ liệu ở đoạn 4, và rà soát lại phụ lục. "


def test_length_counts_utf16_code_units_as_telegram_does() -> None:
    assert length("abc") == 3
    assert length("Đề nghị") == 7  # precomposed Vietnamese: one unit per letter
    assert length(unicodedata.normalize("NFD", "Đề")) == 4  # decomposed: the marks count too
    assert length("📋") == 2  # outside the BMP: a surrogate pair
    assert length("👍🏽") == 4


def test_a_text_that_fits_is_one_part_unchanged() -> None:
    text = "x" * TEXT_LIMIT
    assert [c.text for c in with_headers(text)] == [text]


def test_emoji_at_the_limit_are_counted_twice_and_never_cut_in_half() -> None:
    text = "📋" * 2049  # 2049 code points, 4098 UTF-16 units: one over
    parts = split(text, TEXT_LIMIT)
    assert len(parts) == 2
    assert "".join(p.text for p in parts) == text
    assert all(length(p.text) <= TEXT_LIMIT for p in parts)
    assert length(parts[0].text) == 4096


def test_multibyte_vietnamese_at_the_limit_cuts_at_a_sentence_and_keeps_everything() -> None:
    text = VIETNAMESE * 60  # about 4,900 units
    parts = split(text, TEXT_LIMIT)
    assert len(parts) == 2
    assert "".join(p.text for p in parts) == text
    assert parts[0].text.endswith("phụ lục. ")  # a sentence end, not a word cut
    assert length(parts[0].text) <= TEXT_LIMIT


def test_a_letter_and_its_combining_marks_stay_together() -> None:
    decomposed = unicodedata.normalize("NFD", "ệ") * 3000  # e + two marks, each a unit
    parts = split(decomposed, TEXT_LIMIT)
    for part in parts:
        assert not unicodedata.combining(part.text[0])
        assert length(part.text) <= TEXT_LIMIT
    assert "".join(p.text for p in parts) == decomposed


def test_paragraphs_are_preferred_to_lines_and_lines_to_spaces() -> None:
    paragraph = ("dòng một của đoạn\n" * 30).rstrip("\n")
    text = "\n\n".join([paragraph] * 12)
    parts = split(text, 2000)
    assert all(p.text.endswith("\n\n") for p in parts[:-1])
    assert "".join(p.text for p in parts) == text


def test_a_link_is_never_cut_when_a_space_is_within_reach() -> None:
    link = "https://t.me/rapid_consult_bot?start=c_12"
    text = ("chữ " * 1010) + link + " thêm"
    parts = split(text, TEXT_LIMIT)
    assert any(link in p.text for p in parts)


def test_entities_are_kept_whole_and_rebased_onto_their_part() -> None:
    before = "a" * 4090
    bold = "in đậm 📋"  # holds an emoji: 9 units
    text = before + bold + " cuối"
    entity = {"type": "bold", "offset": 4090, "length": length(bold)}
    parts = split(text, TEXT_LIMIT, entities=[entity])
    assert "".join(p.text for p in parts) == text
    holder = next(p for p in parts if p.entities)
    assert holder.entities == ({"type": "bold", "offset": holder.text.index("in đậm"), "length": 9},)
    assert length(holder.text[: holder.text.index("in đậm")]) == holder.entities[0]["offset"]


def test_an_entity_longer_than_a_part_is_cut_into_two_entities() -> None:
    text = "x" * 5000
    parts = split(text, TEXT_LIMIT, entities=[{"type": "code", "offset": 0, "length": 5000}])
    assert [p.entities[0]["length"] for p in parts] == [length(p.text) for p in parts]
    assert sum(p.entities[0]["length"] for p in parts) == 5000


def test_an_entity_off_a_character_boundary_is_refused() -> None:
    with pytest.raises(ValueError):
        split("📋 a", 10, entities=[{"type": "bold", "offset": 1, "length": 2}])


def test_numbered_parts_fit_with_their_mark_and_shift_entities() -> None:
    text = "chữ " * 2000  # 8000 units
    entity = {"type": "italic", "offset": 7996, "length": 3}
    parts = with_headers(text, entities=[entity])
    assert [p.text[: len(numbered(i, len(parts)))] for i, p in enumerate(parts, 1)] == [
        numbered(i, len(parts)) for i in range(1, len(parts) + 1)]
    assert all(length(p.text) <= TEXT_LIMIT for p in parts)
    last = parts[-1]
    assert last.text[last.entities[0]["offset"]:][:3] == "chữ"


def test_a_caption_keeps_its_first_part_within_the_caption_limit() -> None:
    text = "Phụ lục. " * 400  # 3600 units
    parts = with_headers(text, first_limit=CAPTION_LIMIT)
    assert length(parts[0].text) <= CAPTION_LIMIT
    assert all(length(p.text) <= TEXT_LIMIT for p in parts[1:])


def test_pack_keeps_blocks_whole_and_repeats_the_heading_where_a_section_continues() -> None:
    comment = "• Trần Thị Bình (Bộ Công Thương): " + "ý kiến " * 100  # ~740 units
    blocks = [Block("Góp ý (7):"), *[Block(comment, heading="Góp ý (tiếp):") for _ in range(7)],
              Block("Tóm tắt: đồng ý")]
    parts = pack(blocks, lambda i, n: f"📄 Kết quả #1 — phần {i}/{n}\n")
    assert len(parts) == 2
    assert all(length(p) <= TEXT_LIMIT for p in parts)
    assert parts[1].startswith("📄 Kết quả #1 — phần 2/2\nGóp ý (tiếp):")
    assert sum(p.count(comment) for p in parts) == 7  # no comment split across parts
    assert parts[-1].endswith("Tóm tắt: đồng ý")


def test_pack_splits_a_block_longer_than_a_part_and_loses_nothing() -> None:
    long_comment = "rất dài " * 1500  # 12,000 units
    parts = pack([Block("Góp ý (1):"), Block(long_comment, heading="Góp ý (tiếp):")],
                 lambda i, n: f"[{i}/{n}]\n")
    assert all(length(p) <= TEXT_LIMIT for p in parts)
    body = "".join(p.split("\n", 1)[1].removeprefix("Góp ý (tiếp):\n") for p in parts)
    assert body.replace("\n", "") == ("Góp ý (1):" + long_comment).replace("\n", "")


def test_shorten_says_it_shortened() -> None:
    assert shorten("ngắn", 128) == "ngắn"
    name = shorten("#12 " + "Lập trường về dự thảo tuyên bố chung " * 5, 128)
    assert name.endswith("…") and length(name) <= 128 and not name[:-1].endswith(" ")


_ALPHABET = st.sampled_from(["a", " ", "\n", "đ", "ệ", "\u0301", "📋", "👍", "\U0001f3fd", "\u200d", "🇻", "🇳", "."])


@given(st.lists(_ALPHABET, max_size=400).map("".join), st.integers(min_value=4, max_value=60))
def test_parts_always_rejoin_and_fit(text: str, limit: int) -> None:
    parts = split(text, limit)
    assert "".join(p.text for p in parts) == text
    for part in parts:
        assert length(part.text) <= limit or len(part.text) == 1
        assert part.text or not text
