"""HTML, SVG, EPUB and e-mail as their readers show them, by other hands than the first tests
(issue 24, item 4): generated text from an attribute (`attr()`), a frame's `srcdoc` page, style
sheets in `data:` addresses, the `font` shorthand, legacy TCVN3/VNI fonts named by CSS or
`<font face>`, an SVG's `foreignObject` and its text-transform, an EPUB's own style sheets."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from tests.support.office_files import package


def page(head: str, body: str) -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def svg(inner: str) -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">{inner}</svg>'.encode()


PROSE = "<p>tài liệu tối mật</p>"  # lower-case prose: a marking only when shown in capitals
BLOCKED = [
    ("attr-generated", "a.html", page("<style>.s::before{content:attr(data-x)}</style>",
                                      '<p class="s" data-x="TỐI MẬT"></p>')),
    ("attr-beside-a-string", "a.html", page('<style>.s::after{content:" " attr(data-x)}</style>',
                                            '<p class="s" data-x="MẬT">TỐI</p>')),
    ("frame-srcdoc", "a.html", page("", '<iframe srcdoc="&lt;p&gt;TỐI MẬT&lt;/p&gt;"></iframe>')),
    ("font-shorthand-small-caps", "a.html", page('<style>p{font: small-caps 14px "Times New Roman", serif}</style>',
                                                 PROSE)),
    ("linked-data-style-sheet", "a.html", page(
        '<link rel="stylesheet" href="data:text/css,p%7Btext-transform:uppercase%7D">', PROSE)),
    ("imported-data-style-sheet", "a.html", page(
        '<style>@import url("data:text/css,p%7Btext-transform:uppercase%7D");</style>', PROSE)),
    ("tcvn3-font-family", "a.html", page("", '<p style="font-family:.VnTimeH">TèI MËT</p>')),
    ("tcvn3-font-in-a-class", "a.html", page('<style>.v{font-family:".VnTime", serif}</style>',
                                             '<p class="v">TUYÖT MËT</p>')),
    ("tcvn3-font-shorthand", "a.html", page("", "<p style=\"font: 12pt/1.5 '.VnArial NarrowH', sans-serif\">"
                                                "TèI MËT</p>")),
    ("vni-font-face", "a.html", page("", '<font face="VNI-Times">TOÁI MAÄT</font>')),
    ("svg-uppercase", "a.svg", svg('<text x="10" y="50" style="text-transform:uppercase">tài liệu tối mật</text>')),
    ("svg-foreign-object", "a.svg", svg('<foreignObject width="400" height="100"><div '
                                        'xmlns="http://www.w3.org/1999/xhtml">TỐI MẬT</div></foreignObject>')),
    ("epub-own-style-sheet", "a.epub", package({
        "mimetype": "application/epub+zip", "OEBPS/style.css": "h1 { text-transform: uppercase }",
        "OEBPS/c.xhtml": '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><link '
                         'rel="stylesheet" href="style.css"/></head><body><h1>tài liệu tối mật</h1></body></html>'})),
    ("e-mail-tcvn3", "a.eml", b"From: a@b\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html; "
                              b"charset=utf-8\r\n\r\n" + '<p style="font-family:.VnTimeH">TèI MËT</p>'.encode()),
]


@pytest.mark.parametrize(("case", "name", "content"), BLOCKED, ids=[case for case, _, _ in BLOCKED])
def test_what_a_browser_shows_blocks(guard: Guard, case: str, name: str, content: bytes) -> None:
    verdict = guard.scan_document(name, content)
    assert verdict.action.value == "block" and verdict.rule != "unreadable-file", (case, verdict.reason)


def test_harmless_pages_with_fonts_and_generated_text_pass(guard: Guard) -> None:
    for content in (page("", '<p style="font-family:.VnTime">b¶o mËt th«ng tin</p>'),
                    page('<style>a::after{content:" (" attr(href) ")"}</style>', '<a href="https://x.gov.vn">Cổng</a>'),
                    page("<style>body{font-family:Arial} h1{text-transform:uppercase}</style>",
                         "<h1>Quy chế bảo mật</h1><p>Tài liệu có ba độ mật: tuyệt mật, tối mật và mật.</p>")):
        verdict = guard.scan_document("a.html", content)
        assert verdict.action.value == "allow", (content, verdict.rule)


@pytest.mark.parametrize("hidden", ['<span style="display:none">zz</span>', '<span style="font-size:0">zz</span>',
                                    '<b class="h">zz</b>', "<span hidden>zz</span>",
                                    '<span style="opacity:0">zz</span>', '<i style="visibility:hidden">z</i>'])
def test_a_word_cut_by_an_element_no_one_sees_is_read_as_shown(guard: Guard, hidden: str) -> None:
    content = page("<style>.h{display:none}</style>", f"<p>Tài liệu TỐI M{hidden}ẬT</p>")
    verdict = guard.scan_document("a.html", content)
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def test_a_file_uuencoded_in_a_mail_body_is_read(guard: Guard) -> None:
    import binascii

    data = "TỐI MẬT\r\nNội dung".encode()
    encoded = "\r\n".join(binascii.b2a_uu(data[i:i + 45]).decode().rstrip("\n") for i in range(0, len(data), 45))
    mail = ("From: a@b.vn\r\nSubject: Tai lieu\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Xem tệp đính kèm.\r\n\r\nbegin 644 ghi-chu.txt\r\n{encoded}\r\n`\r\nend\r\n").encode()
    verdict = guard.scan_document("thu.eml", mail)
    assert verdict.action.value == "block" and verdict.rule.startswith("part:"), verdict.rule


def test_a_web_archives_style_sheet_part_is_applied_to_its_page(guard: Guard) -> None:
    archive = ('From: <Saved by Blink>\r\nSubject: Trang\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; '
               'type="text/html"; boundary="B"\r\n\r\n--B\r\nContent-Type: text/html; charset=utf-8\r\n'
               'Content-Location: http://x/a.html\r\n\r\n<html><head><link rel="stylesheet" href="http://x/s.css">'
               '</head><body><p class="u">tài liệu tối mật</p></body></html>\r\n--B\r\nContent-Type: text/css\r\n'
               "Content-Location: http://x/s.css\r\n\r\n.u { text-transform: uppercase }\r\n--B--\r\n").encode()
    assert guard.scan_document("trang.mht", archive).action.value == "block"


@pytest.mark.parametrize("style", ["p::first-line{text-transform:uppercase}", 'p{font-feature-settings:"smcp" 1}',
                                   "p{font-feature-settings:'c2sc', 'smcp'}"])
def test_capitals_by_the_first_line_or_font_features_block(guard: Guard, style: str) -> None:
    verdict = guard.scan_document("a.html", page(f"<style>{style}</style>", PROSE))
    assert verdict.action.value == "block", style


@pytest.mark.parametrize(("case", "body"), [
    ("absolute-positions", '<p>Tài liệu <span style="position:absolute;left:80px">MẬT</span>'
                           '<span style="position:absolute;left:10px">TỐI</span></p>'),
    ("flex-order", '<div style="display:flex"><span style="order:2">MẬT</span><span style="order:1">TỐI&nbsp;</span>'
                   "</div>"),
    ("flex-row-reverse", '<p>Tài liệu</p><div style="display:flex;flex-direction:row-reverse"><span>T</span>'
                         "<span>Ậ</span><span>M</span></div>"),
    ("right-floats", '<div style="width:60px"><i style="float:right">T</i><i style="float:right">Ậ</i>'
                     '<i style="float:right">M</i></div>'),
])
def test_elements_drawn_in_another_order_are_read_in_it(guard: Guard, case: str, body: str) -> None:
    verdict = guard.scan_document("a.html", page("", body))
    assert verdict.action.value == "block", case


def test_separate_svg_texts_are_read_in_the_order_they_are_drawn(guard: Guard) -> None:
    drawing = svg('<text x="70" y="50" font-size="30">MẬT</text><text x="5" y="51" font-size="30">TỐI</text>')
    verdict = guard.scan_document("a.svg", drawing)
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"
