"""Issue #24, item 6, round two of other hands: letters written small, look-alikes of "faux"
alphabets, and other families the first rounds did not try. Each family failed before its rule was
made general (see docs/guard.md, "One reading of every text")."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard


def verdict(guard: Guard, text: str) -> tuple[str, str | None]:
    found = guard.scan_text(text)
    return found.action.value, found.level.value if found.level else None


@pytest.mark.parametrize("text, level", [
    ("Gửi anh tài liệu ₘₐₜ nhé", "mat"),  # subscripts exist only as small letters
    ("gửi ᵐᵃᵗ", "mat"),
    ("tài liệu ᵗᵒⁱ ᵐᵃᵗ nhé", "toi_mat"),
    ("Gửi anh TUYΣT MẬT", "tuyet_mat"),  # Greek capital sigma for E: a disguise never lowers the level
    ("the SΣCRΣT plan", "toi_mat"),
    ("TOP SΞCRΞT", "tuyet_mat"),
    ("Gửi bản ⲘⲀⲦ nhé", "mat"),  # Coptic
    ("ᎢᎾᏢ ᏚᎬᏟᎡᎬᎢ", "tuyet_mat"),  # Cherokee
    ("Gửi bản ᗰᗩT nhé", "mat"),  # Canadian syllabics
    ("ᑕOᑎᖴIᗪEᑎTIᗩᒪ file", "mat"),
    ("bản TỐI MΛT nhé", "toi_mat"),  # Λ for A (Д, Я, И... likewise)
])
def test_letters_written_small_and_faux_alphabets(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["Nhiệt độ 25ᵒC", "H₂O và CO₂", "ngày 1ˢᵗ", "Σ tổng = 10", "ΣΑΣ", "Я люблю"])
def test_small_letters_and_other_scripts_that_spell_nothing_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [
    ("Độ mật: [x] A [ ] B [ ] C", "tuyet_mat"),
    ("Độ mật: [ ] A [x] B [ ] C", "toi_mat"),
    ("Độ mật: ☐ A ☑ B ☐ C", "toi_mat"),
    ("Độ mật: ☐ A ☐ B ☒ C", "mat"),
    ("Độ mật: [ ] Tuyệt mật [X] Tối mật [ ] Mật", "toi_mat"),
    ("Độ mật: (x) A ( ) B ( ) C", "tuyet_mat"),
    ("Độ mật: ☐ A ✅ B ✅ C", "toi_mat"),  # two ticked: the higher
])
def test_a_ticked_box_picks_the_letter(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("Độ mật: [ ] A [ ] B [ ] C", "tuyet_mat"),  # nothing ticked: a reader cannot tell, the highest
    ("Độ mật: [ ] TUYỆT MẬT [x] Mật", "tuyet_mat"),  # a marking in capitals is a stamp of its own
])
def test_boxes_never_lower_what_the_rest_of_the_text_says(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("gửi M@T nhé", "mat"),  # symbols for letters, as leetspeak's digits are
    ("bản T0! M@T", "toi_mat"),
    ("$ECRET plan", "toi_mat"),
    ("C0NF!D3NT!@L", "mat"),
    ("T()I M4T", "toi_mat"),  # () for O: the level is not lowered to the M4T alone
    ("|\\/|@T", "mat"),
])
def test_symbols_that_stand_for_letters(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("TTỐỐII MMẬẬTT", "toi_mat"),
    ("Gửi bản MMẬẬTT nhé", "mat"),
    ("TTUUYYỆỆTT MMẬẬTT", "tuyet_mat"),
    ("TTTỐỐỐIII MMMẬẬẬTTT", "toi_mat"),
])
def test_every_letter_doubled(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("TOOIS MAATJ", "toi_mat"),  # Telex typed with the input method off
    ("Gửi anh TOOIS MAATJ nhé", "toi_mat"),
    ("TUYEETJ MAATJ", "tuyet_mat"),
    ("bản MAATJ gửi anh", "mat"),
    ("toois maatj", "toi_mat"),  # alone on its line
    ("DDooj maatj: A", "tuyet_mat"),  # a field's name typed so
    ("TO61I MA65T", "toi_mat"),  # VNI, marks after their vowel
    ("Gửi TOI61 MAT65 nhé", "toi_mat"),  # VNI, marks at the word's end
    ("TUYE65T MA65T", "tuyet_mat"),
])
def test_telex_and_vni_typing_residue(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("ʇɐɯ", "mat"),
    ("Gửi anh ʇɐɯ ıoʇ nhé", "toi_mat"),
    ("ʇǝɹɔǝs doʇ", "tuyet_mat"),
    ("⊥∀W IO⊥", "toi_mat"),
])
def test_text_turned_upside_down(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", [
    "MATT DAMON", "BOOKS AND TOOLS", "Email me at a@b.com", "Price $5", "Hello!!!", "COFFEE", "MAAT", "Maat",
    "H7N9 và COVID19", "TOOT TOOT", "MEET AT NOON", "f() và g()", "uʍop ǝpısdn", "AA BB CC", "Mật ong $10",
    "ADD TO CART", "Room 66 và 99", "mật khẩu: M@tkhau", "(╯°□°)╯︵ ┻━┻", "¯\\_(ツ)_/¯",
])
def test_respellings_that_spell_nothing_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [
    ("Độ mật:\n👍\nA", "tuyet_mat"),  # three messages as the gate joins them: an emoji sent between
    ("Độ mật:\n...\nB", "toi_mat"),
    ("Độ mật:\n🔥🔥\nC", "mat"),
])
def test_a_line_of_symbols_between_a_field_and_its_value(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["Độ mật:\n👍\nkhông có", "Kết luận:\n👍\nđồng ý"])
def test_a_line_of_symbols_before_an_unclassified_value(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [
    ("MAA\u200dTJ", "mat"),  # an invisible joiner inside a typed word
    ("MA\u200d6\u200d5T", "mat"),
    ("\u202eTJAAM SIOOT", "toi_mat"),  # Telex under a right-to-left override, the tone before the T
    ("#TOOIS_MAATJ", "toi_mat"),
    ("`TOOIS MAATJ`", "toi_mat"),
    ("Độ mật: [x] A", "tuyet_mat"),  # one box, ticked
    ("Độ mật: ☑ ᴀ", "tuyet_mat"),
    ("MMΛΛTT", "mat"),
    ("bản ₘậₜ", "mat"),
    ("Gửi anh bản TUYEETJ MAATJ - bản số 2", "tuyet_mat"),
])
def test_two_disguises_at_once(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["MAATJ KHAARU", "Maatj khaaru wifi", "MAATJ ONG RUWNGF", "Tooij maatj"])
def test_everyday_words_typed_in_telex_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [
    ("TOOIS MẬT", "toi_mat"),  # the higher word typed so, MẬT plain: the level is not lowered
    ("TTỐỐII MẬT", "toi_mat"),
    ("TUYEETJ MẬT", "tuyet_mat"),
    ("Gửi anh TOOIS MẬT nhé", "toi_mat"),
])
def test_a_higher_marking_s_first_word_respelled_keeps_its_level(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)
