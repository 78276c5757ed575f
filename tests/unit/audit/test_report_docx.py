"""The draft report to the Prime Minister: Decree 30's parts, its font and page, no blocked text, the guard."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from bot.audit.report_docx import render_report_docx, report_file_name
from bot.domain.consultation import Position
from bot.domain.report import (
    ConsultationReport,
    ReportComment,
    ReportIssuer,
    ReportParticipant,
    ReportScope,
    title_in_sentence,
)
from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction
from tests.support.tools import requires_ocr

REPO = Path(__file__).resolve().parents[3]
OPENED = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
TITLE = "Lập trường của Việt Nam về dự thảo Tuyên bố chung ASEAN về an ninh lương thực"
BLOCKED_TEXT = "TỐI MẬT\nKế hoạch đàm phán vòng ba với mức nhượng bộ tối đa 12%"
REDACTED_SOURCE = "Đồng ý về cơ bản.\n(MẬT) Mức trần nội bộ là 7%.\nĐề nghị giữ đoạn 4."


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_policy_dir(REPO / "policies", b"test-term-key-0123456789abcdef!!")


def make_report(**changes: Any) -> ConsultationReport:
    report = ConsultationReport(
        consultation_id=12,
        title=TITLE,
        scopes=(ReportScope("aec", "Kinh tế", "Economic"), ReportScope("cross", "Liên trụ cột", "Cross-pillar")),
        opened_by="Nguyễn Văn An",
        opened_by_agency="Bộ Ngoại giao",
        opened_at=OPENED,
        deadline_at=OPENED + timedelta(hours=2),
        closed_at=OPENED + timedelta(hours=3),
        issuer=ReportIssuer(agency="Bộ Ngoại giao", archive="ASEAN", signer_title="KT. Bộ trưởng\nThứ trưởng"),
        participants=(
            ReportParticipant("moit-1", "Trần Thị Bình", "Bộ Công Thương", Position.AGREE,
                              OPENED + timedelta(minutes=30)),
            ReportParticipant("moha-1", "Hoàng Văn Dũng", "Bộ Nội vụ", Position.OBJECT,
                              OPENED + timedelta(hours=2, minutes=10), late=True, responded_by="Ngô Thị Mai",
                              reason=ReportComment("moha-1", "Ngô Thị Mai", "Bộ Nội vụ",
                                                   OPENED + timedelta(hours=2, minutes=5),
                                                   "Đoạn 3 chưa phù hợp với cam kết hiện hành của Việt Nam.")),
            ReportParticipant("mof-1", "Bùi Quang Huy", "Bộ Tài chính", Position.MORE_TIME,
                              OPENED + timedelta(minutes=50)),
            ReportParticipant("nsv-1", "Lý Thành Nam", "Ban Thư ký ASEAN Quốc gia Việt Nam"),
        ),
        comments=(
            ReportComment("moha-1", "Ngô Thị Mai", "Bộ Nội vụ", OPENED + timedelta(hours=2, minutes=5),
                          "Đoạn 3 chưa phù hợp với cam kết hiện hành của Việt Nam."),
            ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", OPENED + timedelta(minutes=25),
                          "Đề nghị bổ sung nội dung về chuỗi cung ứng."),
        ),
        blocked_count=0,
        summary="Đa số đồng ý; đề nghị sửa đoạn 3 theo ý kiến của Bộ Nội vụ trước khi trình.",
        issued_on=date(2026, 12, 5),
    )
    return replace(report, **changes)


def open_docx(content: bytes) -> Any:
    return docx.Document(io.BytesIO(content))


def all_text(document: Any) -> str:
    """Every paragraph of the body and of its tables, in order, one per line."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def cell_texts(cell: Any) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text]


def test_heading_block_is_decree_30s_two_columns() -> None:
    document = open_docx(render_report_docx(make_report(
        issuer=ReportIssuer(agency="Vụ ASEAN", superior="Bộ Ngoại giao", abbreviation="BNG-ASEAN"))))
    heading = document.tables[0]
    agency, state = heading.rows[0].cells
    assert cell_texts(agency) == ["BỘ NGOẠI GIAO", "VỤ ASEAN"]
    issuer_run = agency.paragraphs[1].runs[0]
    assert issuer_run.bold and not agency.paragraphs[0].runs[0].bold  # superior plain, issuer bold
    assert agency.paragraphs[2]._p.pPr.find(qn("w:pBdr")) is not None  # the short rule under the issuer
    assert cell_texts(state) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert state.paragraphs[1].runs[0].underline and state.paragraphs[1].runs[0].bold
    number, place = heading.rows[1].cells
    assert number.paragraphs[0].text.startswith("Số:") and number.paragraphs[0].text.endswith("/BC-BNG-ASEAN")
    assert place.paragraphs[0].text == "Hà Nội, ngày 05 tháng 12 năm 2026"
    assert place.paragraphs[0].runs[0].italic


@pytest.mark.parametrize(("issued", "expected"), [
    (date(2026, 2, 3), "Hà Nội, ngày 03 tháng 02 năm 2026"),  # months 1-2 and days < 10 take a zero
    (date(2026, 3, 9), "Hà Nội, ngày 09 tháng 3 năm 2026"),
    (date(2026, 11, 21), "Hà Nội, ngày 21 tháng 11 năm 2026"),
])
def test_place_and_date_follow_the_decree(issued: date, expected: str) -> None:
    document = open_docx(render_report_docx(make_report(issued_on=issued)))
    assert document.tables[0].rows[1].cells[1].paragraphs[0].text == expected


def test_date_left_blank_for_the_clerk_when_not_given() -> None:
    document = open_docx(render_report_docx(make_report(issued_on=None)))
    line = document.tables[0].rows[1].cells[1].paragraphs[0].text
    assert line.startswith("Hà Nội, ngày ") and "tháng" in line and not any(ch.isdigit() for ch in line)


def test_body_holds_every_part_in_order() -> None:
    document = open_docx(render_report_docx(make_report()))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "BÁO CÁO" and document.paragraphs[0].runs[0].bold
    assert paragraphs[1] == f"Kết quả tham vấn nhanh về l{TITLE[1:]}"  # the title's capital is not pasted
    headings = [p for p in paragraphs if p[:4] in ("I. V", "II. ", "III.", "IV. ", "V. C", "VI. ", "VII.")]
    assert headings == ["I. VẤN ĐỀ THAM VẤN", "II. THỜI GIAN VÀ THÀNH PHẦN THAM VẤN", "III. Ý KIẾN CỦA CÁC CƠ QUAN",
                        "IV. Ý KIẾN PHẢN ĐỐI", "V. CÁC Ý KIẾN GÓP Ý", "VI. ĐẦU MỐI CHƯA TRẢ LỜI",
                        "VII. TÓM TẮT VÀ ĐỀ XUẤT CỦA CƠ QUAN ĐIỀU PHỐI"]
    text = "\n".join(paragraphs)
    assert "- Phạm vi: Kinh tế; Liên trụ cột." in text
    assert "- Mở tham vấn: 09:00 ngày 05/12/2026, do Nguyễn Văn An (Bộ Ngoại giao) chủ trì." in text
    assert "- Hạn trả lời: 11:00 ngày 05/12/2026." in text
    assert "- Kết thúc: 12:00 ngày 05/12/2026." in text
    assert "Có 3/4 đầu mối đã trả lời (1 trả lời sau hạn): 1 đồng ý, 1 phản đối, 1 đề nghị thêm thời gian; " \
           "1 đầu mối chưa trả lời." in text
    # the objection with its reason, answered by the alternate
    assert "- Bộ Nội vụ: Ngô Thị Mai (thay Hoàng Văn Dũng, Bộ Nội vụ) phản đối (sau hạn). Lý do nêu trong tham vấn:" \
        in text
    objection_at = paragraphs.index(next(p for p in paragraphs if p.startswith("- Bộ Nội vụ: Ngô Thị Mai")))
    assert paragraphs[objection_at + 1] == ("+ Ngô Thị Mai (Bộ Nội vụ), 11:05 ngày 05/12/2026: "
                                            "Đoạn 3 chưa phù hợp với cam kết hiện hành của Việt Nam.")
    comments_at = paragraphs.index("V. CÁC Ý KIẾN GÓP Ý")
    assert paragraphs[comments_at + 1] == "1. Bộ Công Thương"  # comments under the agency that made them
    assert paragraphs[comments_at + 2] == ("+ Trần Thị Bình, 09:25 ngày 05/12/2026: "
                                           "Đề nghị bổ sung nội dung về chuỗi cung ứng.")
    assert "- Ban Thư ký ASEAN Quốc gia Việt Nam: Lý Thành Nam." in text
    assert "Đa số đồng ý; đề nghị sửa đoạn 3 theo ý kiến của Bộ Nội vụ trước khi trình." in text
    assert paragraphs[-1] == "Bộ Ngoại giao kính báo cáo Thủ tướng Chính phủ xem xét, chỉ đạo./."


def test_positions_table_says_who_answered_for_whom_and_who_was_late() -> None:
    document = open_docx(render_report_docx(make_report()))
    table = document.tables[1]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["TT", "Cơ quan", "Người trả lời", "Ý kiến", "Thời điểm"]
    assert rows[1] == ["1", "Bộ Công Thương", "Trần Thị Bình", "Đồng ý", "09:30 ngày 05/12/2026"]
    assert rows[2] == ["2", "Bộ Nội vụ", "Ngô Thị Mai (thay Hoàng Văn Dũng, Bộ Nội vụ)", "Phản đối (sau hạn)",
                       "11:10 ngày 05/12/2026"]
    assert rows[3][3] == "Cần thêm thời gian"
    assert rows[4] == ["4", "Ban Thư ký ASEAN Quốc gia Việt Nam", "Lý Thành Nam", "Chưa trả lời", "—"]


def test_recipients_and_signature_block() -> None:
    document = open_docx(render_report_docx(make_report()))
    recipients, signer = document.tables[-1].rows[0].cells
    lines = cell_texts(recipients)
    assert lines[0] == "Nơi nhận:"
    assert recipients.paragraphs[0].runs[0].bold and recipients.paragraphs[0].runs[0].italic
    assert lines[1] == "- Thủ tướng Chính phủ (để báo cáo);"
    assert "- Bộ Công Thương;" in lines and "- Ban Thư ký ASEAN Quốc gia Việt Nam;" in lines
    assert "- Bộ Ngoại giao;" not in lines  # the issuer does not send to itself
    assert lines[-1] == "- Lưu: VT, ASEAN."
    assert cell_texts(signer)[0] == "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG"
    unsigned = open_docx(render_report_docx(make_report(issuer=ReportIssuer(agency="Bộ Ngoại giao"))))
    recipients, signer = unsigned.tables[-1].rows[0].cells
    assert cell_texts(recipients)[-1] == "- Lưu: VT."
    assert cell_texts(signer) == ["(CHỨC VỤ NGƯỜI KÝ)", "(Họ và tên người ký)"]


def test_english_variant_has_the_same_structure() -> None:
    report = make_report()
    vi, en = open_docx(render_report_docx(report)), open_docx(render_report_docx(report, lang="en"))
    assert len(vi.paragraphs) == len(en.paragraphs)
    assert [(len(t.rows), len(t.columns)) for t in vi.tables] == [(len(t.rows), len(t.columns)) for t in en.tables]
    text = all_text(en)
    for expected in ("SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness", "REPORT",
                     f"Outcome of the rapid consultation on l{TITLE[1:]}", "Hà Nội, 5 December 2026",
                     "IV. OBJECTIONS", "Ngô Thị Mai (for Hoàng Văn Dũng, Bộ Nội vụ)", "Object (late)",
                     "- Opened: 09:00, 5 December 2026, by Nguyễn Văn An (Bộ Ngoại giao).",
                     "Recipients:", "- The Prime Minister (for report);", "- Archive: Clerical Office, ASEAN."):
        assert expected in text, expected
    assert "Thủ tướng" not in text and "BÁO CÁO" not in text


def test_times_new_roman_on_every_run_and_style_at_decree_sizes() -> None:
    content = render_report_docx(make_report())
    document = open_docx(content)
    slots = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
    body = document.element.body
    runs = body.iter(qn("w:r"))
    header_runs = document.sections[0].header._element.iter(qn("w:r"))
    checked = 0
    for run in [*runs, *header_runs]:
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert all(fonts.get(qn(slot)) == "Times New Roman" for slot in slots)
        checked += 1
    assert checked > 50
    for style in document.styles:
        r_pr = style.element.find(qn("w:rPr"))
        if r_pr is not None and r_pr.find(qn("w:rFonts")) is not None:
            assert r_pr.find(qn("w:rFonts")).get(qn("w:ascii")) == "Times New Roman", style.name
    assert document.styles["Normal"].font.name == "Times New Roman"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:hAnsi")) == "Times New Roman"
    assert "minorHAnsi" not in zipfile.ZipFile(io.BytesIO(content)).read("word/styles.xml").decode()
    # sizes: the body 13-14 pt; the state name 12-13, recipients 11-12 (Appendix I of the decree)
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if run.text.strip():
                assert run.font.size.pt in (13, 14), paragraph.text
    heading_sizes = {run.font.size.pt for cell in document.tables[0]._cells for p in cell.paragraphs for run in p.runs
                     if run.text.strip()}
    assert heading_sizes <= {12, 13}
    recipient_sizes = {run.font.size.pt for p in document.tables[-1].rows[0].cells[0].paragraphs for run in p.runs}
    assert recipient_sizes <= {11, 12}


def test_a4_with_decree_30_margins_and_page_numbers_from_page_two() -> None:
    document = open_docx(render_report_docx(make_report()))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)
    assert section.different_first_page_header_footer
    assert "PAGE" in "".join(t.text or "" for t in section.header._element.iter(qn("w:instrText")))


def test_blocked_messages_leave_only_a_count_and_redactions_stay_redacted(guard: Guard) -> None:
    """What the wiring will do: each stored message goes through the guard; a blocked one has no
    text to give the report, which only counts it."""
    said = [("moit-1", "Trần Thị Bình", "Bộ Công Thương", REDACTED_SOURCE),
            ("mof-1", "Bùi Quang Huy", "Bộ Tài chính", BLOCKED_TEXT),
            ("moha-1", "Ngô Thị Mai", "Bộ Nội vụ", "Không có ý kiến thêm.")]
    comments, blocked = [], 0
    for index, (key, name, agency, text) in enumerate(said):
        verdict = guard.scan_text(text)
        if verdict.text is None:
            blocked += 1
            continue
        comments.append(ReportComment(key, name, agency, OPENED + timedelta(minutes=index), verdict.text,
                                      redacted=verdict.action is GuardAction.REDACT))
    assert blocked == 1 and len(comments) == 2
    content = render_report_docx(make_report(comments=tuple(comments), blocked_count=blocked))
    document = open_docx(content)
    text = all_text(document)
    assert "Có 1 tin nhắn đã bị bộ lọc an toàn chặn" in text
    xml = "".join(zipfile.ZipFile(io.BytesIO(content)).read(n).decode("utf-8", "replace")
                  for n in zipfile.ZipFile(io.BytesIO(content)).namelist())
    for secret in ("Kế hoạch đàm phán", "nhượng bộ", "12%", "Mức trần nội bộ", "7%"):
        assert secret not in xml
    assert "[đã lược bỏ: Mật]" in text and "Đề nghị giữ đoạn 4." in text


def test_long_texts_are_whole() -> None:
    title = "Phương án phối hợp " + " ".join(f"nội dung {n}" for n in range(700))
    # long, but no repetition: a repeated phrase is kept once (test_comments_are_quoted_without_…)
    comment = "\n".join(f"Dòng {n}: " + " ".join(f"góp ý chi tiết {n}.{k}" for k in range(20)) for n in range(40))
    summary = "Tóm tắt. " * 600
    document = open_docx(render_report_docx(make_report(
        title=title, summary=summary,
        comments=(ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", OPENED, comment),))))
    text = all_text(document)
    assert f"Kết quả tham vấn nhanh về p{title[1:]}" in text
    assert comment.split("\n")[0] in text and all(line in text.split("\n") for line in comment.split("\n")[1:])
    assert summary.strip() in text


def test_same_input_same_bytes_and_no_clock_in_the_file() -> None:
    report = make_report()
    first, second = render_report_docx(report), render_report_docx(report)
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    properties = open_docx(first).core_properties
    assert properties.author == "Bộ Ngoại giao" and properties.created == OPENED
    assert TITLE not in (properties.title or "")


@requires_ocr
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_guard_allows_a_clean_report(guard: Guard, lang: str) -> None:
    """The template itself (state name, motto, section names, recipients) must carry nothing the
    guard reads as a stamp, even with titles and comments that speak of secrecy in prose."""
    report = make_report(
        title="Bảo vệ bí mật nhà nước và bảo mật thông tin trong hợp tác với ASEAN Secretariat",
        comments=(ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", OPENED,
                                "Cần thống nhất mật khẩu hệ thống và quy trình thu hồi tài liệu; "
                                "các tài liệu tối mật không gửi qua kênh này."),),
        blocked_count=3, summary="")
    content = render_report_docx(report, lang)
    verdict = guard.scan_document(report_file_name(report, lang), content)
    assert verdict.action is GuardAction.ALLOW, (verdict.rule, verdict.findings)
    assert guard.scan_document(report_file_name(make_report(), lang),
                               render_report_docx(make_report(), lang)).action is GuardAction.ALLOW


def test_file_name_holds_no_title() -> None:
    assert report_file_name(make_report()) == "bao-cao-tham-van-12.docx"
    assert report_file_name(make_report(), "en") == "report-consultation-12.docx"


def test_an_open_consultation_and_no_answers() -> None:
    document = open_docx(render_report_docx(make_report(
        closed_at=None, comments=(), summary="",
        participants=(ReportParticipant("nsv-1", "Lý Thành Nam", "Ban Thư ký ASEAN Quốc gia Việt Nam"),))))
    text = all_text(document)
    for expected in ("- Tham vấn chưa kết thúc tại thời điểm lập báo cáo.", "chưa có ý kiến nào",
                     "Không có cơ quan nào phản đối.", "Không có góp ý nào khác.",
                     "(Cán bộ điều phối bổ sung tóm tắt và đề xuất trước khi trình ký.)"):
        assert expected in text, expected


def test_the_model_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="time zone"):
        make_report(opened_at=datetime(2026, 12, 5, 9, 0))


def number_line(report: ConsultationReport) -> str:
    return str(open_docx(render_report_docx(report)).tables[0].rows[1].cells[0].paragraphs[0].text)


def test_the_number_carries_the_declared_short_name_or_the_full_name_never_initials() -> None:
    """Issue 26 item 7: «BTKAQGVN» was made up from «Ban Thư ký ASEAN Quốc gia Việt Nam»."""
    declared = make_report(issuer=ReportIssuer(agency="Ban Thư ký ASEAN Quốc gia Việt Nam",
                                               abbreviation="Ban Thư ký ASEAN"))
    assert number_line(declared).endswith("/BC-Ban Thư ký ASEAN")
    undeclared = make_report(issuer=ReportIssuer(agency="Ban Thư ký ASEAN Quốc gia Việt Nam"))
    assert number_line(undeclared).endswith("/BC-Ban Thư ký ASEAN Quốc gia Việt Nam")
    assert "BTKAQGVN" not in all_text(open_docx(render_report_docx(undeclared)))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_template_string_passes_the_guard_on_its_own(guard: Guard, lang: str) -> None:
    """Branches a sample report does not take (a blank date, an open consultation...) are checked
    too: each catalogue text of the report, /stats and /away, its placeholders filled."""
    from collections import defaultdict

    from bot.i18n import catalog

    keys = [k for k in catalog(lang) if k.startswith(("pmreport.", "stats.", "away.", "error.away"))]
    assert len(keys) > 60
    for key in keys:
        text = catalog(lang)[key].format_map(defaultdict(lambda: "1"))
        verdict = guard.scan_text(text)
        assert verdict.action is GuardAction.ALLOW, (key, verdict.rule)


@pytest.mark.parametrize(("title", "expected"), [
    ("Ý kiến về dự thảo tuyên bố.", "ý kiến về dự thảo tuyên bố"),
    ("ASEAN và an ninh lương thực", "ASEAN và an ninh lương thực"),
    ("Bộ Công Thương đề xuất", "Bộ Công Thương đề xuất"),
    ("Việt Nam ứng cử", "Việt Nam ứng cử"),
    ("eASEAN", "eASEAN"),
    ("dự thảo", "dự thảo"),
])
def test_the_title_reads_inside_the_subject_line(title: str, expected: str) -> None:
    """«…tham vấn nhanh về Ý kiến về…» was the title pasted with its capital (issue 26, item 4)."""
    assert title_in_sentence(title) == expected


def test_no_chat_jargon_in_the_body() -> None:
    """«#1» is the chat's way to name a consultation, not a report's (issue 26, item 4)."""
    for lang in ("vi", "en"):
        paragraphs = [p.text for p in open_docx(render_report_docx(make_report(), lang)).paragraphs]
        assert not [p for p in paragraphs if "#" in p]


def test_comments_are_quoted_without_emoji_repetition_or_duplicates() -> None:
    """A chat line with emoji, a phrase pasted over and over, the same comment twice, a lone 👍:
    the report quoted them verbatim, five pages for three people (issue 26, item 4)."""
    said = OPENED + timedelta(minutes=20)
    comments = (
        ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", said, "Đồng ý 👍👍 với dự thảo 🇻🇳"),
        ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", said, "Đồng ý với dự thảo"),
        ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", said, "👍"),
        ReportComment("moha-1", "Ngô Thị Mai", "Bộ Nội vụ", said, "Đoạn 3 chưa phù hợp. " * 180),
    )
    text = all_text(open_docx(render_report_docx(make_report(comments=comments))))
    assert text.count("Đồng ý với dự thảo") == 1 and "👍" not in text and "🇻🇳" not in text
    assert text.count("Đoạn 3 chưa phù hợp.") == 1
    assert len(text) < 4000


def test_comments_sit_under_their_agency_in_the_roster_order_each_said_once() -> None:
    """Issue 26 item 4: comments were one list by time; a ministry reads them agency by agency."""
    said = OPENED + timedelta(minutes=20)
    comments = (
        ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", said, "Đề nghị bổ sung chuỗi cung ứng."),
        ReportComment("mof-1", "Bùi Quang Huy", "Bộ Tài chính", said - timedelta(minutes=5), "Chi phí cần rà soát."),
        ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", said, "Đề nghị   bổ sung chuỗi cung ứng."),
        ReportComment("moit-2", "Lê Văn Cường", "Bộ Công Thương", said + timedelta(minutes=1), "👍"),
    )
    report = make_report(comments=comments, agency_order=("Bộ Ngoại giao", "Bộ Công Thương", "Bộ Nội vụ",
                                                          "Bộ Tài chính"))
    paragraphs = [p.text for p in open_docx(render_report_docx(report)).paragraphs]
    start = paragraphs.index("V. CÁC Ý KIẾN GÓP Ý")
    assert paragraphs[start + 1:start + 6] == [
        "1. Bộ Công Thương",
        "+ Trần Thị Bình, 09:20 ngày 05/12/2026: Đề nghị bổ sung chuỗi cung ứng.",
        "+ Lê Văn Cường, 09:21 ngày 05/12/2026: (đồng ý)",
        "2. Bộ Tài chính",
        "+ Bùi Quang Huy, 09:15 ngày 05/12/2026: Chi phí cần rà soát.",
    ]
    english = [p.text for p in open_docx(render_report_docx(report, "en")).paragraphs]
    assert any(p.startswith("+ Lê Văn Cường") and p.endswith(": (agrees)") for p in english)


def test_a_long_comment_is_cut_in_the_body_and_given_whole_in_the_appendix() -> None:
    """Issue 26 item 4: a 3,700-character comment filled pages of the body."""
    long = " ".join(f"Ý kiến chi tiết số {n} về đoạn {n % 7}." for n in range(120))
    assert len(long) > 3000
    report = make_report(comments=(ReportComment("moit-1", "Trần Thị Bình", "Bộ Công Thương", OPENED, long),))
    document = open_docx(render_report_docx(report))
    paragraphs = [p.text for p in document.paragraphs]
    body = paragraphs[:paragraphs.index("Phụ lục: Toàn văn góp ý")]
    quoted = next(p for p in body if p.startswith("+ Trần Thị Bình"))
    assert quoted.endswith("… (toàn văn ở Phụ lục)") and len(quoted) < 700
    assert long not in "\n".join(body)
    appendix_at = paragraphs.index("Phụ lục: Toàn văn góp ý")
    assert document.paragraphs[appendix_at].paragraph_format.page_break_before
    assert paragraphs[appendix_at + 1] == f"1. Trần Thị Bình (Bộ Công Thương), 09:00 ngày 05/12/2026: {long}"
    short = [p.text for p in open_docx(render_report_docx(make_report())).paragraphs]
    assert "Phụ lục: Toàn văn góp ý" not in short  # no appendix when nothing was cut
