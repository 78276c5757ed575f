"""Word fields as Word shows them once updated (issue 24, class 4, second round): a field whose
saved result is empty or harmless shows its code's quoted text when Word updates it (printing
does; a SYMBOL field its character, in the word around it), a `DOCVARIABLE` shows a document
variable, a content control bound to a custom XML attribute shows that attribute, and the
Reviewing pane shows who commented or changed what. Field codes that show none of their text
(PAGE, TOC, HYPERLINK, MERGEFIELD) pass."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import package

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PLAIN = '<w:p><w:r><w:t>Kính gửi các đơn vị</w:t></w:r></w:p>'


def word(body: str, extra: dict[str, str] | None = None) -> bytes:
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                               f'<Override PartName="/word/document.xml" ContentType="{CT_WORD}"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       f'relationships"><Relationship Id="rId1" Type="{R}/officeDocument" '
                       'Target="word/document.xml"/></Relationships>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>',
    }
    parts.update(extra or {})
    return package(parts)


def field(*codes: str, result: str = "") -> str:
    """A complex field (begin, code runs, separate, result, end); several codes are one code split
    over runs, as Word writes it."""
    runs = "".join(f'<w:r><w:instrText xml:space="preserve">{code}</w:instrText></w:r>' for code in codes)
    shown = f"<w:r><w:t>{result}</w:t></w:r>" if result else ""
    return ('<w:p><w:r><w:t xml:space="preserve">Kính gửi </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'{runs}<w:r><w:fldChar w:fldCharType="separate"/></w:r>{shown}'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def inline(code: str) -> str:
    """A field with an empty result, inside a paragraph's runs."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
            f'{code} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def runs(*pieces: str) -> str:
    """A paragraph of text runs and fields: a piece starting with `<` is markup, else a run's text."""
    return "<w:p>" + "".join(piece if piece.startswith("<") else
                             f'<w:r><w:t xml:space="preserve">{piece}</w:t></w:r>' for piece in pieces) + "</w:p>"


def simple(code: str, result: str = "") -> str:
    shown = f"<w:r><w:t>{result}</w:t></w:r>" if result else ""
    return f'<w:p><w:fldSimple w:instr="{code}">{shown}</w:fldSimple></w:p>'


def settings(variables: str) -> dict[str, str]:
    return {"word/settings.xml": f'<?xml version="1.0"?><w:settings {W}><w:docVars>{variables}</w:docVars>'
                                 "</w:settings>"}


def comments(author: str, initials: str) -> dict[str, str]:
    return {"word/comments.xml": f'<?xml version="1.0"?><w:comments {W}><w:comment w:id="0" w:author="{author}" '
                                 f'w:initials="{initials}"><w:p><w:r><w:t>Đã xem</w:t></w:r></w:p></w:comment>'
                                 "</w:comments>"}


BLOCKED: list[tuple[str, Callable[[], bytes], Level]] = [
    ("quote-never-updated", lambda: word(field(' QUOTE "TỐI MẬT" ')), Level.TOI_MAT),
    ("quote-harmless-result", lambda: word(field(' QUOTE "TUYỆT MẬT" ', result="Thường")), Level.TUYET_MAT),
    ("quote-split-over-runs", lambda: word(field(' QUOTE "TỐI', " M", 'ẬT" ')), Level.TOI_MAT),
    ("quote-curly-quotes", lambda: word(field(" QUOTE \u201cTỐI MẬT\u201d ")), Level.TOI_MAT),
    ("if-always-true", lambda: word(field(' IF 1 = 1 "MẬT" "" ')), Level.MAT),
    ("if-harmless-result", lambda: word(field(' IF "a" = "a" "TỐI MẬT" "Thường" ', result="Thường")),
     Level.TOI_MAT),
    ("simple-quote", lambda: word(simple(' QUOTE &quot;TỐI MẬT&quot; ')), Level.TOI_MAT),
    ("simple-if", lambda: word(simple(' IF 2 &gt; 1 &quot;TUYỆT MẬT&quot; ', result="x")), Level.TUYET_MAT),
    ("docvariable", lambda: word(field(" DOCVARIABLE DoMat "),
                                 settings('<w:docVar w:name="DoMat" w:val="TỐI MẬT"/>')), Level.TOI_MAT),
    ("comment-author", lambda: word(PLAIN, comments("TỐI MẬT", "TM")), Level.TOI_MAT),
    ("symbol-field-inside-a-word", lambda: word(runs("TỐI M", inline("SYMBOL 7852 \\u"), "T")), Level.TOI_MAT),
    ("symbol-fields-by-ansi-and-hex-codes", lambda: word(runs(
        "TỐI ", inline('SYMBOL 77 \\f "Arial"'), inline("SYMBOL 0x1EAC \\u"), inline("SYMBOL 84"))), Level.TOI_MAT),
    ("simple-quote-inside-a-word", lambda: word(runs("TỐI ", '<w:fldSimple w:instr=" QUOTE &quot;M&quot; "/>', "ẬT")),
     Level.TOI_MAT),
    ("quote-in-capitals-by-switch", lambda: word(field(' QUOTE "tài liệu tối mật" \\* Upper ')), Level.TOI_MAT),
    ("saved-result-in-capitals-by-switch", lambda: word(field(" MERGEFIELD DoMat \\* Caps ", result="tối mật")),
     Level.TOI_MAT),
    ("custom-xml-attribute-a-control-binds", lambda: word(
        '<w:sdt><w:sdtPr><w:dataBinding w:xpath="/r[1]/@m" w:storeItemID="{1}"/></w:sdtPr><w:sdtContent><w:p><w:r>'
        "<w:t>Thường</w:t></w:r></w:p></w:sdtContent></w:sdt>",
        {"customXml/item1.xml": '<?xml version="1.0"?><r m="TỐI MẬT"/>'}), Level.TOI_MAT),
    ("insertion-author", lambda: word('<w:p><w:ins w:id="1" w:author="TUYỆT MẬT" w:date="2026-01-01T00:00:00Z">'
                                      "<w:r><w:t>thêm</w:t></w:r></w:ins></w:p>"), Level.TUYET_MAT),
]

ALLOWED: list[tuple[str, Callable[[], bytes]]] = [
    ("quote-harmless", lambda: word(field(' QUOTE "Thư mời họp" ', result="Thư mời họp"))),
    ("page", lambda: word(field(" PAGE ", result="1"))),
    ("if-harmless", lambda: word(field(' IF 1 = 1 "Có" "Không" ', result="Có"))),
    ("table-of-contents", lambda: word(field(' TOC \\o "1-3" \\h \\z \\u '))),
    ("hyperlink-to-a-page-on-security", lambda: word(field(' HYPERLINK "https://example.vn/bao-mat" ',
                                                           result="bảo mật"))),
    ("quote-prose", lambda: word(field(' QUOTE "quy định về bảo mật thông tin" '))),
    ("prose-field-in-lower-case", lambda: word(field(' QUOTE "tài liệu tối mật" '))),
    ("page-number-beside-prose", lambda: word(runs("Trang ", inline("PAGE"), " bảo mật"))),
    ("comment-by-a-person", lambda: word(PLAIN, comments("Nguyễn Văn Mật", "NVM"))),
]


@pytest.mark.parametrize(("name", "make", "level"), BLOCKED, ids=[case[0] for case in BLOCKED])
def test_what_a_field_or_reviewer_shows_is_judged(guard: Guard, name: str, make: Callable[[], bytes],
                                                 level: Level) -> None:
    verdict = guard.scan_document(f"{name}.docx", make())
    assert verdict.action is GuardAction.BLOCK, name
    assert verdict.level is level, name


@pytest.mark.parametrize(("name", "make"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_fields_that_show_nothing_marked_pass(guard: Guard, name: str, make: Callable[[], bytes]) -> None:
    assert guard.scan_document(f"{name}.docx", make()).action is GuardAction.ALLOW, name


# Round three (issue 24, class 4): bare character codes and fields nested in a field's code, which
# Word updates first and puts into it; an IF shows one of its two texts, never what it compares.

def nested(*pieces: str, result: str = "") -> str:
    """A field whose code holds nested fields (a piece starting with `{` is a nested field's code,
    with an empty result), a space between them as Word writes it."""
    code = ""
    for piece in pieces:
        if piece.startswith("{"):
            code += ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
                     f'{piece[1:]}</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                     '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
                     '<w:r><w:instrText xml:space="preserve"> </w:instrText></w:r>')
        else:
            code += f'<w:r><w:instrText xml:space="preserve">{piece}</w:instrText></w:r>'
    shown = f"<w:r><w:t>{result}</w:t></w:r>" if result else ""
    return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>{code}'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{shown}'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def codes(text: str) -> str:
    return " ".join(str(ord(character)) for character in text)


HEADER = '<?xml version="1.0"?><w:hdr ' + W + ">{}</w:hdr>"

BLOCKED_BY_CODES: list[tuple[str, Callable[[], bytes], Level]] = [
    ("quote-of-codes", lambda: word(field(f" QUOTE {codes('TỐI MẬT')} ")), Level.TOI_MAT),
    ("quote-of-codes-harmless-result", lambda: word(field(f" QUOTE {codes('TUYỆT MẬT')} ", result="Thường")),
     Level.TUYET_MAT),
    ("simple-quote-of-codes", lambda: word(simple(f" QUOTE {codes('MẬT')} ")), Level.MAT),
    ("quote-of-codes-in-capitals", lambda: word(field(f" QUOTE {codes('tối mật')} \\* Upper ")), Level.TOI_MAT),
    ("quote-of-codes-split-over-runs", lambda: word(field(" QUOTE 84 7888 ", "73 32 77 ", "7852 84 ")),
     Level.TOI_MAT),
    ("quote-of-ansi-codes", lambda: word(field(" QUOTE 84 79 73 32 77 65 84 ")), Level.TOI_MAT),
    ("quote-of-nested-formulas", lambda: word(nested(" QUOTE ", *[f"{{= {ord(c)} " for c in "TỐI MẬT"])),
     Level.TOI_MAT),
    ("quote-of-nested-sums", lambda: word(nested(" QUOTE ", "{= 80+4 ", "{= 7000+888 ", "{= 73", "{= 32", "{= 77",
                                                 "{= 7852", "{= 84")), Level.TOI_MAT),
    ("quote-of-nested-symbols", lambda: word(nested(" QUOTE ", *[f"{{SYMBOL {ord(c)} \\u " for c in "TỐI MẬT"])),
     Level.TOI_MAT),
    ("nested-symbol-inside-the-quotes", lambda: word(nested(' QUOTE "TỐI M', "{SYMBOL 7852 \\u", 'T" ')),
     Level.TOI_MAT),
    ("nested-symbol-between-texts", lambda: word(nested(' QUOTE "TỐI M" ', "{SYMBOL 7852 \\u", ' "T" ')),
     Level.TOI_MAT),
    ("if-showing-a-quote-of-codes", lambda: word(nested(' IF 1 = 1 "', "{QUOTE 84 7888 73 32 77 7852 84", '" "" ')),
     Level.TOI_MAT),
    ("quote-of-codes-in-a-header", lambda: word(PLAIN, {"word/header1.xml": HEADER.format(
        field(f" QUOTE {codes('TỐI MẬT')} "))}), Level.TOI_MAT),
]

# A mail merge's IF compares a record's value with a level and prints one of its two texts.
ALLOWED_IFS: list[tuple[str, Callable[[], bytes]]] = [
    ("merge-if-equal-to-a-level", lambda: word(nested(" IF ", "{MERGEFIELD DoMat", ' = "MẬT" "Xem quy định" "Thường" ',
                                                      result="Thường"))),
    ("merge-if-equal-to-a-higher-level", lambda: word(nested(" IF ", "{MERGEFIELD DoMat",
                                                             ' = "TỐI MẬT" "Gửi bản giấy" "Gửi qua bot" ',
                                                             result="Gửi qua bot"))),
    ("merge-if-not-equal", lambda: word(nested(" IF ", "{MERGEFIELD DoMat", ' &lt;&gt; "TUYỆT MẬT" "Gửi qua bot" "" ',
                                               result="Gửi qua bot"))),
    ("simple-merge-if", lambda: word(simple(' IF DoMat = &quot;MẬT&quot; &quot;Có&quot; &quot;Không&quot; ',
                                            result="Không"))),
    ("quote-of-a-year", lambda: word(field(" QUOTE 2026 ", result="2026"))),
    ("quote-of-harmless-codes", lambda: word(field(f" QUOTE {codes('Kính gửi')} "))),
    ("symbol-in-a-picture-font", lambda: word(runs("Xem ", inline('SYMBOL 77 \\f "Wingdings"')))),
]


@pytest.mark.parametrize(("name", "make", "level"), BLOCKED_BY_CODES, ids=[case[0] for case in BLOCKED_BY_CODES])
def test_characters_a_field_builds_from_codes_are_judged(guard: Guard, name: str, make: Callable[[], bytes],
                                                        level: Level) -> None:
    verdict = guard.scan_document(f"{name}.docx", make())
    assert verdict.action is GuardAction.BLOCK, name
    assert verdict.level is level, name


@pytest.mark.parametrize(("name", "make"), ALLOWED_IFS, ids=[case[0] for case in ALLOWED_IFS])
def test_what_an_if_compares_is_not_shown(guard: Guard, name: str, make: Callable[[], bytes]) -> None:
    assert guard.scan_document(f"{name}.docx", make()).action is GuardAction.ALLOW, name


def test_a_date_controls_format_is_read(guard: Guard) -> None:
    control = ('<w:sdt><w:sdtPr><w:date><w:dateFormat w:val="&apos;TỐI MẬT&apos; dd/MM"/></w:date></w:sdtPr>'
               "<w:sdtContent><w:p><w:r><w:t>01/02</w:t></w:r></w:p></w:sdtContent></w:sdt>")
    assert guard.scan_document("ngay.docx", word(control)).level is Level.TOI_MAT
    ordinary = control.replace("&apos;TỐI MẬT&apos; dd/MM", "dd/MM/yyyy")
    assert guard.scan_document("ngay.docx", word(ordinary)).action is GuardAction.ALLOW


def test_codes_with_leading_zeros_are_read_not_a_guard_error(guard: Guard) -> None:
    verdict = guard.scan_document("ma.docx", word(field(" QUOTE 084 079 073 032 077 065 084 ")))
    assert verdict.action is GuardAction.BLOCK and verdict.level is Level.TOI_MAT, verdict.rule
    assert guard.scan_document("ma.docx", word(runs("Mã ", inline("SYMBOL 065")))).action is GuardAction.ALLOW
