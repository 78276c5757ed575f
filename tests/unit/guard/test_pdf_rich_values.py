"""A PDF text field's rich value (issue 24, class 4, third round): `/RV` is XHTML a reader shows in
the field once it builds the field's appearance (`NeedAppearances`, or on the first click), over a
harmless plain `/V`; on the widget or on its parent field. Free-text annotations' `/RC` was read
already and stays read; `/DS` is a default style, no text."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import pdf_of

FORM = b"/AcroForm << /Fields [6 0 R] /NeedAppearances true >>"


def text(value: str) -> bytes:
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def form(annotation: bytes, *more: bytes, acro_form: bytes = FORM) -> bytes:
    stream = b"BT /F1 12 Tf 72 720 Td (Kinh gui cac don vi) Tj ET"
    return pdf_of([b"<< /Type /Catalog /Pages 2 0 R " + acro_form + b" >>",
                   b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 "
                   b"5 0 R >> >> /Annots [6 0 R] >>",
                   b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
                   b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", annotation, *more])


def widget(rich: str) -> bytes:
    return form(b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (f1) /V (Thuong) /RV " + text(rich)
                + b" /Rect [72 600 300 620] /P 3 0 R >>")


@pytest.mark.parametrize(("name", "content", "level"), [
    ("a-rich-value", widget("<body><p>TỐI MẬT</p></body>"), Level.TOI_MAT),
    ("a-rich-value-in-spans", widget('<body><p>TUYỆT M<span style="color:#f00">ẬT</span></p></body>'),
     Level.TUYET_MAT),
    ("a-rich-value-on-the-parent-field", form(
        b"<< /Type /Annot /Subtype /Widget /Parent 7 0 R /Rect [72 600 300 620] /P 3 0 R >>",
        b"<< /FT /Tx /T (f1) /V (Thuong) /RV " + text("<body><p>TỐI MẬT</p></body>") + b" /Kids [6 0 R] >>",
        acro_form=b"/AcroForm << /Fields [7 0 R] /NeedAppearances true >>"), Level.TOI_MAT),
])
def test_a_text_fields_rich_value_is_judged(guard: Guard, name: str, content: bytes, level: Level) -> None:
    verdict = guard.scan_document("to-khai.pdf", content)
    assert verdict.action is GuardAction.BLOCK and verdict.level is level, (name, verdict.reason)


def test_a_harmless_rich_value_passes(guard: Guard) -> None:
    assert guard.scan_document("to-khai.pdf", widget("<body><p>Nguyễn Văn A</p></body>")).action is GuardAction.ALLOW
