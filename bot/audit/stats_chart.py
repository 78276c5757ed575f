"""The `/stats` chart: a PNG sent as a photo, in the reader's language.

matplotlib with its Agg backend draws without a display, and it ships DejaVu Sans, which has
every Vietnamese letter, so nothing depends on the system's fonts. The figure is built through
the object API (Figure + FigureCanvasAgg), never pyplot: pyplot keeps global state that two
concurrent requests would share. matplotlib is imported on first use, so the bot's start-up
does not pay for it.

Left, per agency: consultations received, answered, answered late; right: median time to answer
in minutes or hours. Past `max_agencies` the agencies with the most consultations are drawn and the title
says how many of how many: an agency is never left out without a word.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.audit.stats_table import agency_labels
from bot.domain.stats import AgencyStats, PeriodStats
from bot.i18n import normalise_language, t

FONT_FAMILY = "DejaVu Sans"
DPI = 100
WIDTH_IN = 10.0
ROW_IN = 0.55
MAX_AGENCIES = 40
COLOURS = {"received": "#9db4c8", "answered": "#1f5f8b", "late": "#c77700", "median": "#4c7a34"}


def stats_chart_png(stats: PeriodStats, lang: str, *, days: int, zone: str = "Asia/Ho_Chi_Minh",
                    max_agencies: int = MAX_AGENCIES, short_names: Mapping[str, str] | None = None) -> bytes:
    """The chart's PNG bytes (about 1000 px wide, taller with more agencies), each agency named as
    the table beside it names it (its declared short name)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    language = normalise_language(lang)
    shown = _shown(stats.agencies, max_agencies)
    labels = agency_labels(stats.agencies, short_names or {})
    rows = max(len(shown), 1)
    with rc_context({"font.family": FONT_FAMILY, "font.size": 10}):
        figure = Figure(figsize=(WIDTH_IN, 1.6 + ROW_IN * rows), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(_title(stats, language, days, zone, len(shown)), fontsize=12)
        if stats.empty or not shown:
            axes = figure.add_subplot()
            axes.axis("off")
            axes.text(0.5, 0.5, t(language, "stats.empty"), ha="center", va="center", fontsize=12)
        else:
            counts, medians = figure.subplots(1, 2, sharey=True, width_ratios=(3, 2))
            _counts(counts, shown, labels, language)
            figure.legend(loc="outside lower center", ncols=3, fontsize=9, frameon=False)
            _medians(medians, shown, language)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _shown(agencies: tuple[AgencyStats, ...], limit: int) -> list[AgencyStats]:
    if len(agencies) <= limit:
        return list(agencies)
    ranked = sorted(range(len(agencies)), key=lambda i: (-agencies[i].received, i))[:limit]
    return [agencies[i] for i in sorted(ranked)]  # the most consulted, in the given order


def _title(stats: PeriodStats, language: str, days: int, zone: str, shown: int) -> str:
    local = ZoneInfo(zone)
    title = t(language, "stats.chart_title", days=days, since=_day(stats.since, local),
              until=_day(stats.until - timedelta(microseconds=1), local), consultations=stats.consultations)
    if shown < len(stats.agencies):
        title += "\n" + t(language, "stats.chart_partial", shown=shown, total=len(stats.agencies))
    return title


def _counts(axes: Any, shown: list[AgencyStats], labels: Mapping[str, str], language: str) -> None:
    positions = list(range(len(shown)))
    height = 0.27
    series = (("received", [a.received for a in shown], -height),
              ("answered", [a.answered for a in shown], 0.0),
              ("late", [a.answered_late for a in shown], height))
    for key, values, offset in series:
        bars = axes.barh([p + offset for p in positions], values, height=height, color=COLOURS[key],
                         label=t(language, f"stats.chart.{key}"))
        axes.bar_label(bars, padding=2, fontsize=8)
    axes.set_yticks(positions, [textwrap.fill(labels[a.agency], 28) for a in shown])
    axes.invert_yaxis()  # the first agency on top, as in the table
    axes.set_xlabel(t(language, "stats.chart.consultations"))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.margins(x=0.12)
    axes.grid(axis="x", alpha=0.3)


def _medians(axes: Any, shown: list[AgencyStats], language: str) -> None:
    values, labels, unit_key = median_bars(shown, language)
    bars = axes.barh(list(range(len(shown))), values, height=0.5, color=COLOURS["median"])
    axes.bar_label(bars, labels=labels, padding=2, fontsize=8)
    axes.set_xlabel(t(language, unit_key))
    axes.margins(x=0.15)
    axes.grid(axis="x", alpha=0.3)
    axes.tick_params(axis="y", left=False)


def median_bars(shown: list[AgencyStats], language: str) -> tuple[list[float], list[str], str]:
    """Bar lengths, their labels and the axis's catalogue key: minutes while every median is
    under two hours, else hours; decimals as the reader writes them; a dash for no answer (an
    answer in no time at all is 0, not a dash)."""
    seconds = [a.median_time_to_answer.total_seconds() if a.median_time_to_answer is not None else 0.0
               for a in shown]
    in_minutes = max(seconds, default=0.0) < 2 * 3600
    values = [s / 60 if in_minutes else s / 3600 for s in seconds]
    labels = [_number(v, 0 if in_minutes else 1, language) if a.median_time_to_answer is not None else "—"
              for a, v in zip(shown, values, strict=True)]
    return values, labels, "stats.chart.median_minutes" if in_minutes else "stats.chart.median_hours"


def _number(value: float, decimals: int, language: str) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if language == "vi" else text


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d/%m/%Y")
