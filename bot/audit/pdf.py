"""transcript.pdf: the readable transcript for filing, drawn with fpdf2 from the signed JSON and
signed with the deployment's certificate (PAdES, `bot/audit/pades.py`).

DejaVu Sans covers Vietnamese but not the emoji the bot and its users write; a character the font
lacks is replaced by words (the bot's own emoji by what they mean, others by their Unicode name),
so no reader sees an empty box and fpdf2 never warns of missing glyphs. fpdf2 builds the document
in memory, so past PDF_MAX_MESSAGES messages the PDF lists the first ones and says where the rest
are (the HTML and the JSON are complete at any size).
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from bot.audit import labels
from bot.audit.files import write_file
from bot.audit.html import answered_by, message_meta, message_text
from bot.audit.readable import Readable, load
from bot.audit.timeline import COLOURS, MARK_COLOURS, Chart, build, stagger
from bot.i18n import t
from bot.store import certificates
from bot.store.keys import KeyStore

log = logging.getLogger(__name__)

PDF_MAX_MESSAGES = 20_000
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts")]
FONT = "DejaVu"
SYMBOLS = "Symbola"
MARK_LINE = 2.6  # mm between the lines of the timeline's mark names
# A font with the emoji and symbols people type (monochrome: fpdf2 draws outline glyphs only).
SYMBOL_FONTS = [Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
                Path("/usr/share/fonts/truetype/symbola/Symbola.ttf")]
# The emoji the bot writes, in words (vi, en).
EMOJI_WORDS: dict[str, tuple[str, str]] = {
    "⏰": ("[nhắc hạn]", "[reminder]"), "⏳": ("[cần thêm thời gian]", "[more time]"),
    "✅": ("[đồng ý]", "[yes]"), "❌": ("[phản đối]", "[no]"), "💬": ("[góp ý]", "[comment]"),
    "📄": ("[văn bản]", "[document]"), "📋": ("[thẻ trạng thái]", "[status card]"),
    "📎": ("[tệp đính kèm]", "[attachment]"), "🔴": ("[khẩn]", "[urgent]"), "🔺": ("[lưu ý]", "[attention]"),
    "🚫": ("[bị chặn]", "[blocked]"),
}


def _symbols_font() -> Path | None:
    return next((path for path in SYMBOL_FONTS if path.exists()), None)


def _font_file(name: str) -> Path | None:
    return next((d / name for d in FONT_DIRS if (d / name).exists()), None)


@cache
def _covered(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


def printable(text: str, covered: frozenset[int], language: str) -> str:
    """`text` with every character the font lacks put in words (or dropped if it only modifies
    the one before, like a variation selector or a skin tone)."""
    normal = unicodedata.normalize("NFC", text)
    if all(ord(c) in covered or c == "\n" for c in normal):
        return normal
    out = []
    for char in normal:
        if ord(char) in covered or char == "\n":
            out.append(char)
        elif char in EMOJI_WORDS:
            out.append(EMOJI_WORDS[char][0 if language == "vi" else 1])
        elif unicodedata.category(char) in ("Cf", "Mn", "Me", "Sk", "Cc") or 0xFE00 <= ord(char) <= 0xFE0F:
            out.append(" " if unicodedata.category(char) == "Cc" else "")
        else:  # never the character's English Unicode name: a reader of either language sees a mark
            out.append("[ký hiệu]" if language == "vi" else "[symbol]")
    return "".join(out)


def _messages(readable: Readable) -> Iterator[dict[str, Any]]:
    for index, message in enumerate(readable.messages()):
        if index >= PDF_MAX_MESSAGES:
            return
        yield message


async def write_pdf(json_path: Path, out_path: Path, keys: KeyStore, language: str, file_mode: int,
                    tsa_url: str | None = None, scope_names: dict[str, str] | None = None) -> bool:
    """The signed PDF; False (and a warning) when no Unicode font is installed."""
    regular, bold = _font_file("DejaVuSans.ttf"), _font_file("DejaVuSans-Bold.ttf")
    if regular is None:
        log.warning("no DejaVu Sans font (Debian: fonts-dejavu-core); the transcript PDF was not written")
        return False
    readable = await asyncio.to_thread(load, json_path)
    readable.scope_names = scope_names or {}
    unsigned = await asyncio.to_thread(render, readable, language, regular, bold or regular)
    if not certificates.exists(keys.keys_dir):
        log.warning("no PDF signing certificate in %s; creating a self-signed one", keys.keys_dir)
        keys.create_pdf_certificate()
    from bot.audit.pades import sign_pdf

    signed = await sign_pdf(unsigned, certificates.load(keys.keys_dir),
                            reason=t(language, "transcript.pdf_reason", consultation=readable.consultation.get("id")),
                            tsa_url=tsa_url)
    write_file(out_path, signed, file_mode)
    return True


def render(readable: Readable, language: str, regular: Path, bold: Path) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    covered = _covered(regular) & _covered(bold)
    names = labels.Names(readable.people, language)
    zone = readable.timezone
    c = readable.consultation
    running = t(language, "transcript.running_header", consultation=c.get("id"))

    class Pages(FPDF):
        def header(self) -> None:
            """«Biên bản tham vấn #N — trang x/y» on every page: a printed page says where it belongs."""
            self.set_font(FONT, "", size=7)
            self.set_text_color(110)
            self.cell(0, 4, f"{running} {self.page_no()}/{{nb}}", align="R", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0)
            self.ln(1)

    pdf = Pages(format="A4")
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(bold))
    symbols = _symbols_font()
    if symbols is not None:  # emoji and symbols DejaVu lacks, drawn as glyphs (Debian's fonts-symbola)
        pdf.add_font(SYMBOLS, "", str(symbols))
        pdf.set_fallback_fonts([SYMBOLS])
        covered |= _covered(symbols)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(printable(t(language, "transcript.title", consultation=c.get("id"), title=c.get("title")),
                            covered, language))
    pdf.add_page()
    width = pdf.epw

    def text(value: Any) -> str:
        return printable("" if value is None else str(value), covered, language)

    def line(value: Any, size: float = 9, height: float = 4.6, style: str = "") -> None:
        pdf.set_font(FONT, style, size=size)
        pdf.multi_cell(width, height, text(value), new_x="LMARGIN", new_y="NEXT", align="L")

    def heading(key: str) -> None:
        pdf.ln(3)
        line(t(language, key), 12, 6, "B")

    line(t(language, "transcript.title", consultation=c.get("id"), title=c.get("title")), 14, 7, "B")
    def when(at: Any) -> str:
        return labels.local_time(at, zone)

    for key, value in [
        ("transcript.type", labels.kind(c.get("kind"), language)),
        ("transcript.scopes", readable.scopes(c.get("scopes"))),
        ("transcript.opened_by", names.who(c.get("opened_by"), c.get("opened_by_name"), c.get("opened_by_agency"))),
        ("transcript.opened_at", when(c.get("opened_at"))), ("transcript.deadline", when(c.get("deadline_at"))),
        ("transcript.closed_at", when(c.get("closed_at"))),
        ("transcript.state", labels.state(c.get("state"), language)),
    ]:
        line(f"{t(language, key)}: {value}")
    line(t(language, "transcript.times", zone=labels.zone_label(zone, c.get("opened_at"))), 8)
    line(t(language, "transcript.exported", at=when(readable.exported_at), who=names.who(readable.exported_by)), 8)
    if c.get("outcome"):
        heading("transcript.outcome")
        line(c["outcome"])
    heading("transcript.participants")
    pdf.set_font(FONT, size=8)
    heads = ("col.person", "col.agency", "col.position", "col.answered_at", "col.answered_by")
    with pdf.table(col_widths=(22, 20, 16, 18, 24), text_align="LEFT", line_height=4.2,
                   headings_style=FontFace(emphasis="BOLD")) as table:
        row = table.row()
        for head in heads:
            row.cell(text(t(language, "transcript." + head)))
        for p in readable.participants:
            late = f" ({t(language, 'transcript.late')})" if p.get("late") else ""
            row = table.row()
            cells: list[Any] = [p.get("name") or names.name(p.get("person")), p.get("agency"),
                                labels.position(p.get("position"), language) + late,
                                labels.local_time(p.get("responded_at"), zone), answered_by(p, names, language)]
            for value in cells:
                row.cell(text(value))
    heading("transcript.timeline")
    draw_chart(pdf, build(c, readable.participants, readable.other_events, names, language, zone), text)
    line(t(language, "transcript.legend"), 7, 3.6)
    heading("transcript.messages")
    if not readable.message_count:
        line(t(language, "transcript.no_messages"))
    for message in _messages(readable):
        _, body = message_text(message, names, language)
        line(message_meta(message, names, language, zone), 7.5, 4)
        line(body, 9, 4.6)
        pdf.ln(1)
    if readable.message_count > PDF_MAX_MESSAGES:
        line(t(language, "transcript.pdf_messages_cut", shown=PDF_MAX_MESSAGES, total=readable.message_count), 8)
    heading("transcript.events")
    for event in readable.other_events:
        detail = labels.event_detail(event, names, language, zone)
        line(f"#{event.get('seq')} {when(event.get('at'))} · {labels.event_name(str(event.get('type')), language)}"
             f" · {labels.actor(event, names, language)}" + (f" · {detail}" if detail else ""), 8, 4)
    line(t(language, "transcript.pdf_events_note"), 7, 3.6)
    pdf.ln(2)
    line(t(language, "transcript.footer"), 7, 3.6)
    return bytes(pdf.output())


def draw_chart(pdf: Any, chart: Chart, text: Callable[[Any], str]) -> None:
    """The timeline drawn on the page: who on the left (name, agency beneath), bars on a time axis,
    marks as vertical lines named along the bottom."""
    label_width, note_width, row_height = 52.0, 30.0, 7.0
    chart_width = float(pdf.epw) - label_width - note_width
    left = float(pdf.l_margin) + label_width
    rows = max(1, len(chart.rows))
    if pdf.get_y() + 14 + row_height * rows > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 6
    bottom = top + row_height * rows

    def x(fraction: float) -> float:
        return left + fraction * chart_width

    def fit(value: str, size: float, room: float) -> str:
        pdf.set_font(FONT, size=size)
        label = text(value)
        while pdf.get_string_width(label) > room and len(label) > 4:
            label = label[:-2].rstrip() + "…"
        return label

    pdf.set_font(FONT, size=6)
    pdf.set_draw_color(227, 231, 235)
    for fraction, label in chart.ticks:
        pdf.line(x(fraction), top - 1, x(fraction), bottom)
        pdf.text(x(fraction) - pdf.get_string_width(text(label)) / 2, top - 2, text(label))
    for index, row in enumerate(chart.rows):
        y = top + index * row_height
        pdf.set_text_color(27, 39, 51)
        name = fit(row.name, 6.5, label_width - 3)
        pdf.text(pdf.l_margin, y + 3, name)
        pdf.set_text_color(93, 107, 120)
        agency = fit(row.agency, 5.5, label_width - 3)
        pdf.text(pdf.l_margin, y + 5.6, agency)
        pdf.set_fill_color(*_rgb(COLOURS.get(row.position, COLOURS[None])))
        pdf.set_draw_color(117, 117, 117)
        pdf.rect(x(row.start), y + 1.5, max(0.6, x(row.end) - x(row.start)), row_height - 3.5,
                 style="F" if row.answered else "DF")
        if row.note:
            pdf.set_text_color(*(_rgb("#b00020") if row.late else (27, 39, 51)))
            pdf.text(x(row.end) + 1, y + 4, fit(row.note, 6, note_width + chart_width * (1 - row.end) - 2))
    pdf.set_font(FONT, size=5.5)
    names = [text(mark.label) for mark in chart.marks]
    widths = [pdf.get_string_width(name) for name in names]
    lines = stagger([(x(mark.at) - w / 2, x(mark.at) + w / 2) for mark, w in zip(chart.marks, widths, strict=True)])
    for mark, name, w, line_no in zip(chart.marks, names, widths, lines, strict=True):
        colour = _rgb(MARK_COLOURS.get(mark.kind, "#000000"))
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.5 if mark.kind == "deadline" else 0.25)
        if mark.kind not in ("deadline", "closed"):
            pdf.set_dash_pattern(dash=1, gap=0.8)
        pdf.line(x(mark.at), top - 1, x(mark.at), bottom)
        pdf.set_dash_pattern()
        if line_no is not None:
            pdf.set_text_color(*colour)
            pdf.text(x(mark.at) - w / 2, bottom + 3 + line_no * MARK_LINE, name)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(bottom + 5 + max((n for n in lines if n is not None), default=0) * MARK_LINE)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
