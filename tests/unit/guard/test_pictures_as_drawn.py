"""A picture read at the proportions the document draws it in (issue 24, class 4, the first round's
last gap): a stamp stored squashed to a strip a few pixels high (or narrowed) and drawn at its own
proportions shows whole letters that OCR could not read in the stored pixels. DrawingML
(`wp:extent`, `a:ext`) and VML (`style="width:…;height:…"`) placements are followed through the
part's relationships."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from bot.guard.engine import Guard
from bot.guard.pictures import _stretched
from bot.guard.policy import ImageLimits
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import package
from tests.support.pdf_files import DEJAVU_BOLD

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
EMU_PER_PIXEL = 9525


def stamp(height: int, text: str) -> Image.Image:
    font = ImageFont.truetype(str(DEJAVU_BOLD), height - 8)
    picture = Image.new("RGB", (int(font.getlength(text)) + 12, height), "white")
    ImageDraw.Draw(picture).text((6, 2), text, font=font, fill=(200, 0, 0))
    return picture


def placed(stored: Image.Image, width: float, height: float, vml: bool = False) -> bytes:
    """A DOCX drawing `stored` in a box of width × height (EMU for DrawingML, points for VML)."""
    if vml:
        drawing = (f'<w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" style="width:{width}pt;height:'
                   f'{height}pt"><v:imagedata r:id="rId7"/></v:shape></w:pict>')
    else:
        drawing = ('<w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
                   f'wordprocessingDrawing"><wp:extent cx="{width:.0f}" cy="{height:.0f}"/><a:graphic '
                   'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData><pic:pic '
                   'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:blipFill><a:blip '
                   'r:embed="rId7"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>')
    out = io.BytesIO()
    stored.save(out, "PNG")
    relationships = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    return package({
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Default Extension="xml" ContentType="application/xml"/><Default '
                               'Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" '
                               'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
                               'main+xml"/></Types>',
        "_rels/.rels": f'{relationships}<Relationship Id="rId1" Type="{R}/officeDocument" '
                       'Target="word/document.xml"/></Relationships>',
        "word/_rels/document.xml.rels": f'{relationships}<Relationship Id="rId7" Type="{R}/image" '
                                        'Target="media/image1.png"/></Relationships>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {W} xmlns:r="{R}"><w:body><w:p><w:r><w:t>Kính gửi'
                             f"</w:t></w:r></w:p><w:p><w:r>{drawing}</w:r></w:p></w:body></w:document>",
        "word/media/image1.png": out.getvalue(),
    })


def squashed(height: int, to: int, text: str, vml: bool = False) -> bytes:
    whole = stamp(height, text)
    if vml:
        return placed(whole.resize((whole.width, to)), whole.width * 0.75, height * 0.75, vml=True)
    return placed(whole.resize((whole.width, to)), whole.width * EMU_PER_PIXEL, height * EMU_PER_PIXEL)


def narrowed() -> bytes:
    whole = stamp(60, "TỐI MẬT")
    return placed(whole.resize((whole.width // 4, 60)), whole.width * EMU_PER_PIXEL, 60 * EMU_PER_PIXEL)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "make", "level"), [
    ("squashed-to-14-px", lambda: squashed(60, 14, "TỐI MẬT"), Level.TOI_MAT),
    ("squashed-to-10-px", lambda: squashed(60, 10, "TỐI MẬT"), Level.TOI_MAT),
    ("squashed-to-12-px", lambda: squashed(48, 12, "TUYỆT MẬT"), Level.TUYET_MAT),
    ("squashed-to-16-px", lambda: squashed(80, 16, "MẬT"), Level.MAT),
    ("narrowed-to-a-quarter", narrowed, Level.TOI_MAT),
    ("squashed-in-a-vml-shape", lambda: squashed(60, 14, "TỐI MẬT", vml=True), Level.TOI_MAT),
])
def test_a_squashed_stamp_is_read_as_drawn(guard: Guard, name: str, make: object, level: Level) -> None:
    from bot.guard.ocr import ocr_status

    if not ocr_status().available:
        pytest.skip(ocr_status().detail)
    verdict = guard.scan_document("cong-van.docx", make())  # type: ignore[operator]
    assert verdict.action is GuardAction.BLOCK and verdict.level is level, (name, verdict.reason)


@pytest.mark.slow
def test_a_squashed_harmless_picture_passes(guard: Guard) -> None:
    from bot.guard.ocr import ocr_status

    if not ocr_status().available:
        pytest.skip(ocr_status().detail)
    assert guard.scan_document("cong-van.docx", squashed(60, 14, "KÍNH GỬI")).action is GuardAction.ALLOW


def test_only_a_picture_drawn_out_of_its_proportions_is_read_again() -> None:
    limits = ImageLimits()
    assert _stretched((400, 100), {4.0, 3.5}, limits) == []  # drawn as stored, or nearly
    assert _stretched((400, 10), {4.0}, limits) == [(400, 100)]  # the squashed height stretched back
    assert _stretched((100, 100), {4.0}, limits) == [(400, 100)]  # narrowed: the width stretched back
    assert _stretched((60_000, 10), {0.001}, limits) == []  # beyond the pixel limit: read as stored only
