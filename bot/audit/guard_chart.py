"""The officer's chart (issue #29): blocks per day, stacked by level, as a PNG — drawn as the
`/stats` chart is (matplotlib's object API on Agg, DejaVu Sans for Vietnamese, imported on first
use). Counts only: nothing of any content is drawn."""

from __future__ import annotations

import io

from bot.domain.guard_tally import NO_LEVEL, Tally
from bot.i18n import normalise_language, t

LEVEL_ORDER = (NO_LEVEL, "mat", "toi_mat", "tuyet_mat")
COLOURS = {NO_LEVEL: "#9e9e9e", "mat": "#e0a030", "toi_mat": "#d0602a", "tuyet_mat": "#a01818"}


def guard_chart_png(figures: Tally, lang: str, *, days: int) -> bytes:
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    language = normalise_language(lang)
    with rc_context({"font.family": "DejaVu Sans", "font.size": 10}):
        figure = Figure(figsize=(10.0, 4.5), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.set_title(t(language, "officer.chart_title", days=days, blocks=figures.blocks))
        day_list = list(figures.per_day)
        labels = [day.strftime("%d/%m") for day in day_list]
        bottom = [0] * len(day_list)
        for level in LEVEL_ORDER:
            values = [figures.per_day[day].get(level, 0) for day in day_list]
            if any(values):
                name = t(language, "officer.no_level_short") if level == NO_LEVEL else t(language, f"level.{level}")
                axes.bar(labels, values, bottom=bottom, color=COLOURS[level], label=name)
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        if day_list:
            axes.legend(fontsize=9, frameon=False)
        axes.set_ylabel(t(language, "officer.chart_axis"))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=100, metadata={"Software": None})
    return out.getvalue()
