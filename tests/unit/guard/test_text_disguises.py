"""Texts as a reader sees them (issue #24, items 6 and 7, and its false positives): every class of
disguise blocks at the marking's own level, redactions take all they must, and the everyday words
and the law's own prose are allowed. Each case here was let through, lowered or blocked wrongly
before one normalisation and the rules built on it."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.normalise import letters_and_marks, normalise
from bot.guard.terms import term_digest
from bot.guard.wraps import join_wrapped_lines
from tests.support.office_files import pdf_lines


def verdict(guard: Guard, text: str) -> tuple[str, str | None]:
    found = guard.scan_text(text)
    return found.action.value, found.level.value if found.level else None


# -- invisible and blank characters ----------------------------------------------------------------

INVISIBLE = ["\U0001d173", "\U0001d17a", "\U0001bca0", "\U0001bca3", "\u2065", "\ufff9", "\ufffa", "\ufffb",
             "\U00013430", "\U0001343f"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_default_ignorable_and_format_characters_are_dropped(guard: Guard, char: str) -> None:
    assert verdict(guard, f"Gửi anh tài liệu M{char}Ậ{char}T{char} nhé") == ("block", "mat")
    assert verdict(guard, f"T{char}Ố{char}I M{char}Ậ{char}T\nNội dung") == ("block", "toi_mat")


@pytest.mark.parametrize("blank", ["\u2800", "\u3164", "\uffa0"])
def test_blank_looking_characters_are_spaces(guard: Guard, blank: str) -> None:
    assert verdict(guard, f"TỐI{blank}MẬT - phương án") == ("block", "toi_mat")
    assert verdict(guard, f"Gửi tài liệu{blank}MẬT cho anh") == ("block", "mat")


# -- combining marks -------------------------------------------------------------------------------

@pytest.mark.parametrize("mark", ["\u0332", "\u0335", "\u0336", "\u0307", "\u0338", "\u0331", "\u20e8"])
def test_marks_that_are_not_vietnamese_are_ignored(guard: Guard, mark: str) -> None:
    text = "Gửi anh tài liệu " + "".join(f"{c}{mark}" for c in "MẬT") + " nhé"
    assert verdict(guard, text) == ("block", "mat")
    assert verdict(guard, "".join(f"{c}{mark}" for c in "TUYỆT MẬT")) == ("block", "tuyet_mat")


def test_a_stacked_extra_tone_does_not_make_another_word(guard: Guard) -> None:
    assert verdict(guard, "Gửi anh tài liệu MẬ\u0301T nhé") == ("block", "mat")  # two tones at once


def test_vietnamese_marks_still_tell_words_apart(guard: Guard) -> None:
    assert verdict(guard, "MẤT ĐIỆN TOÀN THÀNH PHỐ") == ("allow", None)  # mất: lost
    assert verdict(guard, "MẶT TRẬN TỔ QUỐC") == ("allow", None)  # mặt: face
    assert letters_and_marks("M\u0332Ậ\u0336T") == letters_and_marks("MẬT")


# -- letter-like symbols and look-alikes -----------------------------------------------------------

def _offset(text: str, base: int, small: bool = False) -> str:
    return "".join(chr(base + ord(c) - ord("A")) if c.isalpha() else c for c in (text.lower() if small else text))


LETTER_LIKE = {
    "negative squared": _offset("MAT", 0x1F170),
    "negative circled": _offset("MAT", 0x1F150),
    "regional indicators": _offset("MAT", 0x1F1E6),
    "parenthesised": "".join(chr(0x249C + ord(c) - ord("a")) for c in "mat"),
}


@pytest.mark.parametrize("word", LETTER_LIKE.values(), ids=LETTER_LIKE.keys())
def test_letter_like_symbols_read_as_letters(guard: Guard, word: str) -> None:
    assert verdict(guard, word) == ("block", "mat")  # alone on its line


def test_negative_and_regional_letters_in_capitals_inside_a_line(guard: Guard) -> None:
    assert verdict(guard, f"Gửi anh bản {_offset('SECRET', 0x1F170)} nhé") == ("block", "toi_mat")
    assert verdict(guard, f"Plan {_offset('TOP SECRET', 0x1F1E6)} attached") == ("block", "tuyet_mat")


def test_enclosed_letters_read_as_capitals_inside_a_line(guard: Guard) -> None:
    """Circled and parenthesised letters are decoration like capitals: a decorated marking is a stamp."""
    assert verdict(guard, "Gửi anh bản ⒯⒪⒤ ⒨⒜⒯ nhé") == ("block", "toi_mat")
    assert verdict(guard, "Gửi anh bản ⓣⓞⓘ ⓜⓐⓣ nhé") == ("block", "toi_mat")
    assert verdict(guard, "ⓜⓐⓣ ⓚⓗⓐⓤ wifi") == ("allow", None)  # a compound stays one


@pytest.mark.parametrize("text, expected", [
    ("Tuyệt mật 🇻🇳", ("block", "tuyet_mat")),  # a flag after a stamp leaves it a line of markings
    ("(Mật) 🇻🇳 👍", ("block", "mat")),
    ("BÍ MẬT và MẬT 🇻🇳", ("block", "mat")),  # VN is no word that makes a compound with MẬT
    ("Gửi anh MẬT OK", ("block", "mat")),
    ("Độ mật: thường 🇻🇳🇱🇦", ("allow", None)),  # two flags are two flags
    ("🇹🇴🇵 🇸🇪🇨🇷🇪🇹 plan", ("block", "tuyet_mat")),  # but not when they spell a marking
])
def test_flags_are_flags_unless_they_spell_a_marking(guard: Guard, text: str, expected: tuple[str, str]) -> None:
    assert verdict(guard, text) == expected


@pytest.mark.parametrize("text", [
    "SΈCRΈT annex attached",  # Greek capital epsilon with tonos
    "ꓟꓮꓔ tài liệu gửi anh",  # Lisu letters
    "Ѕ\u0301ECRET annex attached",  # Cyrillic with a mark on it
])
def test_look_alikes_of_any_script(guard: Guard, text: str) -> None:
    assert guard.scan_text(text).action.value == "block"


# -- line separators and vertical text -------------------------------------------------------------

@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\r", "\x85", "\x0b", "\x0c"],
                         ids=["LS", "PS", "CR", "NEL", "VT", "FF"])
def test_every_line_separator_makes_a_line(guard: Guard, separator: str) -> None:
    assert verdict(guard, f"Tối mật{separator}Phương án đàm phán") == ("block", "toi_mat")
    text = f"Báo cáo nhanh{separator}(Mật) phản đối đoạn 12{separator}Hết"
    found = guard.scan_text(text)
    assert found.action.value == "redact" and "phản đối" not in (found.text or "") and "Hết" in (found.text or "")


@pytest.mark.parametrize("text, level", [
    ("M\nẬ\nT\nNội dung", "mat"),
    ("T\nỐ\nI\n\nM\nẬ\nT", "toi_mat"),
    ("S\nE\nC\nR\nE\nT\nthe plan", "toi_mat"),
    ("Gửi anh:\nt\nu\ny\nệ\nt\n\nm\nậ\nt", "tuyet_mat"),
    ("M\n.\nẬ\n.\nT\nNội dung", "mat"),
    ("M\n🔥\nẬ\n🔥\nT", "mat"),
    ("t\u2028ố\u2028i\u2028\u2028m\u2028ậ\u2028t\u2028nội dung", "toi_mat"),
])
def test_vertical_text_is_read_down_its_column(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


# -- letters split by punctuation and symbols ------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("Gửi anh T:Ố:I M,Ậ,T nhé", "toi_mat"),
    ("Gửi anh M'Ậ'T nhé", "mat"),
    ("Gửi anh M(Ậ)T nhé", "mat"),
    ("Gửi anh M🔥Ậ🔥T nhé", "mat"),
    ("Gửi anh M;Ậ;T nhé", "mat"),
    ("S!E!C!R!E!T plan", "toi_mat"),
    ("Gửi anh T\"U\"Y\"Ệ\"T M\"Ậ\"T", "tuyet_mat"),
])
def test_letters_split_by_punctuation_or_symbols(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


# -- a disguise never lowers the level -------------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("(MẬT) TUYỆT MẬT", "tuyet_mat"),
    ("(SECRET) TOP SECRET", "tuyet_mat"),
    ("TỐI\nMẬT\nNội dung", "toi_mat"),
    ("TUYỆT\nMẬT", "tuyet_mat"),
    ("TOP\nSECRET\nthe plan", "tuyet_mat"),
])
def test_a_split_or_a_portion_mark_does_not_lower_the_level(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


def test_a_portion_or_a_span_takes_the_highest_level_it_holds(guard: Guard) -> None:
    assert verdict(guard, "Tóm tắt:\n(MẬT) phương án TUYỆT MẬT của đoàn\nHết") == ("redact", "tuyet_mat")
    assert verdict(guard, "Cập nhật: [MẬT]phương án TUYỆT MẬT của đoàn[/MẬT] hết") == ("redact", "tuyet_mat")


# -- portion marks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("opening, closing", [("{", "}"), ("【", "】"), ("〔", "〕"), ("⟨", "⟩"), ("«", "»"),
                                              ("<", ">"), ("《", "》"), ("「", "」")])
def test_portion_marks_in_any_bracket(guard: Guard, opening: str, closing: str) -> None:
    text = f"Tóm tắt:\n{opening}TỐI MẬT{closing} Con số cam kết: 2 triệu USD.\nĐầu mối: Vụ Hợp tác quốc tế."
    found = guard.scan_text(text)
    assert (found.action.value, found.level.value if found.level else None) == ("redact", "toi_mat")
    assert "2 triệu USD" not in (found.text or "") and "Đầu mối" in (found.text or "")


def test_a_portion_marked_paragraph_loses_all_its_lines(guard: Guard) -> None:
    text = ("Tóm tắt kết quả SOM:\n\n"
            "(MẬT) Lập trường của nước A: phản đối đoạn 12 về chuỗi cung ứng, đề nghị\n"
            "giữ nguyên phương án B nếu các nước khác không đồng thuận và\n"
            "rút đề xuất vào phút cuối.\n\n"
            "Đề nghị các bộ cho ý kiến trước 17h.")
    found = guard.scan_text(text)
    assert found.action.value == "redact"
    for gone in ("phản đối đoạn 12", "giữ nguyên phương án B", "rút đề xuất"):
        assert gone not in (found.text or "")
    assert "Đề nghị các bộ cho ý kiến" in (found.text or "")


@pytest.mark.parametrize("text", [
    "(Tối mật) Phương án đàm phán của đoàn là\nrút đề xuất nếu cần, không nhượng bộ\n\nHết.",
    "Tóm tắt:\n\n(MẬT) Phương án B.\nRút đề xuất nếu cần.\nKhông nhượng bộ thêm.\n\nHết.",
    "Tóm tắt:\n\n(MẬT) Lập trường của nước A:\nrút đề xuất, giữ đoạn 12;\nkhông nhượng bộ thêm\n\nHết.",
    "(MẬT) Lập trường của nước A về dự thảo là phản đối đoạn 12 và\nRút đề xuất, không nhượng bộ\nHết.",
])
def test_every_line_of_a_portion_marked_paragraph_goes(guard: Guard, text: str) -> None:
    found = guard.scan_text(text)
    assert found.action.value == "redact"
    assert "Rút đề xuất".lower() not in (found.text or "").lower() and "nhượng bộ" not in (found.text or "")
    assert "Hết" in (found.text or "")


@pytest.mark.parametrize("text, level", [
    ("Tuyệt mật - bản số 3/5\nNội dung", "tuyet_mat"),
    ("Mật — Bản số 02\nNội dung", "mat"),
    ("Tối mật, số 7\nNội dung", "toi_mat"),
    ("Secret - copy 2 of 4\nthe plan", "toi_mat"),
    ("Bản số 3/5 - Tuyệt mật\nNội dung", "tuyet_mat"),
])
def test_a_copy_number_beside_a_stamp(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


# -- classification fields in any layout -----------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("Độ mật A\nNội dung", "tuyet_mat"),
    ("Độ mật → A", "tuyet_mat"),
    ("Độ mật ⇒ B", "toi_mat"),
    ("Độ mật (B)", "toi_mat"),
    ("Độ mật [C] - xem kỹ", "mat"),
    ("Độ mật:\nB\nNội dung", "toi_mat"),
    ("Độ mật\nC\nNội dung", "mat"),
    ("Classification (B)", "toi_mat"),
    ("Độ mật → tối mật", "toi_mat"),
    ("Độ mật Tối mật\nNội dung", "toi_mat"),
    ("Văn bản có Độ mật Tuyệt mật", "tuyet_mat"),
    ("Classification Secret", "toi_mat"),
    ("Classification (Confidential)\nthe notes", "mat"),
])
def test_classification_fields_in_any_layout(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


# -- false positives -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Luật Bảo vệ bí mật nhà nước quy định ba độ mật: tuyệt mật, tối mật và mật.",
    "Bí mật nhà nước được phân loại theo độ mật: tuyệt mật, tối mật hoặc mật.",
    "Độ mật: không có",
    "Độ mật: Không có",
])
def test_prose_about_levels_and_empty_fields_are_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text", [
    "Độ mật (nếu có) ghi ở góc trên bên trái.", "Phương án A được thống nhất.", "Độ mật của văn bản do ai xác định?",
    "Classification (draft) pending", "Tóm tắt:\r\n(Mật) phản đối đoạn 12\r\nHết", "Độ mật: TUYỆT MẬT, TỐI MẬT",
    "Độ mật:\nBáo cáo tình hình họp SOM", "Cấp độ mật → xem Điều 8 của Luật",
    "The law sets three classification levels: top secret, secret and confidential.",
])
def test_looser_fields_and_lines_leave_the_rest_as_it_was(guard: Guard, text: str) -> None:
    """Guards for the rules above: what they must not change (these were right before them)."""
    found = guard.scan_text(text)
    if "\r\n" in text:
        assert found.action.value == "redact" and "Hết" in (found.text or "")
    elif text.isupper() or "TUYỆT" in text:
        assert found.action.value == "block"
    else:
        assert found.action.value == "allow"


@pytest.mark.parametrize("text", [
    "Bệnh nhân bị SỎI MẬT cần mổ gấp", "TÚI MẬT", "CẮT TÚI MẬT NỘI SOI", "MẬT GẤU", "MẬT MÍA NGUYÊN CHẤT",
    "CƠ MẬT VIỆN", "MẬT ĐÀM GIỮA HAI BÊN", "NGỌT NHƯ MẬT", "MẬT THÁM", "TRÙ MẬT",
    "MẬT RẮN", "MẬT CÁ TRẮM",  # compounds no list names: the rule reads them
])
def test_everyday_compounds_in_capitals_are_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [
    ("Gửi anh tài liệu MẬT", "mat"), ("MẬT: gửi anh", "mat"), ("CONFIDENTIAL: x", "mat"),
    ("TÀI LIỆU MẬT GỬI ANH", "mat"), ("BÁO CÁO MẬT PHƯƠNG ÁN ĐÀM PHÁN", "mat"), ("MẬT KHẨN", "mat"),
    ("MẬT - TÀI LIỆU HỌP", "mat"), ("ĐÂY LÀ MẬT NHÉ", "mat"), ("M.Ậ.T PHƯƠNG ÁN", "mat"),
    ("VĂN BẢN MẬT SỐ 12", "mat"), ("MẬT\nCÔNG VĂN SỐ 12", "mat"),
])
def test_what_may_stand_around_a_stamp_keeps_it_a_stamp(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


# -- line wraps of documents -----------------------------------------------------------------------

def test_join_wrapped_lines_joins_a_sentence_and_a_headline() -> None:
    sentence = "Các cơ quan, đơn vị phải thực hiện nghiêm các quy định về bảo\nmật."
    assert join_wrapped_lines(sentence) == sentence.replace("\n", " ")
    headline = "QUY CHẾ VỀ CÔNG TÁC BẢO VỆ VÀ ỨNG DỤNG CÔNG NGHỆ BẢO\nMẬT THÔNG TIN TRONG CƠ QUAN"
    assert join_wrapped_lines(headline) == headline.replace("\n", " ")


@pytest.mark.parametrize("text", [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nMật\nnội dung",
    "Số: 12/BC\nMẬT\nCÔNG VĂN VỀ VIỆC PHỐI HỢP",
    "Kính gửi các bộ.\nmật",
    "TỐI\nMẬT",
])
def test_join_wrapped_lines_never_hides_a_stamp(guard: Guard, text: str) -> None:
    before = guard.scan_text(text)
    after = guard.scan_text(join_wrapped_lines(text))
    assert before.action.value == "block"
    assert (after.action, after.level) == (before.action, before.level)
    assert len(join_wrapped_lines(text)) == len(text)


def test_a_pdf_line_wrap_is_not_a_stamp(guard: Guard) -> None:
    wrapped = pdf_lines(["Cac co quan, don vi phai thuc hien nghiem cac quy dinh ve bao", "mat."])
    assert guard.scan_document("quy-che.pdf", wrapped).action.value == "allow"
    stamped = pdf_lines(["Cong van so 12", "MAT", "Noi dung trao doi"])
    assert guard.scan_document("cong-van.pdf", stamped).action.value == "block"


# -- registered terms ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def term_guard(guard: Guard) -> Guard:
    from bot.guard.policy import RegisteredTerm
    from bot.guard.verdict import Level

    key = b"term-key-0123456789abcdef0123456"
    terms = []
    for term, level in (("CD-2025/47", Level.MAT), ("Chiến dịch Hoa Sen", Level.TOI_MAT)):
        d = term_digest(key, term)
        terms.append(RegisteredTerm(hmac=d.hmac, words=d.words, first=d.first, compact=d.compact, chars=d.chars,
                                    head=d.head, level=level))
    return Guard(guard.policy.model_copy(update={"terms": tuple(terms)}), key)


@pytest.mark.parametrize("text", [
    "Số C D 2025 47 đã gửi", "Số CD 20 25 47 đã gửi", "Số C-D-2-0-2-5-4-7 đã gửi", "Số CD202547 đã gửi",
    "Về chiến dịch H o a S e n nhé", "Về CHIẾNDỊCH HOASEN nhé", "Về chiến dịch Hoa⠀Sen nhé",
    "Về chiến dịch H𝅳oa Se̲n nhé", "Số C🔥D 2025/47",
])
def test_registered_terms_split_by_their_letters_or_digits(term_guard: Guard, text: str) -> None:
    found = term_guard.scan_text(text)
    assert found.action.value == "redact", text
    assert "47" not in (found.text or "") and "sen" not in (found.text or "").lower().replace(" ", "")


def test_split_terms_need_all_their_letters(term_guard: Guard) -> None:
    for text in ("Số CD 2025 478 đã gửi", "Số C D 2025 đã gửi", "Hoa sen nở đẹp; chiến dịch tiêm chủng"):
        assert term_guard.scan_text(text).action.value == "allow", text


def test_terms_go_through_the_same_normalisation() -> None:
    key = b"k" * 32
    assert term_digest(key, "CD-2025/47").hmac == term_digest(key, "C\U0001d173D\u2800–\u20092025/47").hmac
    assert normalise("\U0001F172\U0001F173").text == "CD"


def test_a_stamp_a_deployment_redacts_takes_only_its_own_line(guard: Guard) -> None:
    from bot.guard.verdict import Level

    redacting = Guard(guard.policy.model_copy(update={"stamp_action": dict.fromkeys(Level, "redact")}), None)
    for separator in ("\u2028", "\u2029", "\r", "\x85"):
        found = redacting.scan_text(f"Mở đầu{separator}MẬT phần riêng{separator}Kết thúc")
        assert found.action.value == "redact", separator
        assert "Mở đầu" in (found.text or "") and "Kết thúc" in (found.text or "")
        assert "phần riêng" not in (found.text or "")
