"""The `/stats` figures as a short monospaced table for the chat.

Telegram refuses a message over 4,096 characters, and a long table wraps badly on a phone. So
agencies are shown by the short name the routing policy declares for them (as ministries write
them: «BNG», «BVHTTDL»; never initials made up from the name) with a legend under the table, and when the
rows do not fit one message they are split over several, each complete with its header and
legend and numbered (1/3, 2/3...): no row is ever dropped. Messages are HTML (`parse_mode`
"HTML"), the table in <pre>, every name escaped; their length is counted as sent, tags included,
in UTF-16 units as Telegram counts (the title's emoji is two), so they fit whatever counts the limit.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.stats import AgencyStats, PeriodStats
from bot.domain.textparts import length
from bot.i18n import normalise_language, t

TELEGRAM_LIMIT = 4096
NAME_WIDTH = 18  # the widest a declared short name is expected to be (the table's width on a phone)
NUMBER_WIDTH = 4
MEDIAN_WIDTH = 12  # «2 ngày 3 giờ»
PART_RESERVE = 12  # room for " (12/12)" added once the number of parts is known
NUMBER_COLUMNS = ("stats.col.received", "stats.col.answered", "stats.col.late")


def table_width(name_width: int = NAME_WIDTH, language: str = "vi") -> int:
    """The widest a line of the table can be, in characters."""
    return name_width + sum(width + 1 for width in _number_widths(language)) + MEDIAN_WIDTH + 1


def _number_widths(language: str) -> list[int]:
    """Each number column as wide as its heading: headings are words («Trả lời»), not invented
    abbreviations («TL», read as nothing a ministry writes)."""
    return [max(NUMBER_WIDTH, len(t(language, key))) for key in NUMBER_COLUMNS]


def stats_messages(stats: PeriodStats, lang: str, *, days: int, zone: str = "Asia/Ho_Chi_Minh",
                   limit: int = TELEGRAM_LIMIT, short_names: Mapping[str, str] | None = None) -> list[str]:
    """One or more HTML messages holding every agency's row; `short_names` maps an agency's full
    name to how the routing policy writes it short (an agency without one is shown in full)."""
    language = normalise_language(lang)
    local = ZoneInfo(zone)
    title = t(language, "stats.title", days=days, since=_day(stats.since, local),
              until=_day(stats.until - timedelta(microseconds=1), local), consultations=stats.consultations)
    if stats.empty:
        return [f"{html.escape(title)}\n{html.escape(t(language, 'stats.empty'))}"]
    labels = agency_labels(stats.agencies, short_names or {})
    width = max([len(t(language, "stats.col.agency")), *(len(label) for label in labels.values())])
    widths = _number_widths(language)
    received, answered, late = (t(language, key) for key in NUMBER_COLUMNS)
    header = _line(width, widths, t(language, "stats.col.agency"), received, answered, late,
                   t(language, "stats.col.median"))
    rows = [(a, _line(width, widths, labels[a.agency], str(a.received), str(a.answered), str(a.answered_late),
                      short_duration(a.median_time_to_answer, language))) for a in stats.agencies]
    legend = html.escape(t(language, "stats.legend"))

    def message(chunk: list[tuple[AgencyStats, str]], part: str) -> str:
        abbreviations = [f"{html.escape(labels[a.agency])}: {html.escape(a.agency)}" for a, _ in chunk
                         if labels[a.agency] != a.agency]
        table = "\n".join([html.escape(header), *(html.escape(line) for _, line in chunk)])
        return "\n".join([html.escape(title) + part, f"<pre>{table}</pre>", legend, *abbreviations])

    chunks: list[list[tuple[AgencyStats, str]]] = [[]]
    for row in rows:
        candidate = [*chunks[-1], row]
        if chunks[-1] and length(message(candidate, "")) + PART_RESERVE > limit:
            chunks.append([row])
        else:
            chunks[-1] = candidate
    for chunk in chunks:
        if length(message(chunk, "")) + PART_RESERVE > limit:
            raise ValueError(f"a single row does not fit a message of {limit} characters")
    if len(chunks) == 1:
        return [message(chunks[0], "")]
    return [message(chunk, f" ({number}/{len(chunks)})") for number, chunk in enumerate(chunks, start=1)]


def short_duration(duration: timedelta | None, language: str = "vi") -> str:
    """Compact for a table column, in words people read («30 giây», «45 phút», «1 giờ 05»,
    «2 ngày 3 giờ»), never «45m» or «51s»; a dash for no answer at all."""
    if duration is None:
        return "—"
    total = int(duration.total_seconds())
    if total < 60:
        return t(language, "stats.dur.s", seconds=total)
    minutes, hours, days = total // 60, total // 3600, total // 86400
    if hours == 0:
        return t(language, "stats.dur.m", minutes=minutes)
    if days == 0:
        return t(language, "stats.dur.hm", hours=hours, minutes=f"{minutes % 60:02d}")
    return t(language, "stats.dur.dh", days=days, hours=hours % 24)


def agency_labels(agencies: tuple[AgencyStats, ...], short_names: Mapping[str, str]) -> dict[str, str]:
    """Each agency's name as the table and the chart show it: its declared short name, else its full name. A
    short name some other agency's full name already is would be read as that one: full name then."""
    full = {agency.agency for agency in agencies}
    labels: dict[str, str] = {}
    for agency in agencies:
        short = short_names.get(agency.agency, agency.agency)
        taken = short != agency.agency and (short in full or short in labels.values())
        labels[agency.agency] = agency.agency if taken else short
    return labels


def _line(width: int, widths: list[int], name: str, received: str, answered: str, late: str, median: str) -> str:
    numbers = "".join(f" {value:>{w}}" for value, w in zip((received, answered, late), widths, strict=True))
    return f"{name:<{width}}{numbers} {median:>{MEDIAN_WIDTH}}".rstrip()


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d/%m/%Y")
