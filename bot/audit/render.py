"""The transcript for people: a printable HTML page and a PDF for filing.

Both are written from the same snapshot as the JSON, streaming messages and events, and show
redactions as they were stored and blocked messages as a line saying who, when and at which level.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import IO, Any

from bot.audit.transcript import consultation_json, iter_events, iter_messages, participants_json
from bot.files import open_owner_only, write_owner_only
from bot.store.db import Tx
from bot.store.keys import KeyStore

log = logging.getLogger(__name__)

LEVELS = {"mat": "Mật", "toi_mat": "Tối mật", "tuyet_mat": "Tuyệt mật"}
POSITIONS = {"agree": "Đồng ý", "object": "Phản đối", "more_time": "Cần thêm thời gian", None: "—"}
# fpdf2 builds the whole document in memory; past this a PDF is not written (the HTML and the
# signed JSON, which are streamed, always are).
PDF_MAX_MESSAGES = 20_000
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/local/share/fonts")]
STYLE = """
body { font: 14px/1.45 'DejaVu Sans', system-ui, sans-serif; color: #1b2733; max-width: 60em; margin: 2em auto; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; border-bottom: 1px solid #ccd; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #ccd; padding: .3em .5em; text-align: left; }
.msg { margin: .6em 0; padding: .4em .6em; border-left: 3px solid #1f5f8b; white-space: pre-wrap; }
.blocked { border-left-color: #b00020; color: #6b0012; font-style: italic; }
.redacted { border-left-color: #c77700; }
.meta { color: #5d6b78; font-size: .85em; }
code { font-size: .8em; word-break: break-all; }
@media print { body { margin: 0; max-width: none; } .msg { break-inside: avoid; } }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def message_line(message: dict[str, Any]) -> tuple[str, str]:
    """(css class, text) for a message as the transcript shows it."""
    who = message.get("from_name") or message.get("from") or "—"
    if message["guard_action"] == "block":
        level = LEVELS.get(message.get("guard_level") or "", "?")
        return "blocked", f"Một tin nhắn của {who} đã bị chặn (dấu {level}); nội dung không được lưu."
    css = "redacted" if message["guard_action"] == "redact" else ""
    return css, str(message["text"])


async def write_html(path: Path, tx: Tx, keys: KeyStore, consultation_id: int, exported_at: str,
                     exported_by: str) -> None:
    consultation, data_key = await consultation_json(tx, keys, consultation_id)
    with open_owner_only(path, "w", encoding="utf-8") as out:
        _html_head(out, consultation, exported_at, exported_by)
        out.write("<h2>Đầu mối và ý kiến (Participants and positions)</h2><table><tr><th>Người</th>"
                  "<th>Cơ quan</th><th>Ý kiến</th><th>Lúc</th></tr>")
        for p in await participants_json(tx, consultation_id):
            late = " (trễ hạn)" if p["late"] else ""
            by = f" — do {_e(p['responded_by'])} trả lời" if p["responded_by"] not in (None, p["person"]) else ""
            out.write(f"<tr><td>{_e(p['name'])}</td><td>{_e(p['agency'])}</td>"
                      f"<td>{_e(POSITIONS.get(p['position'], p['position']))}{late}{by}</td>"
                      f"<td>{_e(p['responded_at'] or '')}</td></tr>")
        out.write("</table><h2>Tin nhắn (Messages)</h2>")
        async for message in iter_messages(tx, data_key, consultation_id):
            css, text = message_line(message)
            badge = " · đã lược bỏ một phần" if css == "redacted" else ""
            out.write(f'<div class="msg {css}"><div class="meta">#{message["id"]} · {_e(message["at"])} · '
                      f'{_e(message.get("from_name") or message.get("from"))}{badge}</div>{_e(text)}</div>')
        out.write("<h2>Diễn biến (Timeline)</h2><table><tr><th>#</th><th>Lúc</th><th>Sự kiện</th><th>Người</th>"
                  "<th>Mã băm</th></tr>")
        async for event in iter_events(tx, consultation_id):
            out.write(f"<tr><td>{event.seq}</td><td>{_e(event.at)}</td><td>{_e(event.type)}</td>"
                      f"<td>{_e(event.actor)}</td><td><code>{_e(event.hash[:16])}…</code></td></tr>")
        out.write("</table><p class=meta>Bản này chỉ để đọc; bản có giá trị là transcript.json cùng chữ ký "
                  "transcript.json.sig (kiểm tra bằng <code>ssh-keygen -Y verify</code> hoặc "
                  "<code>consult verify</code>).</p></body></html>\n")


def _html_head(out: IO[str], c: dict[str, Any], exported_at: str, exported_by: str) -> None:
    out.write(f"<!doctype html><html lang=vi><head><meta charset=utf-8><title>Biên bản tham vấn #{c['id']}</title>"
              f"<style>{STYLE}</style></head><body>")
    out.write(f"<h1>Biên bản tham vấn #{c['id']}: {_e(c['title'])}</h1><table>")
    rows = [("Phạm vi", ", ".join(c["scopes"])), ("Người mở", c["opened_by"]), ("Mở lúc", c["opened_at"]),
            ("Hạn", c["deadline_at"]), ("Kết thúc", c["closed_at"] or "—"), ("Trạng thái", c["state"]),
            ("Xuất lúc", exported_at), ("Người xuất", exported_by)]
    out.write("".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>")
    if c.get("outcome"):
        out.write(f"<h2>Kết quả (Outcome)</h2><div class=msg>{_e(c['outcome'])}</div>")


def _font() -> Path | None:
    for directory in FONT_DIRS:
        candidate = directory / "DejaVuSans.ttf"
        if candidate.exists():
            return candidate
    return None


async def write_pdf(path: Path, tx: Tx, keys: KeyStore, consultation_id: int, exported_at: str,
                    exported_by: str) -> bool:
    """The PDF for filing; False (and a warning) when no Unicode font is installed."""
    font = _font()
    if font is None:
        log.warning("no DejaVu Sans font (Debian: fonts-dejavu-core); the transcript PDF was not written")
        return False
    from fpdf import FPDF

    count = await tx.fetchval("SELECT count(*) FROM messages WHERE consultation_id = ?", (consultation_id,))
    if int(count) > PDF_MAX_MESSAGES:
        log.warning("consultation %s has %s messages; no PDF past %s (use transcript.html)",
                    consultation_id, count, PDF_MAX_MESSAGES)
        return False
    consultation, data_key = await consultation_json(tx, keys, consultation_id)
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def line(text: str, size: int = 10, height: float = 5) -> None:
        pdf.set_font("DejaVu", size=size)
        pdf.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT", align="L")

    line(f"Biên bản tham vấn #{consultation['id']}: {consultation['title']}", 14, 7)
    line(f"Phạm vi: {', '.join(consultation['scopes'])} · Mở: {consultation['opened_at']} · "
         f"Hạn: {consultation['deadline_at']} · Kết thúc: {consultation['closed_at'] or '—'} · "
         f"Trạng thái: {consultation['state']}", 9)
    line(f"Xuất lúc {exported_at} bởi {exported_by}", 9)
    if consultation.get("outcome"):
        line("")
        line(str(consultation["outcome"]), 9)
    line("")
    line("Đầu mối và ý kiến", 12, 6)
    for p in await participants_json(tx, consultation_id):
        late = " (trễ hạn)" if p["late"] else ""
        line(f"• {p['name']} ({p['agency']}): {POSITIONS.get(p['position'], p['position'])}{late}", 9)
    line("")
    line("Tin nhắn", 12, 6)
    async for message in iter_messages(tx, data_key, consultation_id):
        _, text = message_line(message)
        line(f"#{message['id']} {message['at']} — {message.get('from_name') or message.get('from')}", 8, 4)
        line(text, 9)
    line("")
    line("Bản có giá trị pháp lý là transcript.json cùng chữ ký transcript.json.sig.", 8)
    write_owner_only(path, bytes(pdf.output()))
    return True
