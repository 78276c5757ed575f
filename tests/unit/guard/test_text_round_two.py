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
