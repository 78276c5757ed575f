"""Slide text in capitals by PowerPoint's full inheritance (issue 24, class 4, second round): the
presentation's default text style (beneath every master), the notes master's style (speaker
notes), a shape's own list style with no master saying anything, and tables, which take the
master's style for text of the slide's own. Stored «tài liệu tối mật», shown «TÀI LIỆU TỐI MẬT»."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction, Level
from tests.support.office_files import package, pptx

P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
CAPS = '<a:lvl1pPr><a:defRPr cap="all"/></a:lvl1pPr>'
LOWER = "tài liệu tối mật"
RUN = f"<a:p><a:r><a:t>{LOWER}</a:t></a:r></a:p>"


def with_parts(extra: dict[str, str], slide_text: str = LOWER) -> bytes:
    with zipfile.ZipFile(io.BytesIO(pptx(slide_text))) as archive:
        parts: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    parts.update({name: f'<?xml version="1.0"?>{xml}' for name, xml in extra.items()})
    return package(parts)


def master(other_style: str) -> dict[str, str]:
    return {"ppt/slideMasters/slideMaster1.xml": f"<p:sldMaster {P} {A}><p:cSld><p:spTree/></p:cSld><p:txStyles>"
                                                 f"<p:otherStyle>{other_style}</p:otherStyle></p:txStyles></p:sldMaster>"}


def slide(tree: str) -> dict[str, str]:
    return {"ppt/slides/slide2.xml": f"<p:sld {P} {A}><p:cSld><p:spTree>{tree}</p:spTree></p:cSld></p:sld>"}


TABLE = (f"<p:graphicFrame><a:graphic><a:graphicData><a:tbl><a:tr><a:tc><a:txBody>{RUN}</a:txBody></a:tc></a:tr>"
         "</a:tbl></a:graphicData></a:graphic></p:graphicFrame>")
NOTES = {"ppt/notesSlides/notesSlide1.xml": f'<p:notes {P} {A}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="3" '
                                            'name="Notes"/><p:cNvSpPr/><p:nvPr><p:ph type="body" idx="1"/></p:nvPr>'
                                            f"</p:nvSpPr><p:txBody>{RUN}</p:txBody></p:sp></p:spTree></p:cSld></p:notes>"}

BLOCKED: list[tuple[str, Callable[[], bytes]]] = [
    ("presentation-default-text-style", lambda: with_parts({
        "ppt/presentation.xml": f"<p:presentation {P} {A}><p:defaultTextStyle>{CAPS}</p:defaultTextStyle>"
                                "</p:presentation>"})),
    ("notes-master-style", lambda: with_parts({**NOTES, "ppt/notesMasters/notesMaster1.xml": (
        f"<p:notesMaster {P} {A}><p:cSld><p:spTree/></p:cSld><p:notesStyle>{CAPS}</p:notesStyle></p:notesMaster>")},
        "Kế hoạch")),
    ("own-list-style-alone", lambda: with_parts(slide(
        f"<p:sp><p:txBody><a:lstStyle>{CAPS}</a:lstStyle>{RUN}</p:txBody></p:sp>"), "Kế hoạch")),
    ("table-under-master-other-style", lambda: with_parts({**master(CAPS), **slide(TABLE)}, "Kế hoạch")),
]


@pytest.mark.parametrize(("name", "make"), BLOCKED, ids=[case[0] for case in BLOCKED])
def test_slide_text_a_style_shows_in_capitals_blocks(guard: Guard, name: str, make: Callable[[], bytes]) -> None:
    verdict = guard.scan_document("bao-cao.pptx", make())
    assert verdict.action is GuardAction.BLOCK and verdict.level is Level.TOI_MAT, name


def test_lower_case_text_no_style_capitalises_passes(guard: Guard) -> None:
    for content in (pptx(LOWER), with_parts({**master('<a:lvl1pPr><a:defRPr cap="none"/></a:lvl1pPr>'),
                                              **slide(TABLE), **NOTES})):
        assert guard.scan_document("bao-cao.pptx", content).action is GuardAction.ALLOW
