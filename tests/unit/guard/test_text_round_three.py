"""Issue #24, item 6, round three of other hands: what rounds one and two left (doubled English
words, doubled letters with separators, Telex before a plain MẬT) and new families. Each family
failed before its rule was made general (see docs/guard.md, "One reading of every text")."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard


def verdict(guard: Guard, text: str) -> tuple[str, str | None]:
    found = guard.scan_text(text)
    return found.action.value, found.level.value if found.level else None


@pytest.mark.parametrize("text, level", [
    ("SSEECCRREETT", "toi_mat"),  # every letter doubled: English markings too, not only MẬT
    ("CCOONNFFIIDDEENNTTIIAALL", "mat"),
    ("TTOOPP SSEECCRREETT", "tuyet_mat"),
    ("the SSEECCRREETT plan", "toi_mat"),
    ("TOP SSEECCRREETT", "tuyet_mat"),
    ("SSSEEECCCRRREEETTT file", "toi_mat"),
])
def test_english_words_with_every_letter_doubled(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("MM.ẬẬ.TT", "mat"),  # doubled letters with separators between them
    ("T-T-Ố-Ố-I-I M-M-Ậ-Ậ-T-T", "toi_mat"),
    ("M M Ậ Ậ T T", "mat"),
    ("gửi M M Ậ Ậ T T nhé", "mat"),
    ("S.S.E.E.C.C.R.R.E.E.T.T", "toi_mat"),
    ("TT.ỐỐ.II MM.ẬẬ.TT", "toi_mat"),
    ("M_M_Ậ_Ậ_T_T", "mat"),
])
def test_doubled_letters_with_separators(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("TOOIS mật", "toi_mat"),  # a reader reads `TỐI mật`: a line of nothing but a marking
    ("Toois mật", "toi_mat"),
    ("TUYEEJT mật", "tuyet_mat"),
    ("TO61I mật", "toi_mat"),  # VNI
    ("DDooj mật: A", "tuyet_mat"),  # `Độ mật: A`: a field
    ("ddooj mật: B", "toi_mat"),
    ("D9o65 mật: A", "tuyet_mat"),
    ("toois mật", "toi_mat"),  # in small letters too: a line of nothing but a marking in any case
    ("tuyeejt mật", "tuyet_mat"),
    ("gửi anh\ntoosi mật", "toi_mat"),
    ("- to61i mật -", "toi_mat"),
])
def test_a_higher_word_or_a_field_name_typed_before_a_plain_mat(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", [
    "SSAAMM và AALL", "Bookkeeper committee", "AABBCC", "M M A A", "S S E E", "TTOOOOLL", "II.. AA.. BB",
    "TOOLS mật ong", "Gõ ddooj mật ong", "tooi mật ong", "Tôi thấy ngọt như mật", "address mật khẩu",
    "tools mật", "tooi mật", "Toois mật ong", "ddooj mật",  # `Độ mật` alone is a label
    "DDoS mật khẩu bị lộ", "Kính gửi: TT. Chính phủ, TTg", "Door mật thiết", "TTS mật độ", "gửi TTOOPP nhé",
])
def test_doubled_and_typed_look_alikes_that_spell_nothing_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [
    ("M\U000118afT", "mat"),  # Warang Citi UC looks like 4: M4T
    ("T\U000118b5P SECRET", "tuyet_mat"),  # Warang Citi AT looks like O
    ("C\U000118e0NFIDENTIAL", "mat"),  # Warang Citi digit zero looks like O: other scripts' digits too
    ("C०NFIDENTIAL", "mat"),  # Devanagari zero
    ("S\U000118a6CR\U000118a6\U000118bc", "toi_mat"),
    ("\U000118e9ONFIDENTIAL", "mat"),  # Warang Citi digit nine looks like C
    ("T\U000118e0P S\U000118a6CRET", "tuyet_mat"),
])
def test_letters_and_digits_of_other_scripts_that_look_like_latin(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("\ufff9TỐI MẬT\ufffaghi chú\ufffb", "toi_mat"),  # the annotated text is read apart from its note
    ("\ufff9gửi\ufffaTỐI MẬT\ufffb", "toi_mat"),
    ("\ufff9tài liệu\ufffaMẬT\ufffb", "mat"),
])
def test_interlinear_annotation_parts_the_text_from_its_note(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["Я люблю Москву", "ЗАКАЗ", "нет", "\ufff9漢字\ufffakanji\ufffb", "०१२३ गणना"])
def test_other_scripts_and_annotations_that_spell_nothing_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [
    ("┌────────┐\n│ Độ mật │\n├────────┤\n│ B      │\n└────────┘", "toi_mat"),  # the name's row, a rule, the value's
    ("╔════════╗\n║ Độ mật ║\n╠════════╣\n║ A      ║\n╚════════╝", "tuyet_mat"),
    ("+--------+\n| Độ mật |\n+--------+\n| C      |\n+--------+", "mat"),
    ("┌─────────┐\n│ Độ mật  │\n├─────────┤\n│ Tối mật │\n└─────────┘", "toi_mat"),
    ("│ Độ mật │ A │", "tuyet_mat"),  # the name and the value in one row held already
])
def test_a_field_in_a_table_drawn_with_box_characters(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", [
    "┌────────┐\n│ Tên    │\n├────────┤\n│ B      │\n└────────┘",  # another column's name
    "┌────────┐\n│ Độ mật │\n├────────┤\n│ không  │\n└────────┘",  # says unclassified
    "│ STT │ Nội dung │",
])
def test_tables_that_carry_no_classification_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text", [
    "MÃ MẬT",  # MẬT in capitals after a word that makes no listed compound: rule 2
    "Độ mật: 0",  # a value after a colon that does not say unclassified: rule 4
    "Độ mật: chưa",  # "not yet": a classification may come, nothing says there is none
    "BÍ\nMẬT",  # a line of nothing but a marking: rule 1 (a short stamp line is never glued)
    "Mật\nong",
])
def test_the_cautious_blocks_stay_blocked_as_the_rules_say(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("block", "mat")


@pytest.mark.parametrize("text, level", [
    ("#ĐộMật_A", "tuyet_mat"),  # a hashtag's underscore parts a field's name from its value as a space does
    ("#DoMat_B", "toi_mat"),
    ("#MứcĐộMật_A", "tuyet_mat"),
    ("#Độ_mật_C", "mat"),
])
def test_a_field_written_as_a_hashtag(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["#ĐộMật", "#ĐộMật_KhôngMật", "#PhuongAn_A", "#ĐộMật_ABC", "#BíMật_A", "#MậtOng_B",
                                  "┌─────────┐\n│ Mật ong │\n├─────────┤\n│ B       │\n└─────────┘"])
def test_hashtags_that_name_no_level_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)
