"""Issue #24, items 6 and 7 and its false positives, judged by other hands: instances written to
the same rules as tests/unit/guard/test_text_disguises.py but with other characters, layouts and
words. Each family here was let through, lowered or blocked wrongly before its rule was made
general."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard


def verdict(guard: Guard, text: str) -> tuple[str, str | None]:
    found = guard.scan_text(text)
    return found.action.value, found.level.value if found.level else None


# -- capitals mixed with small letters -------------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("Gửi anh tài liệu MậT nhé", "mat"),
    ("Gửi anh tài liệu mẬT nhé", "mat"),
    ("Gửi anh bản MẬt nhé", "mat"),
    ("Gửi anh bản TốI MậT nhé", "toi_mat"),
    ("Gửi anh tUyỆt MậT nhé", "tuyet_mat"),
    ("TốiMật phương án", "toi_mat"),
    ("the ToP SeCrEt plan", "tuyet_mat"),
    ("the TopSecret plan", "tuyet_mat"),
    ("the sEcReT plan", "toi_mat"),
    ("the CoNfIdEnTiAl file", "mat"),
    ("Gửi anh bản ᵀᴼᴾ ˢᴱᶜᴿᴱᵀ nhé", "tuyet_mat"),  # modifier letters: small ones have no capital
])
def test_a_marking_in_mixed_case_is_in_capitals(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", [
    "MậT khẩu WiFi", "Gửi anh MậT ong rừng", "BíMật", "MẤt điện", "MặT trận", "iPhone và MacBook",
    "SecretSanta party", "Top secret plan", "Tài liệu Mật gửi anh",  # title case stays prose
])
def test_mixed_case_that_is_no_marking_stays_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


# -- false positives: everyday words ending in MẬT, fields that say there is none -------------------

@pytest.mark.parametrize("text", [
    "TUẦN TRĂNG MẬT Ở ĐÀ LẠT", "KHOA NGOẠI GAN MẬT TỤY", "KHOA GAN MẬT", "VÀNG DA DO TẮC MẬT", "SỢ VỠ MẬT",
    "TO GAN LỚN MẬT", "NẰM GAI NẾM MẬT", "CHIM HÚT MẬT", "NUÔI ONG LẤY MẬT", "DƯA MẬT", "MÍT MẬT", "MUỐI MẬT",
    "BÁNH MẬT", "GIẢI MẬT THƯ", "NON-CONFIDENTIAL",
])
def test_other_everyday_words_in_capitals_are_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text", [
    "Độ mật: Bình thường", "Độ mật: Thông thường", "Độ mật: công khai", "Độ mật: không có độ mật",
    "Độ mật: Không có dấu mật", "Độ mật: (trống)", "Classification: Not classified",
    "Độ mật: thường. Người ký: Nguyễn Văn A", "Độ mật: không có.\nNội dung họp",
    "Các mức độ mật: tuyệt mật - tối mật - mật",
])
def test_fields_that_say_there_is_none_and_prose_are_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [
    ("Độ mật: không, TUYỆT MẬT", "tuyet_mat"),
    ("Độ mật: thường. TUYỆT MẬT", "tuyet_mat"),
    ("Độ mật: không; tài liệu TỐI MẬT", "toi_mat"),
    ("Độ mật: thường  [TUYỆT MẬT]", "tuyet_mat"),
    ("Độ mật: Không | Độ khẩn: Hỏa tốc | TỐI MẬT", "toi_mat"),
])
def test_an_unclassified_value_does_not_hide_the_rest_of_its_line(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("name", ["ghi-chu.txt", "ghi-chu.md"])
def test_a_text_file_saved_with_hard_wraps_is_read_as_its_sentences(guard: Guard, name: str) -> None:
    wrapped = "Các cơ quan, đơn vị phải thực hiện nghiêm các quy định về bảo\nmật.\n"
    assert guard.scan_document(name, wrapped.encode()).action.value == "allow"
    stamped = "Số: 12/BC\nMật\nCông văn về việc phối hợp\n"
    assert guard.scan_document(name, stamped.encode()).action.value == "block"


# -- copy numbers and the copy's kind beside a stamp ------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("Tuyệt mật - bản sao số 2", "tuyet_mat"),
    ("Tối mật — Bản số 3 / 5 bản", "toi_mat"),
    ("Top secret - Copy 1 of 3 copies", "tuyet_mat"),
    ("Tuyệt mật - bản số III", "tuyet_mat"),
    ("Tối mật - Số: 12/BC-VPCP", "toi_mat"),
    ("Mật (Bản gốc)", "mat"),
    ("Mật - Bản chính", "mat"),
    ("Tối mật N°3", "toi_mat"),
    ("Mật — bản thứ 2", "mat"),
    ("Mật - Lưu hành nội bộ", "mat"),
])
def test_other_copy_numbers_beside_a_stamp(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, f"{text}\nNội dung cuộc họp") == ("block", level)


@pytest.mark.parametrize("text", ["Mật thư số 3", "Mật ong số 1", "Bí mật số 2", "Tối mật vì\nlý do"])
def test_words_that_only_look_like_copy_numbers(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


# -- portion marks in every bracket ---------------------------------------------------------------

@pytest.mark.parametrize("opening, closing", [("⦃", "⦄"), ("⁅", "⁆"), ("⌈", "⌉"), ("⌊", "⌋"), ("﴾", "﴿"), ("⸢", "⸣"),
                                              ("｟", "｠"), ("'(", ")'"), ("“(", ")”")])
def test_portion_marks_in_every_other_bracket(guard: Guard, opening: str, closing: str) -> None:
    text = f"Tóm tắt:\n{opening}Tối mật{closing} Con số cam kết: 2 triệu USD.\n\nĐầu mối: Vụ Hợp tác."
    found = guard.scan_text(text)
    assert (found.action.value, found.level.value if found.level else None) == ("redact", "toi_mat")
    assert "2 triệu USD" not in (found.text or "") and "Đầu mối" in (found.text or "")


# -- classification fields: a word before the letter, a few words after the name --------------------

@pytest.mark.parametrize("text, level", [
    ("Độ mật: Loại A", "tuyet_mat"),  # was Mật: "anything after a colon", not the letter's level
    ("Độ mật: cấp B", "toi_mat"),
    ("Mức độ mật: hạng A", "tuyet_mat"),
    ("Classification: Level B", "toi_mat"),
    ("Độ mật của văn bản: A", "tuyet_mat"),
    ("Độ mật văn bản: Tối mật", "toi_mat"),
    ("Cấp độ mật của tài liệu này: B", "toi_mat"),
    ("Classification of this note: Top Secret", "tuyet_mat"),
])
def test_classification_fields_with_words_around_the_value(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, f"{text}\nNội dung cuộc họp") == ("block", level)


@pytest.mark.parametrize("text", [
    "Độ mật của văn bản: do người ký quyết định theo Điều 8.",
    "Độ mật văn bản: xem hướng dẫn kèm theo",
    "Độ mật được quy định tại Điều 8: A là tuyệt mật",
])
def test_a_field_name_with_words_before_prose_stays_prose(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


# -- two letter marks on one vowel -------------------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("Gửi anh tài liệu " + "".join(c + "\u0306" for c in "TỐI MẬT") + " nhé", "toi_mat"),  # a breve on each
    ("Gửi anh tài liệu " + "".join(c + "\u031b" for c in "TỐI MẬT") + " nhé", "toi_mat"),  # a horn on each
    ("MẶ\u0302T KẾ HOẠCH ĐÀM PHÁN", "mat"),  # ặ with a circumflex too: a disguise heads no compound
    ("M\u0332Ậ\u0332T\u0332 KẾ HOẠCH", "mat"),
    ("\U0001d40cẬ\U0001d413 KẾ HOẠCH", "mat"),
])
def test_a_second_letter_mark_or_a_decorated_letter_is_no_plain_word(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


def test_one_letter_mark_still_tells_words_apart(guard: Guard) -> None:
    assert verdict(guard, "MẶT TRẬN TỔ QUỐC") == ("allow", None)
    assert verdict(guard, "MẤT ĐIỆN") == ("allow", None)


# -- portion-marked paragraphs in other layouts -----------------------------------------------------

@pytest.mark.parametrize("text, gone", [
    ("> (MẬT) Lập trường của nước A: phản đối đoạn 12 về chuỗi cung ứng, đề nghị\n> giữ nguyên phương án B\n\nHết.",
     ["phương án B"]),
    (">> (Tối mật) Lập trường của nước A: phản đối đoạn 12 về chuỗi cung ứng và\n>> rút đề xuất vào phút cuối\nHết.",
     ["rút đề xuất"]),
    ("Tóm tắt:\n\n(MẬT) Lập trường của nước A:\n- phản đối đoạn 12\n- giữ nguyên phương án B\n\nHết.",
     ["phản đối đoạn 12", "phương án B"]),
    ("Tóm tắt:\n(MẬT) Lập trường của nước A:\n1. Phản đối đoạn 12\n2. Giữ nguyên phương án B\nHết.",
     ["Phản đối đoạn 12", "phương án B"]),
    ("(SECRET) Country A's position:\n• oppose paragraph 12\n• keep option B\n\nEnd.", ["paragraph 12", "option B"]),
])
def test_a_portion_mark_takes_its_quoted_lines_and_the_list_it_introduces(guard: Guard, text: str,
                                                                           gone: list[str]) -> None:
    found = guard.scan_text(text)
    assert found.action.value == "redact"
    assert not [part for part in gone if part in (found.text or "")]
    assert "Hết" in (found.text or "") or "End" in (found.text or "")


def test_a_list_after_a_portion_ends_at_its_next_portion_mark(guard: Guard) -> None:
    found = guard.scan_text("(MẬT) Lập trường:\n- phản đối đoạn 12\n(Tối mật) Phương án B\n- điểm khác\n\nHết.")
    assert (found.action.value, found.level.value if found.level else None) == ("redact", "toi_mat")
    assert "Hết" in (found.text or "")


# -- a split never lowers the level ----------------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("TỐ\nI MẬT", "toi_mat"),
    ("TUY\nỆT MẬT", "tuyet_mat"),
    ("TUYỆ\u2028T MẬT", "tuyet_mat"),
    ("T\nOP SECRET", "tuyet_mat"),
])
def test_a_line_break_inside_the_higher_word_does_not_lower_the_level(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


# -- two tricks at once: mixed case and split letters; caveats on a stamp line -----------------------

@pytest.mark.parametrize("text, level", [
    ("Gửi anh M.ậ.T nhé", "mat"),
    ("Gửi anh m.Ậ.t nhé", "mat"),
    ("Gửi T:ố:I m,Ậ,t nhé", "toi_mat"),
    ("the S-e-C-r-E-t plan", "toi_mat"),
    ("the t.O.p s.E.c.R.e.T plan", "tuyet_mat"),
    ("the TOPSecret plan", "tuyet_mat"),
])
def test_mixed_case_with_letters_split(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, level", [
    ("Strictly Confidential", "mat"),
    ("Private and Confidential", "mat"),
    ("Top Secret — Eyes Only", "tuyet_mat"),
    ("Secret//NOFORN", "toi_mat"),
    ("Secret - REL TO ASEAN", "toi_mat"),
    ("Confidential - not for distribution", "mat"),
    ("Tối mật - Không sao chụp", "toi_mat"),
    ("Mật - Không được phổ biến rộng rãi", "mat"),
])
def test_a_stamp_line_with_its_handling_caveat(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, f"{text}\nNội dung") == ("block", level)


@pytest.mark.parametrize("text", ["Tối mật không?", "Tối mật không nhỉ", "keep it secret and private",
                                  "Gửi anh M.ậ.t ong"])
def test_questions_and_prose_beside_a_marking_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


def test_a_hole_in_the_mathematical_alphabets_reads_as_its_letter(guard: Guard) -> None:
    """Italic h has no place of its own there (it is U+210E); text generated letter by letter puts it
    at U+1D455 all the same, and the property tests do."""
    assert verdict(guard, "[tài liệu t\U0001d455u hồi] bản số 3") == ("block", "mat")


# -- vertical text in other layouts ----------------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("T M\nỐ Ậ\nI T", "toi_mat"),  # written column after column
    ("Gửi anh:\nT M\nU Ậ\nY T\nỆ .\nT .\nhết", "tuyet_mat"),
    ("T\r\nO\r\nP\r\n\r\nS\r\nE\r\nC\r\nR\r\nE\r\nT", "tuyet_mat"),  # CR LF, a blank line between words
    ("1. M\n2. Ậ\n3. T", "mat"),  # a numbered list of letters
    ("a) T\nb) Ố\nc) I\n\nd) M\ne) Ậ\nf) T", "toi_mat"),
])
def test_vertical_text_in_a_grid_or_a_list(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["1 2\n3 4", "A B\nC D", "Bảng:\nx y\nz t"])
def test_grids_that_spell_nothing_stay_allowed(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


def test_a_capital_marking_after_a_small_letter_and_a_dash_is_still_one(guard: Guard) -> None:
    """The mixed-case search must not take the place of the capitals rule (a property test found it)."""
    assert verdict(guard, "Bản ghi nhớ-M**ẬT-số 3") == ("block", "mat")
    assert verdict(guard, "Bản ghi nhớ-MẬT-số 3") == ("block", "mat")


# -- look-alikes inside ASCII, brackets inside a word, two letters in a field ----------------------

@pytest.mark.parametrize("text, level", [
    ("Gửi bản TỐl MẬT nhé", "toi_mat"),  # a small l for the I: was Mật, the level lowered
    ("TỐl MẬT", "toi_mat"),
    ("the CONFlDENTlAL file", "mat"),
    ("TÀl LIỆU THU HỒl", "mat"),
    ("Gửi anh M[Ậ]T nhé", "mat"),
    ("Gửi anh T[Ố]I M[Ậ]T nhé", "toi_mat"),
    ("Độ mật: C, A", "tuyet_mat"),  # the reader cannot tell which: the highest
    ("Độ mật: C hoặc A", "tuyet_mat"),
])
def test_small_l_for_i_brackets_in_a_word_and_letters_in_a_field(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["Gửi TOL nhé", "Tol", "[tol]", "Cập nhật [MẬT]phương án[/MẬT] hết"])
def test_l_and_brackets_that_are_no_marking(guard: Guard, text: str) -> None:
    assert verdict(guard, text)[0] == ("redact" if "[/MẬT]" in text else "allow")


def test_letters_of_a_split_word_in_a_field_are_not_envelope_letters(guard: Guard) -> None:
    """A property test's case: the lone small a of «c:onfidenti:a:l» is a piece of the word."""
    assert verdict(guard, "Security classification: c:onfidenti:a:l") == ("block", "mat")


# -- registered terms with letters and digits that look alike -----------------------------------------

@pytest.fixture(scope="module")
def term_guard(guard: Guard) -> Guard:
    from bot.guard.policy import RegisteredTerm
    from bot.guard.terms import term_digest
    from bot.guard.verdict import Level

    key = b"term-key-0123456789abcdef0123456"
    terms = []
    for term, level in (("CD-2025/47", Level.MAT), ("Chiến dịch Hoa Sen", Level.TOI_MAT)):
        d = term_digest(key, term)
        terms.append(RegisteredTerm(hmac=d.hmac, words=d.words, first=d.first, compact=d.compact, chars=d.chars,
                                    head=d.head, level=level))
    return Guard(guard.policy.model_copy(update={"terms": tuple(terms)}), key)


@pytest.mark.parametrize("text", ["Số CD-2O25/47 đã gửi", "Số CD-2O2S/47 đã gửi", "Số CD-2025/4 7 đã gửi",
                                  "Về chiến dịch H0a Sen nhé", "Về chiến dịch Hoa S3n nhé"])
def test_a_term_with_a_letter_for_a_digit_or_a_digit_for_a_letter(term_guard: Guard, text: str) -> None:
    found = term_guard.scan_text(text)
    assert found.action.value == "redact", text
    assert "47" not in (found.text or "") and "Sen" not in (found.text or "") and "S3n" not in (found.text or "")


@pytest.mark.parametrize("text", ["Số CD-2O25/48 đã gửi", "Số CD 2026 47 đã gửi", "Hoa sen nở; chiến dịch tiêm"])
def test_look_alikes_need_the_term_s_own_letters(term_guard: Guard, text: str) -> None:
    assert term_guard.scan_text(text).action.value == "allow"


@pytest.mark.parametrize("text, level", [
    ("Độ\nmật: A", "tuyet_mat"), ("Mức\nđộ mật: B", "toi_mat"), ("Cấp độ\nmật: C", "mat"),
    ("Classification\nlevel: Secret", "toi_mat"), ("ĐỘ\u2028MẬT: A", "tuyet_mat"),
])
def test_a_field_name_broken_over_two_lines(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["Thành phố có mật\nđộ: cao", "Kính gửi\nĐộ mật: không có"])
def test_words_of_a_field_name_on_two_lines_that_are_no_field(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


def test_the_letters_of_a_marking_written_apart_are_no_envelope_letters(guard: Guard) -> None:
    """A property test's case: the A of «C O N F I D E N T I A L» is not the envelope letter A."""
    text = "С \u200bL \u200bА \u200bS \u200bS ІFІСАТІОN: С \u200bО \u200bN FІDЕNТІ А L"
    assert verdict(guard, text) == ("block", "mat")
    assert verdict(guard, "Classification: C O N F I D E N T I A L") == ("block", "mat")


# -- portion marks after a multi-level number, an article, a time, a label ----------------------------

@pytest.mark.parametrize("text, kept", [
    ("2.1. (Tối mật) Phương án: rút đề xuất\nHết", ""),
    ("1.2.3. (SECRET) the plan is to withdraw\nHết", ""),
    ("Điều 3. (Mật) Nội dung: rút đề xuất\nHết", ""),
    ("Mục II. (Mật) Nội dung: rút đề xuất\nHết", ""),
    ("[10:32] (Mật) ý kiến: rút đề xuất\nHết", ""),
    ("Tóm tắt: (Mật) phương án B là rút đề xuất.\nHết", "Tóm tắt:"),
    ("Ý kiến của Bộ: (Tối mật) đề nghị rút đề xuất\nHết", "Ý kiến của Bộ:"),
])
def test_a_portion_mark_after_a_number_an_article_a_time_or_a_label(guard: Guard, text: str, kept: str) -> None:
    found = guard.scan_text(text)
    assert found.action.value == "redact"
    assert "rút" not in (found.text or "") and "withdraw" not in (found.text or "")
    assert "Hết" in (found.text or "") and kept in (found.text or "")


@pytest.mark.parametrize("text, level", [("Độ mật: (Mật) phương án\nHết", "mat"),
                                         ("TỐI MẬT: (Mật) phương án\nHết", "toi_mat")])
def test_a_label_that_is_a_field_or_a_stamp_still_blocks(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["Độ mát: B", "Độ mất: C", "Độ mát A", "Độ mát (B)", "Độ mát của nước: A"])
def test_a_field_name_with_other_diacritics_is_another_word(guard: Guard, text: str) -> None:
    """«Độ mát» (how cool) and «Độ mất» are not «Độ mật», as «mát» and «mất» are not «mật»."""
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, level", [("Do mat: A", "tuyet_mat"), ("ĐỘ MẬT (B)", "toi_mat"), ("Đ0 M4T: C", "mat")])
def test_a_field_name_without_diacritics_is_still_the_name(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text, expected", [
    ("Độ mật:\n\nA\nNội dung", ("block", "tuyet_mat")),
    ("Độ mật:\n\nTỐI MẬT", ("block", "toi_mat")),
    ("Độ mật:\n\nBáo cáo tình hình", ("allow", None)),  # a label, then the text under it
    ("Độ mật:\n\nKhông có", ("allow", None)),
])
def test_a_field_s_value_after_a_blank_line(guard: Guard, text: str, expected: tuple[str, str | None]) -> None:
    assert verdict(guard, text) == expected


@pytest.mark.parametrize("text, level", [
    ("TỐI M\nẬT", "toi_mat"), ("Gửi anh tài liệu M\nẬT nhé", "mat"), ("TỐI M\r\nẬT", "toi_mat"),
    ("TUYỆT MẬ\nT\nNội dung", "tuyet_mat"),
])
def test_a_line_break_inside_a_marking_s_word(guard: Guard, text: str, level: str) -> None:
    assert verdict(guard, text) == ("block", level)


@pytest.mark.parametrize("text", ["Kính gửi anh\nA là phương án", "Ô\nkê", "Hà Nội\nTP HCM", "BÍ M\nẬT CỦA ANH"])
def test_short_pieces_at_line_ends_that_make_no_marking(guard: Guard, text: str) -> None:
    assert verdict(guard, text) == ("allow", None)


@pytest.mark.parametrize("text, gone", [
    ("(MẬT) Phương án B:\nrút đề xuất nếu cần\nHết.", ["rút đề xuất"]),
    ("(MẬT) Phương án B:\n  rút đề xuất nếu cần\n  không nhượng bộ\nHết.", ["rút đề xuất", "nhượng bộ"]),
    ("(MẬT)\tLập trường: rút đề xuất\n\tkhông nhượng bộ\nHết.", ["nhượng bộ"]),
    ("(MẬT) Lập trường: rút đề xuất;\nkhông nhượng bộ;\ngiữ phương án B.\nHết.", ["nhượng bộ", "phương án B"]),
])
def test_a_portion_takes_its_indented_lines_and_its_sentence_after_a_colon_or_semicolon(
        guard: Guard, text: str, gone: list[str]) -> None:
    found = guard.scan_text(text)
    assert found.action.value == "redact"
    assert not [part for part in gone if part in (found.text or "")]
    assert "Hết" in (found.text or "")
