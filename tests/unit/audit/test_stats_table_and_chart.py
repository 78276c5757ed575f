"""`/stats`: the figures per agency, the chat table within Telegram's limit, the PNG chart."""

from __future__ import annotations

import html
import io
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.audit.stats_table import TELEGRAM_LIMIT, short_duration, stats_messages, table_width
from bot.domain.stats import DEFAULT_DAYS, InvitationRow, PeriodStats, parse_period, period_stats
from bot.errors import StatsPeriodError
from bot.services.presentation.errors_render import render_error

SINCE = datetime(2026, 11, 5, 17, 0, tzinfo=UTC)  # 00:00 on 6 November in Hà Nội
UNTIL = SINCE + timedelta(days=30)
MOFA, MOIT, MOHA, MOCST = "Bộ Ngoại giao", "Bộ Công Thương", "Bộ Nội vụ", "Bộ Văn hóa, Thể thao và Du lịch"


@pytest.fixture(scope="module", autouse=True)
def matplotlib_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """matplotlib writes its font cache under MPLCONFIGDIR when first imported: keep it in tmp."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MPLCONFIGDIR", str(tmp_path_factory.mktemp("mpl")))
        yield


def at(days: float, minutes: float = 0) -> datetime:
    return SINCE + timedelta(days=days, minutes=minutes)


def sample_rows() -> list[InvitationRow]:
    return [
        # consultation 1: MOFA answers in 40 min; MOIT never answers
        InvitationRow(MOFA, 1, at(1), at(1, 40)),
        InvitationRow(MOIT, 1, at(1)),
        # consultation 2: MOFA has two people invited; one answers late after 3 h, the other on time
        # after 2 h: the agency answered once, on time, in 2 h
        InvitationRow(MOFA, 2, at(2), at(2, 180), late=True),
        InvitationRow(MOFA, 2, at(2), at(2, 120)),
        InvitationRow(MOCST, 2, at(2), at(2, 65)),
        # consultation 3: MOFA answers only late (its alternate, 5 h after)
        InvitationRow(MOFA, 3, at(3), at(3, 300), late=True),
        InvitationRow(MOIT, 3, at(3), at(3, 10)),
        # outside the period: the day before and exactly at its end
        InvitationRow(MOFA, 9, SINCE - timedelta(seconds=1), SINCE),
        InvitationRow(MOHA, 10, UNTIL, UNTIL + timedelta(hours=1)),
    ]


def by_agency(stats: PeriodStats) -> dict[str, tuple[int, int, int, timedelta | None]]:
    return {a.agency: (a.received, a.answered, a.answered_late, a.median_time_to_answer) for a in stats.agencies}


def test_figures_per_agency_on_a_hand_made_period() -> None:
    stats = period_stats(sample_rows(), SINCE, UNTIL, agencies=[MOFA, MOIT, MOHA])
    assert stats.consultations == 3
    assert [a.agency for a in stats.agencies] == [MOFA, MOIT, MOHA, MOCST]  # roster order, then the rest
    figures = by_agency(stats)
    # MOFA: 3 received, 3 answered, 1 late (no. 3); times 40, 120, 300 min → median 120 min
    assert figures[MOFA] == (3, 3, 1, timedelta(minutes=120))
    # MOIT: 2 received, 1 answered (no. 3 in 10 min), consultation 1 never
    assert figures[MOIT] == (2, 1, 0, timedelta(minutes=10))
    # MOHA: only invited outside the period
    assert figures[MOHA] == (0, 0, 0, None)
    assert figures[MOCST] == (1, 1, 0, timedelta(minutes=65))
    assert stats.agencies[1].unanswered == 1


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    rows = [InvitationRow(MOFA, n, at(n), at(n, minutes)) for n, minutes in enumerate([10, 20, 40, 1000])]
    assert by_agency(period_stats(rows, SINCE, UNTIL))[MOFA][3] == timedelta(minutes=30)


def test_an_agency_with_no_answers_and_an_empty_period() -> None:
    silent = period_stats([InvitationRow(MOIT, 1, at(1)), InvitationRow(MOIT, 2, at(2))], SINCE, UNTIL)
    assert by_agency(silent) == {MOIT: (2, 0, 0, None)}
    empty = period_stats(sample_rows(), UNTIL + timedelta(days=5), UNTIL + timedelta(days=6), agencies=[MOFA])
    assert empty.empty and empty.consultations == 0
    assert by_agency(empty) == {MOFA: (0, 0, 0, None)}
    assert period_stats([], SINCE, UNTIL).agencies == ()


def test_period_bounds_are_checked() -> None:
    with pytest.raises(ValueError, match="time zone"):
        period_stats([], datetime(2026, 1, 1), UNTIL)
    with pytest.raises(ValueError, match="ends before"):
        period_stats([], UNTIL, SINCE)


@pytest.mark.parametrize(("text", "days"), [(None, DEFAULT_DAYS), ("", 30), ("7d", 7), ("7", 7), (" 90D ", 90),
                                            ("366d", 366)])
def test_parse_period(text: str | None, days: int) -> None:
    assert parse_period(text) == days


@pytest.mark.parametrize("text", ["0d", "-3d", "3w", "1.5d", "367d", "d", "٣d", "30 days"])
def test_parse_period_refuses(text: str) -> None:
    with pytest.raises(StatsPeriodError) as caught:
        parse_period(text)
    assert "366" in render_error(caught.value, "en") and "366" in render_error(caught.value, "vi")


@pytest.mark.parametrize(("duration", "vi", "en"), [
    (None, "—", "—"), (timedelta(seconds=51), "51 giây", "51 s"), (timedelta(minutes=2), "2 phút", "2 min"),
    (timedelta(hours=1, minutes=5), "1 giờ 05", "1 h 05"), (timedelta(hours=23, minutes=59), "23 giờ 59", "23 h 59"),
    (timedelta(days=2, hours=3, minutes=10), "2 ngày 3 giờ", "2 d 3 h"),
])
def test_short_duration_in_words_not_english_units(duration: timedelta | None, vi: str, en: str) -> None:
    assert short_duration(duration, "vi") == vi and short_duration(duration, "en") == en


def pre_lines(message: str) -> list[str]:
    match = re.search(r"<pre>(.*)</pre>", message, re.S)
    assert match is not None
    return html.unescape(match.group(1)).split("\n")


def test_table_in_both_languages() -> None:
    stats = period_stats(sample_rows(), SINCE, UNTIL, agencies=[MOFA, MOIT, MOHA])
    shorts = {MOFA: "BNG", MOIT: "BCT", MOHA: "BNV", MOCST: "BVHTTDL"}  # as routing.yaml declares them
    [vi] = stats_messages(stats, "vi", days=30, short_names=shorts)
    [en] = stats_messages(stats, "en", days=30, short_names=shorts)
    assert vi.startswith("📊 Thống kê 30 ngày (06/11/2026 – 05/12/2026): 3 cuộc tham vấn")
    assert en.startswith("📊 Statistics for 30 days (06/11/2026 – 05/12/2026): 3 consultations")
    vi_lines, en_lines = pre_lines(vi), pre_lines(en)
    assert vi_lines[0].split() == ["Cơ", "quan", "Nhận", "Trả", "lời", "Trễ", "Trung", "vị"]  # words, not «TL», «TV»
    assert en_lines[0].split() == ["Agency", "Recv", "Ans", "Late", "Median"]
    assert en_lines[1].split() == ["BNG", "3", "3", "1", "2", "h", "00"]
    assert en_lines[2].split() == ["BCT", "2", "1", "0", "10", "min"]
    assert en_lines[3].split() == ["BNV", "0", "0", "0", "—"]
    assert en_lines[4].split() == ["BVHTTDL", "1", "1", "0", "1", "h", "05"]  # the declared short name, and a legend
    assert "BVHTTDL: Bộ Văn hóa, Thể thao và Du lịch" in en and "BNG: Bộ Ngoại giao" in en
    assert all(len(line) <= table_width(language="vi") for line in vi_lines)
    assert all(len(line) <= table_width(language="en") for line in en_lines)
    assert "2 giờ 00" in vi_lines[1] and "10 phút" in vi_lines[2]
    assert len({len(line.rstrip()) for line in en_lines[1:]}) == 1  # columns line up


def test_an_agency_without_a_declared_short_name_is_shown_in_full_never_as_initials() -> None:
    """Issue 26 item 7: «BTKAQGVN», «PĐTTVNTA» were made up from the full names."""
    nsv, mission = "Ban Thư ký ASEAN Quốc gia Việt Nam", "Phái đoàn thường trực Việt Nam tại ASEAN"
    rows = [InvitationRow(nsv, 1, at(1), at(1, 30)), InvitationRow(mission, 1, at(1))]
    [message] = stats_messages(period_stats(rows, SINCE, UNTIL), "vi", days=30,
                               short_names={nsv: "Ban Thư ký ASEAN"})
    lines = pre_lines(message)
    assert lines[1].startswith("Ban Thư ký ASEAN ") and lines[2].startswith(mission)
    assert "BTKAQGVN" not in message and "PĐTTVNTA" not in message
    assert f"Ban Thư ký ASEAN: {nsv}" in message


def test_an_empty_period_says_so() -> None:
    [message] = stats_messages(period_stats([], SINCE, UNTIL, agencies=[MOFA]), "vi", days=7)
    assert "Không có cuộc tham vấn nào trong kỳ này." in message and "<pre>" not in message


def test_many_agencies_are_split_over_messages_never_cut() -> None:
    agencies = [f"Sở Ngoại vụ tỉnh số {n:03d} & vùng lân cận" for n in range(300)]
    rows = [InvitationRow(name, n, at(1), at(1, n)) for n, name in enumerate(agencies)]
    messages = stats_messages(period_stats(rows, SINCE, UNTIL), "en", days=30)
    assert len(messages) > 1
    assert all(len(m) <= TELEGRAM_LIMIT for m in messages)
    assert all(f"({n}/{len(messages)})" in m.split("\n")[0] for n, m in enumerate(messages, start=1))
    shown = [line[:len(agencies[0])] for m in messages for line in pre_lines(m)[1:]]
    assert sorted(shown) == sorted(agencies)  # each agency once, in full (none declares a short name)
    rows_shown = sum(len(pre_lines(m)) - 1 for m in messages)
    assert rows_shown == 300


def test_a_smaller_limit_splits_sooner() -> None:
    stats = period_stats(sample_rows(), SINCE, UNTIL, agencies=[MOFA, MOIT, MOHA])
    messages = stats_messages(stats, "vi", days=30, limit=420)
    assert len(messages) >= 2 and all(len(m) <= 420 for m in messages)
    with pytest.raises(ValueError, match="single row"):
        stats_messages(stats, "vi", days=30, limit=100)


def chart(stats: PeriodStats, lang: str, short_names: dict[str, str] | None = None) -> bytes:
    from bot.audit.stats_chart import stats_chart_png

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = stats_chart_png(stats, lang, days=30, short_names=short_names)
    assert not [w for w in caught if "missing from" in str(w.message)], "a glyph is missing from the font"
    return png


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_chart_is_a_png_of_sensible_size(lang: str, tmp_path: Path) -> None:
    png = chart(period_stats(sample_rows(), SINCE, UNTIL, agencies=[MOFA, MOIT, MOHA]), lang)
    assert png.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.format == "PNG"
        width, height = image.size
    assert 900 <= width <= 1100 and 300 <= height <= 800
    assert width + height <= 10_000 and max(width, height) / min(width, height) <= 20  # Telegram's photo limits


def test_chart_speaks_the_readers_language_and_is_repeatable() -> None:
    stats = period_stats(sample_rows(), SINCE, UNTIL, agencies=[MOFA, MOIT, MOHA])
    vi, en = chart(stats, "vi"), chart(stats, "en")
    assert vi != en
    assert chart(stats, "vi") == vi


def test_chart_of_an_empty_period_and_of_many_agencies() -> None:
    with Image.open(io.BytesIO(chart(period_stats([], SINCE, UNTIL), "vi"))) as image:
        assert image.size[0] >= 900
    rows = [InvitationRow(f"Cơ quan {n}", n, at(1), at(1, n)) for n in range(120)]
    with Image.open(io.BytesIO(chart(period_stats(rows, SINCE, UNTIL), "en"))) as image:
        width, height = image.size
    assert height <= 3000 and width + height <= 10_000


def test_median_bars_minutes_hours_and_no_answer() -> None:
    from bot.audit.stats_chart import median_bars
    from bot.domain.stats import AgencyStats

    quick = [AgencyStats("A", 1, 1, 0, timedelta(0)), AgencyStats("B", 1, 0, 0, None),
             AgencyStats("C", 2, 2, 0, timedelta(minutes=90))]
    values, labels, unit = median_bars(quick, "vi")
    assert (values, labels, unit) == ([0.0, 0.0, 90.0], ["0", "—", "90"], "stats.chart.median_minutes")
    slow = [*quick, AgencyStats("D", 1, 1, 1, timedelta(hours=5, minutes=15))]
    values, labels, unit = median_bars(slow, "vi")
    assert labels == ["0,0", "—", "1,5", "5,2"] and unit == "stats.chart.median_hours"
    assert median_bars(slow, "en")[1] == ["0.0", "—", "1.5", "5.2"]


def test_the_chart_names_agencies_by_their_short_names_as_the_table_does() -> None:
    stats = period_stats(sample_rows(), SINCE, UNTIL, agencies=[MOFA, MOIT, MOHA])
    full = chart(stats, "vi")
    short = chart(stats, "vi", {MOFA: "BNG", MOIT: "BCT", MOHA: "BNV"})
    with Image.open(io.BytesIO(full)) as a, Image.open(io.BytesIO(short)) as b:
        a.load()
        b.load()
        # The same figure, labelled otherwise: the table's short names, not the full ones.
        assert a.size == b.size and a.tobytes() != b.tobytes()
