"""The timeline's mark names never overlap: names of marks close in time go on lines of their own."""

from __future__ import annotations

from itertools import pairwise

from bot.audit.timeline import stagger


def test_names_close_in_time_are_put_on_separate_lines() -> None:
    # «Người thay» and «Kết thúc» a minute apart: their extents overlap by far more than the old
    # 12 mm rule between their centres allowed for.
    spans = [(100.0, 118.0), (110.0, 126.0), (113.0, 130.0), (200.0, 210.0)]
    lines = stagger(spans)
    assert lines == [0, 1, 2, 0]
    for line in {n for n in lines if n is not None}:
        on_line = sorted(span for span, n in zip(spans, lines, strict=True) if n == line)
        assert all(left_end < right_start for (_, left_end), (right_start, _) in pairwise(on_line))


def test_when_no_line_has_room_the_name_is_left_out_not_drawn_over_another() -> None:
    assert stagger([(0.0, 50.0)] * 4, lines=3) == [0, 1, 2, None]
