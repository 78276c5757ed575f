"""What a PDF reader shows in another state of the document (issue 24, class 4, second round): a
form field's default value (Reset Form shows it, whatever the current value), a button's captions
(normal, rollover, pressed), a layer that is off by default (one click in the layers panel shows
it) and text drawn invisible (render modes 3 and 7: not shown, but selected, copied and searched)."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction
from tests.support.office_files import pdf_of

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
BODY = b"BT /F1 12 Tf 72 720 Td (Quarterly report) Tj ET"


def pdf(objects: list[bytes]) -> bytes:
    return pdf_of(objects)


def stream(data: bytes) -> bytes:
    return b"<< /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream"


def page(content: bytes, catalog: bytes = b"", resources: bytes = b"", annotations: bytes = b"",
         more: tuple[bytes, ...] = ()) -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R"
                b" >> " + resources + b" >> " + annotations + b" >>", stream(content), FONT, *more])


def widget(entries: bytes) -> bytes:
    return page(BODY, b"/AcroForm << /Fields [6 0 R] >>", annotations=b"/Annots [6 0 R]",
                more=(b"<< /Type /Annot /Subtype /Widget /T (f1) /Rect [72 500 300 530] /P 3 0 R " + entries + b" >>",))


def field_with_kid(entries: bytes) -> bytes:
    return page(BODY, b"/AcroForm << /Fields [6 0 R] >>", annotations=b"/Annots [7 0 R]",
                more=(b"<< /T (f1) /FT /Tx /Kids [7 0 R] " + entries + b" >>",
                      b"<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [72 500 300 530] /P 3 0 R >>"))


BLOCKED = [
    ("default-value-empty-field", lambda: widget(b"/FT /Tx /DV (TOP SECRET)")),
    ("default-value-beside-a-harmless-value", lambda: widget(b"/FT /Tx /V (Draft) /DV (TOP SECRET)")),
    ("default-value-on-the-parent-field", lambda: field_with_kid(b"/V (Draft) /DV (SECRET)")),
    ("button-rollover-caption", lambda: widget(b"/FT /Btn /Ff 65536 /MK << /CA (Open) /RC (TOP SECRET) >>")),
    ("button-pressed-caption", lambda: widget(b"/FT /Btn /Ff 65536 /MK << /CA (Open) /AC (CONFIDENTIAL) >>")),
    ("invisible-text-mode-3", lambda: page(BODY + b" BT 3 Tr /F1 40 Tf 72 600 Td (TOP SECRET) Tj ET")),
    ("clipping-text-mode-7", lambda: page(BODY + b" BT 7 Tr /F1 40 Tf 72 600 Td (TOP SECRET) Tj ET")),
    ("layer-off-by-default", lambda: page(
        BODY + b" /OC /L1 BDC BT /F1 40 Tf 72 600 Td (TOP SECRET) Tj ET EMC",
        b"/OCProperties << /OCGs [6 0 R] /D << /OFF [6 0 R] /Order [6 0 R] >> >>", b"/Properties << /L1 6 0 R >>",
        more=(b"<< /Type /OCG /Name (Print) >>",))),
]


@pytest.mark.parametrize(("name", "make"), BLOCKED, ids=[case[0] for case in BLOCKED])
def test_what_another_state_of_the_pdf_shows_is_judged(guard: Guard, name: str, make: object) -> None:
    verdict = guard.scan_document("report.pdf", make())  # type: ignore[operator]
    assert verdict.action is GuardAction.BLOCK and verdict.rule != "unreadable-file", (name, verdict.reason)


def test_a_harmless_default_value_passes(guard: Guard) -> None:
    verdict = guard.scan_document("report.pdf", widget(b"/FT /Tx /V (Draft) /DV (Public)"))
    assert verdict.action is GuardAction.ALLOW
