"""HTML whose style sheets put text in another order than the page stores it, by means the guard's
reading does not lay out (issue 24, class 4, second and third rounds): grid areas, transforms,
negative margins, relative offsets and right/bottom offsets. «MẬT» stored before «TỐI» and drawn
after it is judged wherever the move may put it — the page without the moved text, and the moved
text between every two lines and beside the others — and blocked at the marking's level (the
second round refused such pages, and so refused ordinary e-mails: a centred banner, a drop capital,
a table pulled to the margin, which now pass); grid lines by number are followed. Text drawn mirrored or upside down
(`scaleX(-1)`, `rotate(180deg)`) reads right to left: «TẬM IỐT» so drawn is «TỐI MẬT»."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction, Level


def page(style: str, body: str) -> bytes:
    return (f'<html><head><meta charset="utf-8"><style>{style}</style></head><body>{body}</body></html>').encode()


MOVED: list[tuple[str, bytes, Level]] = [
    ("grid-template-areas", page('.g{display:grid;grid-template-areas:"a b"}.x{grid-area:b}.y{grid-area:a}',
                                 '<div class="g"><span class="x">MẬT</span><span class="y">TỐI</span></div>'),
     Level.TOI_MAT),
    ("grid-lines", page(".g{display:grid}.x{grid-column:2;grid-row:1}.y{grid-column:1;grid-row:1}",
                        '<div class="g"><b class="x">MẬT</b><b class="y">TỐI</b></div>'),
     Level.TOI_MAT),
    ("letters-in-grid-columns", page(".g{display:grid;grid-template-columns:repeat(3,1em)}",
                                     '<div class="g"><i style="grid-column:3">T</i><i style="grid-column:1">M</i>'
                                     '<i style="grid-column:2">Ậ</i></div>'),
     Level.MAT),
    ("transforms", page("", '<div><span style="display:inline-block;transform:translateX(60px)">MẬT</span>'
                            '<span style="display:inline-block;transform:translateX(-60px)">TỐI</span></div>'),
     Level.TOI_MAT),
    ("negative-margin", page("", '<p><span style="margin-left:60px">MẬT</span>'
                                 '<span style="margin-left:-110px">TỐI</span></p>'),
     Level.TOI_MAT),
    ("negative-margin-beside-a-text-node", page(".b{margin:0 0 0 -9em}", '<p>MẬT <span class="b">TUYỆT</span></p>'),
     Level.TUYET_MAT),
    ("relative-offsets", page("", '<p><span style="position:relative;left:50px">MẬT</span>'
                                  '<span style="position:relative;left:-50px">TỐI</span></p>'),
     Level.TOI_MAT),
    ("absolute-right-offsets", page("", '<div><span style="position:absolute;right:0">MẬT</span>'
                                        '<span style="position:absolute;right:60px">TỐI</span></div>'),
     Level.TOI_MAT),
]

ALLOWED = [
    ("centred-box", page(".m{transform:translate(-50%,-50%);position:absolute;left:50%;top:50%}",
                         '<div class="m"><p>Thư mời họp</p></div>')),
    ("auto-margins", page("", '<div style="margin:0 auto;width:600px"><p>Kính gửi</p><p>Nội dung</p></div>')),
    ("one-heading-pulled-up", page("", "<div><h1 style=\"margin-top:-10px\">Báo cáo</h1></div>")),
    ("word-email-table-pulled-back", page("", "<div><p>Kính gửi anh/chị,</p><table style=\"margin-left:-5.4pt\"><tr>"
                                                "<td>Số liệu quý</td></tr></table><p>Trân trọng.</p></div>")),
    ("raised-footnote-mark", page("", '<p>Điều 5<span style="position:relative;top:-0.5em">1</span> quy định</p>')),
    ("grid-in-stored-order", page(".g{display:grid;grid-template-columns:1fr 1fr}",
                                  '<div class="g"><p>Kính gửi</p><p>Nội dung</p></div>')),
    # Refused before this round: e-mails' and books' ordinary layout.
    ("e-mail-preheader-pulled-up", page("", '<span style="display:block;margin-top:-200px;max-height:0;'
                                            'overflow:hidden">Tóm tắt thư</span><p>Kính gửi các đơn vị</p>')),
    ("centred-banner", page("", '<div style="position:relative;left:50%;transform:translateX(-50%)">Thông báo'
                                "</div><p>Kính gửi</p>")),
    ("table-pulled-to-the-margin", page("", '<table style="margin-left:-20px"><tr><td>Đơn vị</td><td>Số</td></tr>'
                                            "</table><p>Ghi chú</p>")),
    ("drop-capital", page("", '<p><span style="float:left;margin-right:-4px;margin-top:-30px;font-size:300%">K'
                              "</span>ính gửi các đơn vị</p>")),
    ("grid-areas-of-a-newsletter", page('.g{display:grid;grid-template-areas:"a b"}.x{grid-area:b}.y{grid-area:a}',
                                        '<div class="g"><div class="x">Thông báo</div><div class="y">Kính gửi</div>'
                                        "</div>")),
    ("a-note-nudged-left", page("", '<p>Giá <sup style="position:relative;top:-0.5em">1</sup> đồng</p>'
                                    '<p style="position:relative;left:-30px">Ghi chú cuối</p>')),
    ("a-compound-moved-beside-capitals", page("", '<p>TÀI KHOẢN</p><p style="transform:translateY(-40px)">MẬT KHẨU'
                                                  "</p>")),
]


@pytest.mark.parametrize(("name", "content", "level"), MOVED, ids=[case[0] for case in MOVED])
def test_text_moved_by_unfollowed_layout_is_judged_wherever_it_may_go(guard: Guard, name: str, content: bytes,
                                                                     level: Level) -> None:
    verdict = guard.scan_document(f"{name}.html", content)
    assert verdict.action is GuardAction.BLOCK and verdict.rule != "unreadable-file", (name, verdict.reason)
    assert verdict.level is level, name


@pytest.mark.parametrize(("name", "content"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_layout_that_moves_no_text_among_others_passes(guard: Guard, name: str, content: bytes) -> None:
    assert guard.scan_document(f"{name}.html", content).action is GuardAction.ALLOW, name


MIRRORED = [
    ("scale-x", page("", '<p style="transform:scaleX(-1)">TẬM IỐT</p>')),
    ("scale-by-class", page(".m{transform:scale(-1, 1)}", '<div class="m"><p>TẬM ỆYUT</p></div>')),
    ("upside-down", page("", '<p style="transform: rotate(180deg)">TẬM IỐT</p>')),
]


@pytest.mark.parametrize(("name", "content"), MIRRORED, ids=[case[0] for case in MIRRORED])
def test_mirrored_text_is_read_as_drawn(guard: Guard, name: str, content: bytes) -> None:
    verdict = guard.scan_document(f"{name}.html", content)
    assert verdict.action is GuardAction.BLOCK and verdict.level is not None, name


def test_a_mirrored_harmless_text_passes(guard: Guard) -> None:
    assert guard.scan_document("a.html", page("", '<p style="transform:scaleX(-1)">Kính gửi</p>')).action \
        is GuardAction.ALLOW


def test_a_page_with_more_moved_texts_than_can_be_placed_is_refused(guard: Guard) -> None:
    lines = "".join(f"<p>Dòng {number}</p>" for number in range(200))
    moved = "".join(f'<p style="transform:translateY(-{number}0px)">Mục {number}</p>' for number in range(1, 31))
    verdict = guard.scan_document("thu.html", page("", lines + moved))
    assert verdict.action is GuardAction.BLOCK and verdict.reason is not None and "PDF" in verdict.reason
