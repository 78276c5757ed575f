"""transcript.html: the transcript for people to read, in the export's language, written from the
signed JSON as a stream (messages and events one at a time).

People appear by name and agency, times in the deployment's zone to the second, events by their
name in the reader's language; blocked messages as a line saying who and at which level; the
timeline as inline SVG. Nothing here prints a person's key.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from bot.audit import labels
from bot.audit.files import open_file
from bot.audit.readable import Readable, load
from bot.audit.timeline import COLOURS, MARK_COLOURS, Chart, build, stagger
from bot.i18n import t

STYLE = """
body { font: 14px/1.45 'DejaVu Sans', system-ui, sans-serif; color: #1b2733; max-width: 62em; margin: 2em auto; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; border-bottom: 1px solid #ccd; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #ccd; padding: .3em .5em; text-align: left; vertical-align: top; }
.msg { margin: .6em 0; padding: .4em .6em; border-left: 3px solid #1f5f8b; white-space: pre-wrap; }
.blocked { border-left-color: #b00020; color: #6b0012; font-style: italic; }
.redacted { border-left-color: #c77700; }
.outcome { white-space: pre-wrap; border-left-color: #2e7d32; }
.meta { color: #5d6b78; font-size: .85em; white-space: normal; }
.late { color: #b00020; font-weight: bold; }
code { font-size: .8em; word-break: break-all; }
svg text { font: 11px 'DejaVu Sans', sans-serif; fill: #1b2733; }
@media print { body { margin: 0; max-width: none; } .msg { break-inside: avoid; } }
"""
LABEL_WIDTH, CHART_WIDTH, ROW_HEIGHT, TOP, NOTE_WIDTH = 280, 560, 32, 34, 170
CHAR_WIDTH = 7.0  # px: the widest a letter of 11px DejaVu Sans is, on average over a word (a bound, not a measure)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def write_html(json_path: Path, out_path: Path, language: str, file_mode: int,
               scope_names: dict[str, str] | None = None) -> None:
    readable = load(json_path)
    readable.scope_names = scope_names or {}
    with open_file(out_path, file_mode) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as out:
        render(readable, out, language)


def render(readable: Readable, out: IO[str], language: str) -> None:
    names = labels.Names(readable.people, language)
    zone = readable.timezone
    c = readable.consultation

    def when(at: str | None) -> str:
        return labels.local_time(at, zone)

    title = t(language, "transcript.title", consultation=c.get("id"), title=c.get("title"))
    out.write(f"<!doctype html><html lang={language}><head><meta charset=utf-8><title>{_e(title)}</title>"
              f"<style>{STYLE}</style></head><body><h1>{_e(title)}</h1><table>")
    rows = [
        (t(language, "transcript.type"), labels.kind(c.get("kind"), language)),
        (t(language, "transcript.scopes"), readable.scopes(c.get("scopes"))),
        (t(language, "transcript.opened_by"), names.who(c.get("opened_by"), c.get("opened_by_name"),
                                                       c.get("opened_by_agency"))),
        (t(language, "transcript.opened_at"), when(c.get("opened_at"))),
        (t(language, "transcript.deadline"), when(c.get("deadline_at"))),
        (t(language, "transcript.closed_at"), when(c.get("closed_at"))),
        (t(language, "transcript.state"), labels.state(c.get("state"), language)),
    ]
    out.write("".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>")
    times = t(language, "transcript.times", zone=labels.zone_label(zone, c.get("opened_at")))
    exported = t(language, "transcript.exported", at=when(readable.exported_at), who=names.who(readable.exported_by))
    out.write(f"<p class=meta>{_e(times)} {_e(exported)}</p>")
    if c.get("outcome"):
        out.write(f"<h2>{_e(t(language, 'transcript.outcome'))}</h2><div class='msg outcome'>{_e(c['outcome'])}</div>")
    _participants(out, readable, names, language)
    out.write(f"<h2>{_e(t(language, 'transcript.timeline'))}</h2>")
    out.write(svg(build(c, readable.participants, readable.other_events, names, language, zone)))
    out.write(f"<p class=meta>{_e(t(language, 'transcript.legend'))}</p>")
    _messages(out, readable, names, language)
    _events(out, readable, names, language)
    out.write(f"<p class=meta>{_e(t(language, 'transcript.footer'))}</p></body></html>\n")


def answered_by(p: Mapping[str, Any], names: labels.Names, language: str) -> str:
    by = p.get("responded_by")
    if not by:
        return ""
    if by == p.get("person"):
        return t(language, "transcript.themselves")
    return t(language, "label.answered_for", name=p.get("responded_by_name") or names.name(by),
             principal=p.get("name") or names.name(p.get("person")), agency=p.get("agency") or "—")


def _participants(out: IO[str], readable: Readable, names: labels.Names, language: str) -> None:
    heads = ("col.person", "col.agency", "col.position", "col.answered_at", "col.answered_by")
    out.write(f"<h2>{_e(t(language, 'transcript.participants'))}</h2><table><tr>"
              + "".join(f"<th>{_e(t(language, 'transcript.' + h))}</th>" for h in heads) + "</tr>")
    for p in readable.participants:
        late = f" <span class=late>({_e(t(language, 'transcript.late'))})</span>" if p.get("late") else ""
        out.write(f"<tr><td>{_e(p.get('name') or names.name(p.get('person')))}</td><td>{_e(p.get('agency'))}</td>"
                  f"<td>{_e(labels.position(p.get('position'), language))}{late}</td>"
                  f"<td>{_e(labels.local_time(p.get('responded_at'), readable.timezone))}</td>"
                  f"<td>{_e(answered_by(p, names, language))}</td></tr>")
    out.write("</table>")


def message_text(message: Mapping[str, Any], names: labels.Names, language: str) -> tuple[str, str]:
    """(css class, text) of a message as the transcript shows it."""
    if message.get("unreadable"):
        return "blocked", t(language, "transcript.unreadable")
    if message.get("guard_action") == "block":
        who = names.who(message.get("from"), message.get("from_name"), message.get("from_agency"))
        return "blocked", t(language, "transcript.blocked", name=who,
                            level=labels.level(message.get("guard_level"), language))
    return ("redacted" if message.get("guard_action") == "redact" else ""), str(message.get("text") or "")


def message_meta(message: Mapping[str, Any], names: labels.Names, language: str, zone: str) -> str:
    parts = [f"#{message.get('id')}", labels.local_time(message.get("at"), zone),
             names.who(message.get("from"), message.get("from_name"), message.get("from_agency")),
             labels.source(message.get("source"), language)]
    if message.get("kind") in ("edit", "summary", "reason"):
        parts.append(t(language, f"transcript.kind.{message['kind']}"))
    if message.get("guard_action") == "redact":
        parts.append(t(language, "transcript.redacted"))
    return " · ".join(p for p in parts if p)


def _messages(out: IO[str], readable: Readable, names: labels.Names, language: str) -> None:
    out.write(f"<h2>{_e(t(language, 'transcript.messages'))}</h2>")
    if not readable.message_count:
        out.write(f"<p>{_e(t(language, 'transcript.no_messages'))}</p>")
    for message in readable.messages():
        css, text = message_text(message, names, language)
        out.write(f'<div class="msg {css}"><div class="meta">'
                  f"{_e(message_meta(message, names, language, readable.timezone))}</div>{_e(text)}</div>")


def _events(out: IO[str], readable: Readable, names: labels.Names, language: str) -> None:
    heads = ("col.time", "col.event", "col.who", "col.detail", "col.hash")
    out.write(f"<h2>{_e(t(language, 'transcript.events'))}</h2><table><tr><th>#</th>"
              + "".join(f"<th>{_e(t(language, 'transcript.' + h))}</th>" for h in heads) + "</tr>")
    for event in readable.events():
        out.write(f"<tr><td>{_e(event.get('seq'))}</td><td>{_e(labels.local_time(event.get('at'), readable.timezone))}"
                  f"</td><td>{_e(labels.event_name(str(event.get('type')), language))}</td>"
                  f"<td>{_e(labels.actor(event, names, language))}</td>"
                  f"<td>{_e(labels.event_detail(event, names, language, readable.timezone))}</td>"
                  f"<td><code>{_e(str(event.get('hash'))[:16])}…</code></td></tr>")
    out.write("</table>")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def svg(chart: Chart) -> str:
    """The chart as inline SVG: who on the left (name, agency beneath), bars on a time axis, marks
    as vertical lines named along the bottom. It scales to the page's width."""
    height = TOP + ROW_HEIGHT * max(1, len(chart.rows)) + 24 + 26  # room for three lines of mark names
    bottom = height - 48
    width = LABEL_WIDTH + CHART_WIDTH + NOTE_WIDTH

    def x(fraction: float) -> float:
        return round(LABEL_WIDTH + fraction * CHART_WIDTH, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
             f'viewBox="0 0 {width} {height}" style="max-width:{width}px">']
    for fraction, label in chart.ticks:
        parts.append(f'<line x1="{x(fraction)}" y1="{TOP - 6}" x2="{x(fraction)}" y2="{bottom}" stroke="#e3e7eb"/>'
                     f'<text x="{x(fraction)}" y="{TOP - 10}" text-anchor="middle">{_e(label)}</text>')
    for index, row in enumerate(chart.rows):
        y = TOP + index * ROW_HEIGHT
        colour = COLOURS.get(row.position, COLOURS[None])
        bar_width = max(2.0, x(row.end) - x(row.start))
        dash = "" if row.answered else ' fill-opacity="0.45" stroke="#757575" stroke-dasharray="3 2"'
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{_e(_clip(row.name, 40))}</text>'
                     f'<text x="{LABEL_WIDTH - 8}" y="{y + 25}" text-anchor="end" style="font-size:9px;fill:#5d6b78">'
                     f"{_e(_clip(row.agency, 48))}</text>"
                     f'<rect x="{x(row.start)}" y="{y + 6}" width="{round(bar_width, 1)}" height="{ROW_HEIGHT - 14}" '
                     f'fill="{colour}" rx="2"{dash}><title>{_e(row.name)} ({_e(row.agency)})</title></rect>')
        if row.note:
            style = ' style="fill:#b00020;font-weight:bold"' if row.late else ""
            parts.append(f'<text x="{x(row.end) + 4}" y="{y + 17}"{style}>{_e(_clip(row.note, 40))}</text>')
    half_widths = [len(mark.label) * CHAR_WIDTH / 2 for mark in chart.marks]
    lines = stagger([(x(mark.at) - w, x(mark.at) + w) for mark, w in zip(chart.marks, half_widths, strict=True)],
                    gap=4.0)
    for mark, line_no in zip(chart.marks, lines, strict=True):
        colour = MARK_COLOURS.get(mark.kind, "#000")
        dash = "" if mark.kind in ("deadline", "closed") else ' stroke-dasharray="4 3"'
        parts.append(f'<line x1="{x(mark.at)}" y1="{TOP - 4}" x2="{x(mark.at)}" y2="{bottom}" stroke="{colour}" '
                     f'stroke-width="{2 if mark.kind == "deadline" else 1.2}"{dash}><title>{_e(mark.label)}</title>'
                     "</line>")
        if line_no is not None:
            parts.append(f'<text x="{x(mark.at)}" y="{bottom + 14 + line_no * 13}" text-anchor="middle" '
                         f'style="fill:{colour}">{_e(mark.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
