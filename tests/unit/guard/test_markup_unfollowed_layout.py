"""HTML whose style sheets put text in another order than the page stores it, by means the guard's
reading does not lay out (issue 24, class 4, second round): grid areas and grid lines, transforms,
negative margins, relative offsets and right/bottom offsets. «MẬT» stored before «TỐI» and drawn
after it is refused (fail closed, "save it as PDF"), never passed; pages that use the same
properties without moving one text among others pass. Text drawn mirrored or upside down
(`scaleX(-1)`, `rotate(180deg)`) reads right to left: «TẬM IỐT» so drawn is «TỐI MẬT»."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction


def page(style: str, body: str) -> bytes:
    return (f'<html><head><meta charset="utf-8"><style>{style}</style></head><body>{body}</body></html>').encode()


MOVED = [
    ("grid-template-areas", page('.g{display:grid;grid-template-areas:"a b"}.x{grid-area:b}.y{grid-area:a}',
                                 '<div class="g"><span class="x">MẬT</span><span class="y">TỐI</span></div>')),
    ("grid-lines", page(".g{display:grid}.x{grid-column:2;grid-row:1}.y{grid-column:1;grid-row:1}",
                        '<div class="g"><b class="x">MẬT</b><b class="y">TỐI</b></div>')),
    ("letters-in-grid-columns", page(".g{display:grid;grid-template-columns:repeat(3,1em)}",
                                     '<div class="g"><i style="grid-column:3">T</i><i style="grid-column:1">M</i>'
                                     '<i style="grid-column:2">Ậ</i></div>')),
    ("transforms", page("", '<div><span style="display:inline-block;transform:translateX(60px)">MẬT</span>'
                            '<span style="display:inline-block;transform:translateX(-60px)">TỐI</span></div>')),
    ("negative-margin", page("", '<p><span style="margin-left:60px">MẬT</span>'
                                 '<span style="margin-left:-110px">TỐI</span></p>')),
    ("negative-margin-beside-a-text-node", page(".b{margin:0 0 0 -9em}", '<p>MẬT <span class="b">TUYỆT</span></p>')),
    ("relative-offsets", page("", '<p><span style="position:relative;left:50px">MẬT</span>'
                                  '<span style="position:relative;left:-50px">TỐI</span></p>')),
    ("absolute-right-offsets", page("", '<div><span style="position:absolute;right:0">MẬT</span>'
                                        '<span style="position:absolute;right:60px">TỐI</span></div>')),
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
]


@pytest.mark.parametrize(("name", "content"), MOVED, ids=[case[0] for case in MOVED])
def test_text_moved_by_unfollowed_layout_is_refused(guard: Guard, name: str, content: bytes) -> None:
    verdict = guard.scan_document(f"{name}.html", content)
    assert verdict.action is GuardAction.BLOCK, name
    assert verdict.reason is not None and "PDF" in verdict.reason, name


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
